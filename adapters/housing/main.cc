// mab-housing: a housing department's tenancy and address events (CSV) in, housing_change
// notifications to the broker out, each postcode resolved to its local authority.
//   mab-housing --config F [--dry-run] FILE...
//   mab-housing --config F [--dry-run] --watch [--interval S]
// Exit: 0 it ran (rejects are in the reject file), 1 it could not (config, postcode table,
// state, connection), 64 usage.
#include <memory>

#include "adapters/housing/rules.h"
#include "adapters/kit/kit.h"

int main(int argc, char** argv) {
  mab::kit::app_spec spec;
  spec.name = "mab-housing";
  spec.adapter = "housing";
  spec.description =
      std::string("mab-housing: housing events (CSV with the header ") + mab::housing::header +
      "; event_type move | temporary_accommodation | homeless_application | "
      "new_household_member) in, housing_change notifications out. Config: [broker], [adapter] "
      "and [housing] postcode_table = \"postcodes.csv\" (CSV postcode,la_code).";
  spec.extra_tables = {"housing"};
  spec.setup = [](mab::kit::app_context& ctx) -> mab::result<mab::kit::file_handler> {
    auto rules = mab::housing::load_settings(ctx.cfg.extra, ctx.cfg.path);
    if (!rules) return rules.err();
    // A file_handler is a copyable std::function; the processor is shared by its copies.
    auto proc = std::make_shared<mab::housing::processor>(
        std::move(rules).value(), ctx.cfg.area, ctx.st, ctx.rj, ctx.sum, ctx.send(),
        !ctx.dry_run);
    return mab::kit::file_handler(
        [proc](const std::string& path) { return proc->process_file(path); });
  };
  return mab::kit::run_app(spec, argc, argv);
}

// mab-school: a school's register and pupil exports (CSV) in, attendance concerns to the broker
// out.
//   mab-school --config F [--dry-run] FILE...
//   mab-school --config F [--dry-run] --watch [--interval S]
// The command line, configuration, state, watch loop and exit status are the kit's (run_app);
// what is the school adapter's own is the [school], [codes] and [thresholds] tables and rules.h.
#include <memory>

#include "adapters/kit/kit.h"
#include "adapters/school/rules.h"

int main(int argc, char** argv) {
  static const mab::system_clock_source clock;
  mab::kit::app_spec spec;
  spec.name = "mab-school";
  spec.adapter = "school";
  spec.description =
      "mab-school: school register exports (upn,date,session,code) and pupil exports\n"
      "(upn,given_name,family_name,date_of_birth,preferred_language,interpreter_required,\n"
      "leaving_date,destination,penalty_notice_paid_date) in, attendance concerns out.\n"
      "Each file is recognised by its header line; pupil exports named on the command line\n"
      "are processed first.\n"
      "Config: [broker], [adapter] (see the README), [school] urn (required), optional\n"
      "[thresholds] and [codes].";
  spec.extra_tables = {"school", "codes", "thresholds"};
  spec.order_files = mab::school::pupil_exports_first;
  spec.setup = [](mab::kit::app_context& ctx) -> mab::result<mab::kit::file_handler> {
    auto rules = mab::school::load_settings(ctx.cfg.extra, ctx.cfg.path);
    if (!rules) return rules.err();
    auto proc = std::make_shared<mab::school::processor>(
        std::move(rules).value(), ctx.cfg.area, ctx.st, ctx.rj, ctx.sum, ctx.send(),
        !ctx.dry_run, clock);
    return mab::kit::file_handler(
        [proc](const std::string& path) { return proc->process_file(path); });
  };
  return mab::kit::run_app(spec, argc, argv);
}

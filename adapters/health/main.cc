// mab-health: FHIR R4 Bundles (Patient, Appointment, Encounter) in, health concerns to the broker
// out.
//   mab-health --config F [--dry-run] FILE...
//   mab-health --config F [--dry-run] --watch [--interval S]
// The command line, configuration, state, watch loop and exit status are the kit's (run_app);
// what is the health adapter's own is the [health], [thresholds] and [codes] tables and rules.h.
#include <memory>

#include "adapters/health/rules.h"
#include "adapters/kit/kit.h"

int main(int argc, char** argv) {
  mab::kit::app_spec spec;
  spec.name = "mab-health";
  spec.adapter = "health";
  spec.description =
      "mab-health: FHIR R4 Bundles (one per file: Patient, Appointment, Encounter) in,\n"
      "health concerns out: children not brought to appointments, emergency attendances\n"
      "for self-harm or injury, a new birth or GP registration in a household of concern.\n"
      "Config: [broker], [adapter] (see the README), [health] ods_code (required), optional\n"
      "[thresholds] and [codes].";
  spec.extra_tables = {"health", "thresholds", "codes"};
  spec.setup = [](mab::kit::app_context& ctx) -> mab::result<mab::kit::file_handler> {
    auto rules = mab::health::load_settings(ctx.cfg.extra, ctx.cfg.path);
    if (!rules) return rules.err();
    auto proc = std::make_shared<mab::health::processor>(
        std::move(rules).value(), ctx.cfg.area, ctx.st, ctx.rj, ctx.sum, ctx.send(),
        !ctx.dry_run);
    return mab::kit::file_handler(
        [proc](const std::string& path) { return proc->process_file(path); });
  };
  return mab::kit::run_app(spec, argc, argv);
}

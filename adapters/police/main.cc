// mab-police: a force's missing-person export (JSON lines) in, missing_episode notifications
// to the broker out.
//   mab-police --config F [--dry-run] FILE...
//   mab-police --config F [--dry-run] --watch [--interval S]
// The command line, configuration, state, watch loop and exit status are the kit's (run_app);
// what is the police adapter's own is the [police] table and rules.h.
#include <memory>

#include "adapters/kit/kit.h"
#include "adapters/police/rules.h"

namespace {

constexpr const char* description =
    R"(mab-police: missing-person records (JSON lines) in, missing_episode notifications out.

Input: one JSON object per line, e.g.
  {"police_reference":"MP/26/000123","upn":"P207000016049","reported_at":"2026-03-01T23:05:00Z",
   "last_seen_at":"2026-03-01T22:15:00Z","risk":"high","cse_indicators":["older associates"]}
Required: police_reference, reported_at, risk (no_apparent_risk|low|medium|high), and upn
and/or nhs_number. Optional: given_name, family_name, date_of_birth, area, last_seen_at,
cse_indicators, found_at, location_found, interview_held_at, summary. Other keys are rejected.
A reference seen again sends only what is new: a higher grade while still missing, the return
(found_at), the return interview (interview_held_at).
Config: [broker], [adapter] (see the README) and [police]: force = "E01" (required),
previous_episode_days = 365.)";

}  // namespace

int main(int argc, char** argv) {
  static const mab::system_clock_source clock;
  mab::kit::app_spec spec;
  spec.name = "mab-police";
  spec.adapter = "police";
  spec.description = description;
  spec.extra_tables = {"police"};
  spec.setup = [](mab::kit::app_context& ctx) -> mab::result<mab::kit::file_handler> {
    auto rules = mab::police::load_settings(ctx.cfg.extra, ctx.cfg.path);
    if (!rules) return rules.err();
    auto proc = std::make_shared<mab::police::processor>(
        std::move(rules).value(), ctx.cfg.broker.agency, ctx.cfg.area, clock, ctx.st, ctx.rj,
        ctx.sum, ctx.send(),
        !ctx.dry_run);
    return mab::kit::file_handler(
        [proc](const std::string& path) { return proc->process_file(path); });
  };
  return mab::kit::run_app(spec, argc, argv);
}

// The routing decision for one attendance concern. The argument is the number of areas, each
// with the six agencies of the demo (school, police, health, housing, csc, mash): 1 is the demo
// broker, 10 a regional hub with 60 agencies. Routes are those of deploy/mabd.example.toml.
#include <benchmark/benchmark.h>

#include <exception>
#include <string>
#include <variant>
#include <vector>

#include "daemon/routing/routing.h"
#include "tests/bench/sample.h"
#include "tests/fakes/test_config.h"

namespace mab::bench {
namespace {

std::string area_code(std::int64_t i) { return "E0900000" + std::to_string(i); }
// Agency ids are lower case; area codes are not.
std::string agency_id(const std::string& kind, std::int64_t area) {
  return kind + "-e0900000" + std::to_string(area);
}

config::config regional_config(std::int64_t areas) {
  testing::test_config tc;
  for (std::int64_t i = 0; i < areas; ++i) {
    const std::string a = area_code(i);
    tc.agency(agency_id("school", i), "school", a, {"attendance_concern", "referral", "record_part"})
        .agency(agency_id("police", i), "police", a, {"missing_episode", "referral"})
        .agency(agency_id("health", i), "health", a, {"health_concern", "referral"})
        .agency(agency_id("housing", i), "housing", a, {"housing_change"})
        .agency(agency_id("csc", i), "csc", a, {"referral_outcome", "transfer_notice", "record_part"})
        .agency(agency_id("mash", i), "mash", a, {"referral_outcome"});
  }
  return tc.routes(R"(
[[route]]
name = "concerns to the front door"
bodies = ["attendance_concern", "missing_episode", "health_concern", "housing_change", "referral"]
to_kinds = ["csc", "mash"]

[[route]]
name = "outcomes back to the referrer"
bodies = ["referral_outcome"]
allow_explicit = true

[[route]]
name = "record transfers between areas"
bodies = ["transfer_notice", "record_part"]
to_kinds = ["csc", "mash"]
allow_explicit = true
)")
      .build();
}

void BM_route_attendance_concern(benchmark::State& state) {
  const auto areas = state.range(0);
  config::config cfg;
  try {
    cfg = regional_config(areas);
  } catch (const std::exception& e) {  // test_config throws the first configuration error
    state.SkipWithError(e.what());
    return;
  }
  // The last area: a linear search over agencies or routes pays its full length here.
  const std::string area = area_code(areas - 1);
  const config::agency* sender = cfg.find_agency(agency_id("school", areas - 1));
  if (sender == nullptr) {
    state.SkipWithError("the sender is missing from the configuration");
    return;
  }
  const auto n = sample_notification("0a13a904-0000-4000-8000-000000000001", sender->id, area);
  const std::vector<std::string> expected = {agency_id("csc", areas - 1),
                                             agency_id("mash", areas - 1)};
  {
    const auto o = routing::route(cfg, *sender, n);
    const auto* got = std::get_if<std::vector<std::string>>(&o);
    if (got == nullptr || *got != expected) {
      state.SkipWithError("routed somewhere other than the area's csc and mash");
      return;
    }
  }
  for (auto _ : state) {
    auto o = routing::route(cfg, *sender, n);
    benchmark::DoNotOptimize(o);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["agencies"] = static_cast<double>(cfg.agencies.size());
}
BENCHMARK(BM_route_attendance_concern)->ArgName("areas")->Arg(1)->Arg(10);

}  // namespace
}  // namespace mab::bench

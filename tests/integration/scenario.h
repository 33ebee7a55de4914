// The agencies and routes most scenario tests share: two areas, a school, a police force and a
// front door in the first, a front door in the second.
#pragma once

#include <gtest/gtest.h>

#include "daemon/crypto/crypto.h"
#include "daemon/wire/wire.h"
#include "tests/integration/harness.h"

namespace mab::testing {

inline constexpr const char* area_a = "E09000001";
inline constexpr const char* area_b = "E08000025";

inline void standard_agencies(sandbox& sb) {
  sb.add_agency("school-a", "school", area_a, {"attendance_concern", "referral", "record_part"});
  sb.add_agency("police-a", "police", area_a, {"missing_episode", "referral"});
  sb.add_agency("csc-a", "csc", area_a, {"referral_outcome", "transfer_notice", "record_part"});
  sb.add_agency("csc-b", "csc", area_b, {"referral_outcome", "transfer_notice", "record_part"});
  sb.routes = R"(
[[route]]
name = "concerns to the front door"
bodies = ["attendance_concern", "missing_episode", "health_concern", "housing_change", "referral"]
to_kinds = ["csc", "mash"]

[[route]]
name = "outcomes to referrers"
bodies = ["referral_outcome"]
allow_explicit = true

[[route]]
name = "transfers"
bodies = ["transfer_notice", "record_part"]
to_kinds = ["csc"]
allow_explicit = true
)";
}

inline const sdk::delivery* as_delivery(const sdk::event& e) {
  return std::get_if<sdk::delivery>(&e);
}
inline const sdk::notice* as_notice(const sdk::event& e) { return std::get_if<sdk::notice>(&e); }

constexpr auto receipt_timeout = std::chrono::milliseconds(10000);
constexpr auto event_timeout = std::chrono::milliseconds(10000);

}  // namespace mab::testing

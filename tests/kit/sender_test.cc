// The dry run and the skip of recorded keys; real sends are exercised against a real mabd by
// the school integration test.
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "adapters/kit/kit.h"
#include "tests/kit/tmpdir.h"

namespace mab::kit {
namespace {

TEST(sender, dry_run_prints_proto_json_with_deterministic_id_and_records_nothing) {
  test::tmpdir dir;
  auto st = state::open(dir / "s.db");
  auto rj = rejects::open(dir / "r.txt");
  ASSERT_TRUE(st && rj);
  summary sum;
  std::ostringstream out;
  sender s("school:x", **st, **rj, sum, nullptr, out);
  EXPECT_TRUE(s.dry_run());
  mab::v1::Notification n;
  n.mutable_subject()->set_upn("P207000016049");
  n.mutable_attendance_concern()->set_possible_sessions(20);
  auto r = s.send("P207000016049/persistent_absence", n, "f.csv", 3);
  ASSERT_TRUE(r) << r.message();
  EXPECT_EQ(*r, outcome::sent);
  EXPECT_EQ(sum.sent, 1u);
  const auto j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j["message_id"], message_id_for("school:x", "P207000016049/persistent_absence"));
  EXPECT_EQ(j["attendance_concern"]["possible_sessions"], 20);  // proto field names kept
  EXPECT_FALSE((*st)->sent("P207000016049/persistent_absence")->has_value());
}

TEST(sender, recorded_key_is_skipped_without_the_broker) {
  test::tmpdir dir;
  auto st = state::open(dir / "s.db");
  auto rj = rejects::open(dir / "r.txt");
  ASSERT_TRUE(st && rj);
  ASSERT_TRUE((*st)->record_sent("k", {"id", "ACCEPTED"}));
  summary sum;
  std::ostringstream out;
  sender s("a", **st, **rj, sum, nullptr, out);
  auto r = s.send("k", mab::v1::Notification{}, "f", 1);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, outcome::skipped);
  EXPECT_EQ(sum.skipped, 1u);
  EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace mab::kit

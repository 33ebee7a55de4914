// mab-police against a real mabd: a high-risk report and then its return reach the front door
// as one episode (the ledger raises and clears its high-risk flag), a re-run sends nothing, a
// bad line goes to the reject file, and a dry run sends nothing.
#include <algorithm>
#include <functional>

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "tests/integration/scenario.h"

namespace mab::testing {
namespace {

using namespace std::chrono_literals;

const char* front_doors = R"(
[[area]]
code = "E09000001"
front_door = "csc-a"
)";

struct seen {
  std::vector<mab::v1::Notification> episodes;
  std::vector<std::string> flags;  // "TYPE:STATE"
  std::size_t deliveries = 0;
  bool has_flag(const std::string& f) const {
    return std::find(flags.begin(), flags.end(), f) != flags.end();
  }
};

// Receives (acking everything) until `done` holds or `timeout` passes.
void collect(sdk::client& c, seen& s, const std::function<bool(const seen&)>& done,
             std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done(s) && std::chrono::steady_clock::now() < deadline) {
    auto e = c.receive(250ms);
    ASSERT_TRUE(e) << e.message();
    if (!e->has_value()) continue;
    if (const auto* d = as_delivery(**e)) {
      ++s.deliveries;
      if (d->notification.has_missing_episode()) s.episodes.push_back(d->notification);
      if (d->notification.has_flag()) {
        s.flags.push_back(d->notification.flag().flag_type() + ":" + d->notification.flag().state());
      }
      ASSERT_TRUE(c.ack(*d));
    } else if (const auto* n = as_notice(**e)) {
      ASSERT_TRUE(c.confirm(*n));
    }
  }
}

std::string rfc3339(std::chrono::system_clock::time_point t) {
  return google::protobuf::util::TimeUtil::ToString(wire::to_timestamp(t));
}

class police_test : public ::testing::Test {
 protected:
  void SetUp() override {
    standard_agencies(sb);
    sb.routes += front_doors;
    ASSERT_NO_FATAL_FAILURE(sb.start());
  }

  run_result police(const std::vector<std::string>& args) const {
    return sb.run(MAB_POLICE_PATH, args);
  }

  sandbox sb;
};

TEST_F(police_test, report_then_return_reach_the_front_door_as_one_episode_and_rerun_sends_nothing) {
  // Configuration errors name the field; usage errors exit 64.
  auto cfg = sb.kit_config("police-a", "[police]\nforce = \"E01\"\ncolour = 1\n");
  auto bad = police({"--config", cfg, "x.jsonl"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("police.colour: unknown key"), std::string::npos) << bad.err;
  EXPECT_EQ(police({"--config", cfg}).exit_code, 64);

  cfg = sb.kit_config("police-a", "[police]\nforce = \"E01\"\n");
  const std::string dir = sb.kit_dir("police-a");
  const auto now = std::chrono::system_clock::now();
  const std::string head = R"({"police_reference":"MP/26/000123","upn":"P207000016049",)"
                           R"("given_name":"Ava","family_name":"Example","date_of_birth":"2012-05-17",)"
                           R"("last_seen_at":")" + rfc3339(now - 3h) + R"(","reported_at":")" +
                           rfc3339(now - 2h) +
                           R"(","risk":"high","cse_indicators":["older associates"])";
  write_file(dir + "/report.jsonl",
             head + "}\n" +
                 R"({"police_reference":"MP/26/000124","upn":"P207000016049","reported_at":")" +
                 rfc3339(now) + R"(","risk":"High"})" + "\n");
  write_file(dir + "/return.jsonl", head + R"(,"found_at":")" + rfc3339(now - 10min) +
                                        R"(","location_found":"bus station"})" + "\n");
  auto csc = sb.client("csc-a");
  seen got;

  // A dry run prints the report and sends nothing.
  auto dry = police({"--config", cfg, "--dry-run", dir + "/report.jsonl"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("\"status\":\"REPORTED_MISSING\""), std::string::npos) << dry.out;
  EXPECT_EQ(std::count(dry.out.begin(), dry.out.end(), '\n'), 1) << dry.out;
  collect(*csc, got, [](const seen&) { return false; }, 1500ms);
  EXPECT_EQ(got.deliveries, 0u);

  auto first = police({"--config", cfg, dir + "/report.jsonl"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("rows_read=2 sent=1 duplicates=0 skipped=0 rejected=1"),
            std::string::npos) << first.err;
  EXPECT_NE(read_file(dir + "/rejects.txt")
                .find("report.jsonl:2: risk: must be one of no_apparent_risk, low, medium, high"),
            std::string::npos);
  collect(*csc, got, [](const seen& s) {
    return !s.episodes.empty() && s.has_flag("HIGH_RISK_MISSING:RAISED");
  }, event_timeout);
  ASSERT_EQ(got.episodes.size(), 1u);
  EXPECT_TRUE(got.has_flag("HIGH_RISK_MISSING:RAISED"));
  const auto report = got.episodes[0];  // a copy: more episodes arrive below
  EXPECT_EQ(report.sender(), "police-a");
  EXPECT_EQ(report.missing_episode().status(), mab::v1::MissingEpisode::REPORTED_MISSING);
  EXPECT_EQ(report.missing_episode().risk_grade(), mab::v1::MissingEpisode::HIGH);
  EXPECT_EQ(report.missing_episode().police_reference(), "MP/26/000123");
  EXPECT_TRUE(report.missing_episode().cse_considered());
  ASSERT_EQ(report.subject().local_ids_size(), 1);
  EXPECT_EQ(report.subject().local_ids(0).system(), "police:E01");
  EXPECT_FALSE(report.missing_episode().episode_id().empty());

  auto second = police({"--config", cfg, dir + "/return.jsonl"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.err.find("rows_read=1 sent=1 duplicates=0 skipped=0 rejected=0"),
            std::string::npos) << second.err;
  collect(*csc, got, [](const seen& s) {
    return s.episodes.size() >= 2 && s.has_flag("HIGH_RISK_MISSING:CLEARED");
  }, event_timeout);
  ASSERT_EQ(got.episodes.size(), 2u);
  const auto back = got.episodes[1].missing_episode();
  EXPECT_EQ(back.status(), mab::v1::MissingEpisode::RETURNED);
  EXPECT_EQ(back.episode_id(), report.missing_episode().episode_id());
  EXPECT_EQ(back.location_found(), "bus station");
  // The ledger linked the return to the report: the high-risk flag it raised is cleared.
  EXPECT_TRUE(got.has_flag("HIGH_RISK_MISSING:CLEARED"));

  const std::size_t before = got.deliveries;
  auto again = police({"--config", cfg, dir + "/return.jsonl"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("rows_read=1 sent=0 duplicates=0 skipped=1 rejected=0"),
            std::string::npos) << again.err;
  collect(*csc, got, [](const seen&) { return false; }, 2000ms);
  EXPECT_EQ(got.deliveries, before);
}

}  // namespace
}  // namespace mab::testing

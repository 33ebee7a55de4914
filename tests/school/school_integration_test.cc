// mab-school end to end against a real mabd: register and pupil exports in, the concerns the
// front door (csc-a) receives out; idempotent across runs, rejects with their line, dry runs
// that send nothing, and a broker rejection reported like a bad row.
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/scenario.h"

namespace mab::testing {
namespace {

using mab::v1::AttendanceConcern;

constexpr const char* ava = "P207000016049";    // persistent absence in the first export
constexpr const char* bart = "Y201000016001";   // unexplained run, then persistent
constexpr const char* chloe = "M201000016002";  // left with no known destination
constexpr const char* dylan = "B201000016003";  // absences after a paid penalty notice
constexpr const char* eve = "E201000016005";    // a malformed pupil row

const std::string extra_toml =
    "[school]\nurn = \"100000\"\n\n"
    "[thresholds]\nunexplained_run = 4\nafter_penalty_sessions = 2\n";

std::string pupils_csv() {
  return std::string(
             "upn,given_name,family_name,date_of_birth,preferred_language,interpreter_required,"
             "leaving_date,destination,penalty_notice_paid_date\n") +
         ava + ",Ava,Example,2015-05-17,en,no,,,\n" +
         bart + ",Bartosz,Nowak,2014-09-01,pl,yes,,,\n" +
         chloe + ",Chloe,Brown,2013-02-11,en,,2026-11-06,unknown,\n" +
         dylan + ",Dylan,Green,2015-12-24,en,no,,,2026-11-13\n" +
         eve + ",Eve,White,2014-06-30,en,maybe,,,\n";  // line 6
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Rows for `upn` on each weekday from 2026-11-`first` to 2026-11-`last` (the 7th and 8th, 14th
// and 15th are a weekend); `code_for` picks the code per (day, session index 0/1).
template <typename F>
void add_days(std::string& csv, const char* upn, int first, int last, F code_for) {
  for (int d = first; d <= last; ++d) {
    if (d % 7 == 0 || d % 7 == 1) continue;
    const std::string date = "2026-11-" + std::string(d < 10 ? "0" : "") + std::to_string(d);
    for (int s = 0; s < 2; ++s) {
      csv += std::string(upn) + "," + date + (s == 0 ? ",AM," : ",PM,") + code_for(d, s) + "\n";
    }
  }
}

// Weeks of 2 and 9 November (Monday to Friday).
std::string register_1() {
  std::string csv = "upn,date,session,code\n";
  // Ava: two authorised absences in 20 sessions, exactly 10%.
  add_days(csv, ava, 2, 13, [](int d, int) { return d == 2 ? "C" : "/"; });
  // Bartosz joins on the 9th: four unexplained absences in a row, 10 sessions.
  add_days(csv, bart, 9, 13, [](int d, int) { return d <= 10 ? "O" : "/"; });
  add_days(csv, dylan, 2, 13, [](int, int) { return "/"; });
  csv += std::string(ava) + ",2026-11-03,EV,/\n";  // the malformed row
  return csv;
}

// The following week: Bartosz reaches 20 sessions at 20% absence; Dylan misses two sessions
// after his family paid the penalty notice.
std::string register_2() {
  std::string csv = "upn,date,session,code\n";
  add_days(csv, ava, 16, 20, [](int, int) { return "/"; });
  add_days(csv, bart, 16, 20, [](int, int) { return "/"; });
  add_days(csv, dylan, 16, 20, [](int d, int) { return d == 16 ? "G" : "/"; });
  return csv;
}

// Line of the malformed row: after the header, Ava's 20 rows, Bartosz's 10 and Dylan's 20.
constexpr int malformed_line = 1 + 20 + 10 + 20 + 1;

class school_test : public ::testing::Test {
 protected:
  void SetUp() override {
    standard_agencies(sb);
    ASSERT_NO_FATAL_FAILURE(sb.start());
    config = sb.kit_config("school-a", extra_toml);
    csc = sb.client("csc-a");
    write("register-1.csv", register_1());
    write("register-2.csv", register_2());
    write("pupils.csv", pupils_csv());
  }

  void write(const std::string& name, const std::string& text) {
    std::ofstream(path(name), std::ios::binary) << text;
  }
  std::string path(const std::string& name) const { return sb.dir() + "/" + name; }

  run_result school(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--config", config});
    return sb.run(MAB_SCHOOL_PATH, args);
  }

  // Deliveries to csc-a (acknowledged), keyed by "<upn>/<kind>".
  std::map<std::string, mab::v1::Notification> received(std::size_t want) {
    std::map<std::string, mab::v1::Notification> got;
    for (const auto& e : receive_for(*csc, event_timeout, want)) {
      const auto* d = as_delivery(e);
      if (d == nullptr) continue;
      EXPECT_TRUE(csc->ack(*d));
      const auto& n = d->notification;
      got[n.subject().upn() + "/" +
          AttendanceConcern::Kind_Name(n.attendance_concern().kind())] = n;
    }
    return got;
  }
  bool nothing_more() {
    return receive_for(*csc, std::chrono::milliseconds(2000), 1).empty();
  }

  sandbox sb;
  std::string config;
  std::unique_ptr<sdk::client> csc;
};

TEST_F(school_test, sends_each_crossing_once_across_runs_and_weeks) {
  auto first = school({path("register-1.csv"), path("pupils.csv")});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("rows_read=56 sent=3 duplicates=0 skipped=0 rejected=2"),
            std::string::npos)
      << first.err;

  auto got = received(3);
  ASSERT_EQ(got.size(), 3u);
  const auto& a = got[std::string(ava) + "/PERSISTENT_ABSENCE"];
  EXPECT_EQ(a.sender(), "school-a");
  EXPECT_EQ(a.subject().given_name(), "Ava");
  EXPECT_EQ(a.subject().family_name(), "Example");
  EXPECT_EQ(a.subject().date_of_birth(), "2015-05-17");
  EXPECT_EQ(a.subject().area(), area_a);
  EXPECT_EQ(a.attendance_concern().school_urn(), "100000");
  EXPECT_EQ(a.attendance_concern().possible_sessions(), 20u);
  EXPECT_EQ(a.attendance_concern().attended_sessions(), 18u);
  EXPECT_EQ(a.attendance_concern().authorised_absences(), 2u);
  EXPECT_DOUBLE_EQ(a.attendance_concern().absence_rate_percent(), 10.0);
  EXPECT_EQ(a.attendance_concern().period_start(), "2026-11-02");
  EXPECT_EQ(a.attendance_concern().period_end(), "2026-11-13");

  const auto& b = got[std::string(bart) + "/UNEXPLAINED_ABSENCE_RUN"];
  EXPECT_EQ(b.subject().given_name(), "Bartosz");
  EXPECT_EQ(b.subject().preferred_language(), "pl");
  EXPECT_TRUE(b.subject().interpreter_required());
  EXPECT_EQ(b.attendance_concern().consecutive_unexplained_sessions(), 4u);
  EXPECT_EQ(b.attendance_concern().unauthorised_absences(), 4u);
  EXPECT_EQ(b.attendance_concern().possible_sessions(), 4u);
  EXPECT_EQ(b.attendance_concern().school_urn(), "100000");

  const auto& c = got[std::string(chloe) + "/CHILD_MISSING_EDUCATION"];
  EXPECT_EQ(c.subject().given_name(), "Chloe");
  EXPECT_FALSE(c.attendance_concern().destination_known());
  EXPECT_EQ(c.attendance_concern().school_urn(), "100000");
  EXPECT_NE(c.attendance_concern().summary().find("left on 2026-11-06"), std::string::npos);

  const std::string rejects = read_text(sb.kit_dir("school-a") + "/rejects.txt");
  EXPECT_NE(rejects.find("register-1.csv:" + std::to_string(malformed_line) +
                         ": session: must be AM or PM, got 'EV'"),
            std::string::npos)
      << rejects;
  EXPECT_NE(rejects.find("pupils.csv:6: interpreter_required: must be yes, no or empty, got "
                         "'maybe'"),
            std::string::npos)
      << rejects;

  // The same exports again: every row already seen, nothing sent, nothing delivered.
  auto again = school({path("pupils.csv"), path("register-1.csv")});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("rows_read=56 sent=0 duplicates=0 skipped=54 rejected=2"),
            std::string::npos)
      << again.err;
  EXPECT_TRUE(nothing_more());

  // A dry run of the following week prints what it would send and sends nothing.
  auto dry = school({"--dry-run", path("register-2.csv")});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  std::set<std::string> printed;
  std::istringstream lines(dry.out);
  for (std::string line; std::getline(lines, line);) {
    const auto j = nlohmann::json::parse(line);
    printed.insert(j.at("subject").at("upn").get<std::string>() + "/" +
                   j.at("attendance_concern").at("kind").get<std::string>());
    EXPECT_EQ(j.at("attendance_concern").at("school_urn"), "100000");
  }
  EXPECT_EQ(printed, (std::set<std::string>{std::string(bart) + "/PERSISTENT_ABSENCE",
                                            std::string(dylan) +
                                                "/ABSENCE_AFTER_PENALTY_NOTICE"}));
  EXPECT_TRUE(nothing_more());

  // The following week for real: only the new crossings.
  auto week = school({path("register-2.csv")});
  ASSERT_EQ(week.exit_code, 0) << week.err;
  EXPECT_NE(week.err.find("rows_read=30 sent=2 duplicates=0 skipped=0 rejected=0"),
            std::string::npos)
      << week.err;
  auto next = received(2);
  ASSERT_EQ(next.size(), 2u);
  const auto& bp = next[std::string(bart) + "/PERSISTENT_ABSENCE"];
  EXPECT_EQ(bp.attendance_concern().possible_sessions(), 20u);
  EXPECT_DOUBLE_EQ(bp.attendance_concern().absence_rate_percent(), 20.0);
  EXPECT_EQ(bp.subject().preferred_language(), "pl");
  const auto& dp = next[std::string(dylan) + "/ABSENCE_AFTER_PENALTY_NOTICE"];
  EXPECT_TRUE(dp.attendance_concern().penalty_notice_paid());
  EXPECT_EQ(dp.attendance_concern().unauthorised_absences(), 2u);
  EXPECT_EQ(dp.subject().given_name(), "Dylan");
  EXPECT_TRUE(nothing_more());
}

TEST_F(school_test, dry_run_over_the_drop_folder_takes_both_exports_and_records_nothing) {
  namespace fs = std::filesystem;
  const std::string drop = sb.kit_dir("school-a") + "/drop/";
  fs::copy_file(path("pupils.csv"), drop + "pupils.csv");
  fs::copy_file(path("register-1.csv"), drop + "register-1.csv");
  // Pupils first even if the clock does not tell them apart: oldest first, then by name.
  fs::last_write_time(drop + "pupils.csv",
                      fs::last_write_time(drop + "register-1.csv") - std::chrono::seconds(5));

  auto dry = school({"--dry-run", "--watch"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  std::istringstream lines(dry.out);
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    const auto j = nlohmann::json::parse(line);
    EXPECT_TRUE(j.at("subject").contains("given_name")) << line;  // details from pupils.csv
  }
  EXPECT_EQ(count, 3);
  EXPECT_TRUE(nothing_more());

  // Nothing was recorded: the real run still sends all three.
  auto real = school({path("register-1.csv"), path("pupils.csv")});
  ASSERT_EQ(real.exit_code, 0) << real.err;
  EXPECT_NE(real.err.find("sent=3"), std::string::npos) << real.err;
  EXPECT_EQ(received(3).size(), 3u);
}

TEST_F(school_test, help_and_usage) {
  auto help = sb.run(MAB_SCHOOL_PATH, {"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--dry-run"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("penalty_notice_paid_date"), std::string::npos) << help.out;
  EXPECT_EQ(school({}).exit_code, 64);  // neither FILE... nor --watch

  const std::string no_urn = sb.kit_config("school-a", "");
  auto bad = sb.run(MAB_SCHOOL_PATH, {"--config", no_urn, path("pupils.csv")});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("school.urn: is required"), std::string::npos) << bad.err;
}

TEST(school_broker_rejection, a_rejected_receipt_lands_in_the_reject_file_with_its_line) {
  sandbox sb;
  standard_agencies(sb);
  // A school the broker does not allow to send attendance concerns.
  sb.add_agency("school-x", "school", area_a, {"referral"});
  ASSERT_NO_FATAL_FAILURE(sb.start());
  const std::string config = sb.kit_config("school-x", extra_toml);
  std::ofstream(sb.dir() + "/pupils.csv") << pupils_csv();
  auto r = sb.run(MAB_SCHOOL_PATH, {"--config", config, sb.dir() + "/pupils.csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("sent=0 duplicates=0 skipped=0 rejected=2"), std::string::npos) << r.err;
  const std::string rejects = read_text(sb.kit_dir("school-x") + "/rejects.txt");
  EXPECT_NE(rejects.find("pupils.csv:4: rejected by the broker: "), std::string::npos) << rejects;
  // Recorded as rejected: a second run does not offer it again.
  auto again = sb.run(MAB_SCHOOL_PATH, {"--config", config, sb.dir() + "/pupils.csv"});
  EXPECT_NE(again.err.find("sent=0 duplicates=0 skipped=4 rejected=1"), std::string::npos)
      << again.err;
}

}  // namespace
}  // namespace mab::testing

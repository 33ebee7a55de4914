#include <chrono>
#include <cstdio>
#include <sstream>

#include <gtest/gtest.h>

#include "adapters/school/rules.h"
#include "tests/school/school_fixture.h"

namespace mab::school {
namespace {

using Kind = mab::v1::AttendanceConcern::Kind;
constexpr const char* upn = "P207000016049";

TEST(parse_row, accepts_quoted_fields_and_lower_case_upn) {
  auto r = parse_row("\"p207000016049\", \"2026-09-03\" ,PM,\"/\"", default_settings());
  ASSERT_TRUE(r) << r.message();
  EXPECT_EQ(r->upn, upn);
  EXPECT_EQ(r->date, "2026-09-03");
  EXPECT_EQ(r->code, "/");
}

TEST(parse_row, accepts_valid_rows_and_edge_codes) {
  const auto s = default_settings();
  for (const char* code : {"/", "\\", "L", "B", "N", "O", "#", "X"}) {
    auto r = parse_row(std::string(upn) + ",2026-09-03,am," + code, s);
    ASSERT_TRUE(r) << code << ": " << r.message();
    EXPECT_EQ(r->session, "AM");
    EXPECT_EQ(r->code, code);
  }
}

TEST(parse_row, rejects_malformed_rows) {
  const auto s = default_settings();
  EXPECT_NE(parse_row("a,b,c", s).message().find("expected 4 columns"), std::string::npos);
  EXPECT_NE(parse_row(std::string(upn) + ",2026-09-03,AM,N,", s).message().find("found 5"),
            std::string::npos);
  EXPECT_EQ(parse_row("A207000016049,2026-09-03,AM,N", s).message(),
            "upn: must be a valid UPN (13 characters, check letter first), got 'A207000016049'");
  EXPECT_EQ(parse_row(std::string(upn) + ",2026-02-30,AM,N", s).message(),
            "date: must be a real date YYYY-MM-DD, got '2026-02-30'");
  EXPECT_EQ(parse_row(std::string(upn) + ",2026-09-03,EV,N", s).message(),
            "session: must be AM or PM, got 'EV'");
  EXPECT_EQ(parse_row(std::string(upn) + ",2026-09-03,AM,Q", s).message(),
            "code: must be an attendance code in the mapping ([codes]), got 'Q'");
  EXPECT_EQ(parse_row(std::string(upn) + ",\"2026-09-03,AM,N", s).message(),
            "column 2: unterminated quote");
}

pupil with(std::uint32_t present, std::uint32_t absent_code_o, const settings& s) {
  pupil p;
  int day = 1;
  auto add = [&](const char* code) {
    row r{upn, "2026-09-" + std::string(day < 10 ? "0" : "") + std::to_string(day), "AM", code};
    ++day;
    apply(p, r, s.codes.at(code), s);
  };
  for (std::uint32_t i = 0; i < present; ++i) add("/");
  for (std::uint32_t i = 0; i < absent_code_o; ++i) add("C");
  return p;
}

bool has(const std::vector<Kind>& ks, Kind k) {
  return std::find(ks.begin(), ks.end(), k) != ks.end();
}

TEST(thresholds, persistent_at_and_around_ten_percent_and_min_sessions) {
  const auto s = default_settings();
  EXPECT_TRUE(has(over_thresholds(with(18, 2, s), s), mab::v1::AttendanceConcern::PERSISTENT_ABSENCE));
  EXPECT_FALSE(has(over_thresholds(with(19, 1, s), s), mab::v1::AttendanceConcern::PERSISTENT_ABSENCE));
  // 2 of 19 is over 10% but below min_sessions.
  EXPECT_TRUE(over_thresholds(with(17, 2, s), s).empty());
  auto p = with(18, 2, s);
  EXPECT_EQ(p.possible, 20u);
  EXPECT_EQ(p.attended, 18u);
  EXPECT_EQ(p.authorised, 2u);
  EXPECT_DOUBLE_EQ(p.absence_rate_percent(), 10.0);
}

TEST(thresholds, severe_at_and_around_fifty_percent) {
  const auto s = default_settings();
  auto at = over_thresholds(with(10, 10, s), s);
  EXPECT_TRUE(has(at, mab::v1::AttendanceConcern::SEVERE_ABSENCE));
  EXPECT_TRUE(has(at, mab::v1::AttendanceConcern::PERSISTENT_ABSENCE));
  EXPECT_FALSE(has(over_thresholds(with(11, 10, s), s), mab::v1::AttendanceConcern::SEVERE_ABSENCE));
}

TEST(thresholds, unexplained_run_counts_n_and_o_and_resets) {
  const auto s = default_settings();
  pupil p;
  for (int i = 0; i < 9; ++i) {
    apply(p, row{upn, "2026-09-0" + std::to_string(i + 1), "AM", i % 2 ? "N" : "O"},
          s.codes.at(i % 2 ? "N" : "O"), s);
  }
  EXPECT_EQ(p.run, 9u);
  EXPECT_FALSE(has(over_thresholds(p, s), mab::v1::AttendanceConcern::UNEXPLAINED_ABSENCE_RUN));
  apply(p, row{upn, "2026-09-09", "PM", "#"}, category::not_counted, s);  // neutral
  EXPECT_EQ(p.run, 9u);
  apply(p, row{upn, "2026-09-10", "AM", "O"}, category::unauthorised, s);
  EXPECT_EQ(p.run, 10u);
  EXPECT_TRUE(has(over_thresholds(p, s), mab::v1::AttendanceConcern::UNEXPLAINED_ABSENCE_RUN));
  apply(p, row{upn, "2026-09-10", "PM", "G"}, category::unauthorised, s);  // explained
  EXPECT_EQ(p.run, 0u);
  EXPECT_EQ(p.absence_codes, (std::set<std::string>{"G", "N", "O"}));
}

TEST(pupil, json_round_trip) {
  const auto s = default_settings();
  auto p = with(3, 2, s);
  auto back = pupil::from_json(p.to_json());
  ASSERT_TRUE(back) << back.message();
  EXPECT_EQ(back->to_json(), p.to_json());
  EXPECT_FALSE(pupil::from_json("{}"));
}

using run_fixture = test::school_fixture;

std::string export_with_absences() {
  std::string csv = "upn,date,session,code\r\n";
  for (int d = 1; d <= 10; ++d) {
    const std::string date = "2026-10-" + std::string(d < 10 ? "0" : "") + std::to_string(d);
    csv += std::string(upn) + "," + date + ",AM," + (d <= 8 ? "/" : "O") + "\n";
    csv += std::string(upn) + "," + date + ",PM," + (d <= 8 ? "/" : "O") + "\n";
  }
  csv += std::string(upn) + ",2026-10-01,AM,/\n";  // duplicate
  csv += "B801200005001,2026-10-01,AM,Q\n";          // unknown code
  csv += "bad row\n";
  return csv;
}

TEST_F(run_fixture, sends_each_crossing_once_and_rejects_bad_rows) {
  ASSERT_TRUE(run("in.csv", export_with_absences()));
  EXPECT_EQ(keys(), (std::vector<std::string>{upn + std::string("/persistent_absence")}));
  EXPECT_EQ(sent.at(0).second.subject().area(), test::area);
  EXPECT_EQ(sent.at(0).second.attendance_concern().school_urn(), "100000");
  EXPECT_EQ(sum.rows_read, 23u);
  EXPECT_EQ(sum.rejected, 3u);
  const auto rejects = this->rejects();
  EXPECT_NE(rejects.find("in.csv:22: duplicate session"), std::string::npos) << rejects;
  EXPECT_NE(rejects.find("in.csv:23: code: must be an attendance code in the mapping ([codes]), "
                         "got 'Q'"),
            std::string::npos)
      << rejects;
  EXPECT_NE(rejects.find("in.csv:24: expected 4 columns"), std::string::npos) << rejects;
}

TEST_F(run_fixture, rerun_after_restart_sends_nothing_new_and_counts_stay) {
  ASSERT_TRUE(run("in.csv", export_with_absences()));
  sent.clear();
  sum = {};
  ASSERT_TRUE(run("in.csv", export_with_absences()));  // new state object: a restart
  EXPECT_TRUE(sent.empty());
  // Only the rows: the recorded crossing is not counted again for every later row.
  EXPECT_EQ(sum.skipped, 20u);
  EXPECT_EQ(sum.sent, 0u);
  const pupil p = stored(upn);
  EXPECT_EQ(p.possible, 20u);
  EXPECT_EQ(p.unauthorised, 4u);
}

// Two days off in the first fortnight, then present for six weeks: 4 of 80 sessions (5%).
std::string early_absence_then_recovery(int weeks) {
  std::string csv = "upn,date,session,code\n";
  auto day = std::chrono::sys_days(std::chrono::year{2025} / 9 / 1);
  for (int d = 0; d < weeks * 7; ++d, day += std::chrono::days(1)) {
    const std::chrono::weekday wd(day);
    if (wd == std::chrono::Saturday || wd == std::chrono::Sunday) continue;
    const std::chrono::year_month_day ymd(day);
    char date[16];
    std::snprintf(date, sizeof date, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    const std::string code = (d == 8 || d == 9) ? "I" : "/";  // ill: authorised
    csv += std::string(upn) + "," + date + ",AM," + code + "\n";
    csv += std::string(upn) + "," + std::string(date) + ",PM," + code + "\n";
  }
  return csv;
}

TEST_F(run_fixture, rates_are_judged_on_the_whole_export_not_row_by_row) {
  // Row by row the pupil is at 4/20 = 20% after the second week; as of the export, 5%.
  ASSERT_TRUE(run("term.csv", early_absence_then_recovery(8)));
  EXPECT_TRUE(sent.empty()) << ::testing::PrintToString(keys());
  EXPECT_EQ(stored(upn).possible, 80u);
}

TEST_F(run_fixture, an_export_that_ends_over_the_rate_sends_it) {
  // The same fortnight as its own export (a daily export early in the year): 4/20 = 20%.
  ASSERT_TRUE(run("fortnight.csv", early_absence_then_recovery(2)));
  EXPECT_EQ(keys(), (std::vector<std::string>{upn + std::string("/persistent_absence")}));
}

TEST_F(run_fixture, missing_header_skips_the_file) {
  ASSERT_TRUE(run("in.csv", std::string(upn) + ",2026-10-01,AM,/\n"));
  EXPECT_EQ(sum.rows_read, 0u);
  EXPECT_EQ(sum.rejected, 1u);
  EXPECT_NE(rejects().find("in.csv:1: expected the header 'upn,date,session,code' (register "
                           "export) or 'upn,given_name,"),
            std::string::npos)
      << rejects();
  ASSERT_TRUE(run("empty.csv", ""));
  EXPECT_NE(rejects().find("empty.csv: empty file"), std::string::npos) << rejects();
}

// ---- configuration ----

result<settings> settings_from(const std::string& text) {
  return load_settings(toml::parse(text), "school.toml");
}

TEST(load_settings, reads_urn_and_thresholds_over_the_defaults) {
  auto s = settings_from(
      "[school]\nurn = \"123456\"\n[thresholds]\nafter_penalty_sessions = 2\n"
      "unexplained_run = 4\n[codes]\n\"#\" = \"unauthorised\"\n");
  ASSERT_TRUE(s) << s.message();
  EXPECT_EQ(s->school_urn, "123456");
  EXPECT_EQ(s->after_penalty_sessions, 2u);
  EXPECT_EQ(s->unexplained_run, 4u);
  EXPECT_EQ(s->min_sessions, 20u);
  EXPECT_EQ(s->codes.at("#"), category::unauthorised);
  EXPECT_EQ(default_settings().after_penalty_sessions, 4u);
}

TEST(load_settings, urn_is_required_and_six_digits) {
  EXPECT_EQ(settings_from("").message(), "school.toml: school.urn: is required");
  EXPECT_EQ(settings_from("[school]\n").message(), "school.toml: school.urn: is required");
  for (const char* bad : {"urn = \"12345\"", "urn = \"1234567\"", "urn = 100000",
                          "urn = \"10000A\""}) {
    EXPECT_EQ(settings_from(std::string("[school]\n") + bad + "\n").message(),
              "school.toml:2: school.urn: must be the school's 6-digit URN as a string, e.g. "
              "\"100000\"")
        << bad;
  }
  EXPECT_EQ(settings_from("[school]\nurn = \"100000\"\nname = \"x\"\n").message(),
            "school.toml:3: school.name: unknown key");
}

TEST(load_settings, reports_every_bad_threshold_at_once) {
  auto s = settings_from(
      "[school]\nurn = \"100000\"\n[thresholds]\nafter_penalty_sessions = 0\n"
      "severe_percent = 120\nlimit = 3\n");
  EXPECT_EQ(s.message(),
            "school.toml:6: thresholds.limit: unknown key\n"
            "school.toml:5: thresholds.severe_percent: must be a number above 0, at most 100\n"
            "school.toml:4: thresholds.after_penalty_sessions: must be a whole number from 1 to "
            "100000");
}

TEST(load_settings, persistent_above_the_default_severe_names_the_key_written) {
  // Only persistent_percent is set; the comparison is with the default severe_percent (50).
  EXPECT_EQ(settings_from("[school]\nurn = \"100000\"\n[thresholds]\npersistent_percent = 60\n")
                .message(),
            "school.toml:4: thresholds.severe_percent: must not be below persistent_percent");
}

// ---- penalty notices and leavers ----

constexpr Kind after_penalty = mab::v1::AttendanceConcern::ABSENCE_AFTER_PENALTY_NOTICE;

pupil_details details_with(const std::string& leaving, const std::string& destination,
                           const std::string& paid) {
  return pupil_details{"Ava", "Kowalska", "2015-05-17", "pl", true, leaving, destination, paid};
}

void add(pupil& p, const std::string& date, const std::string& session, const char* code,
         const settings& s) {
  apply(p, row{upn, date, session, code}, s.codes.at(code), s);
}

TEST(thresholds, absence_after_penalty_notice_at_and_around_four_sessions) {
  const auto s = test::test_settings();
  pupil p;
  p.details = details_with("", "", "2026-10-05");
  add(p, "2026-10-05", "PM", "O", s);  // on the paid date: not after it
  add(p, "2026-10-06", "AM", "G", s);
  add(p, "2026-10-06", "PM", "C", s);  // authorised: not counted
  add(p, "2026-10-07", "AM", "U", s);
  add(p, "2026-10-08", "AM", "N", s);
  EXPECT_EQ(p.unauthorised_after("2026-10-05"), 3u);
  EXPECT_FALSE(has(over_thresholds(p, s), after_penalty));
  add(p, "2026-10-09", "PM", "O", s);
  EXPECT_EQ(p.unauthorised_after("2026-10-05"), 4u);
  EXPECT_TRUE(has(over_thresholds(p, s), after_penalty));
  EXPECT_EQ(p.unauthorised_after("2026-10-04"), 5u);
  EXPECT_EQ(p.unauthorised_after("2026-10-09"), 0u);

  auto five = s;
  five.after_penalty_sessions = 5;
  EXPECT_FALSE(has(over_thresholds(p, five), after_penalty));
  p.details->penalty_notice_paid_date.clear();  // no notice paid: the rule does not apply
  EXPECT_FALSE(has(over_thresholds(p, s), after_penalty));
}

TEST(thresholds, child_missing_education_needs_a_leaving_date_and_no_destination) {
  const auto s = test::test_settings();
  pupil p;
  EXPECT_TRUE(over_thresholds(p, s).empty());  // nothing known
  for (const char* none : {"", "unknown", "Unknown", "UNKNOWN"}) {
    p.details = details_with("2026-10-09", none, "");
    EXPECT_EQ(over_thresholds(p, s),
              std::vector<Kind>{mab::v1::AttendanceConcern::CHILD_MISSING_EDUCATION})
        << none;
  }
  p.details = details_with("2026-10-09", "100123", "");
  EXPECT_TRUE(over_thresholds(p, s).empty());
  p.details = details_with("2026-10-09", "Riverside Academy", "");
  EXPECT_TRUE(over_thresholds(p, s).empty());
  p.details = details_with("", "", "");  // on roll
  EXPECT_TRUE(over_thresholds(p, s).empty());
}

TEST(source_key, penalty_and_leaving_keys_carry_their_date) {
  pupil p;
  p.details = details_with("2026-10-09", "", "2026-09-20");
  EXPECT_EQ(source_key(upn, p, mab::v1::AttendanceConcern::ABSENCE_AFTER_PENALTY_NOTICE),
            std::string(upn) + "/absence_after_penalty_notice/2026-09-20");
  EXPECT_EQ(source_key(upn, p, mab::v1::AttendanceConcern::CHILD_MISSING_EDUCATION),
            std::string(upn) + "/child_missing_education/2026-10-09");
  EXPECT_EQ(source_key(upn, p, mab::v1::AttendanceConcern::PERSISTENT_ABSENCE),
            std::string(upn) + "/persistent_absence");
}

TEST(concern, carries_subject_details_urn_and_flags) {
  const auto s = test::test_settings();
  pupil p;
  add(p, "2026-09-21", "AM", "O", s);
  add(p, "2026-09-22", "AM", "/", s);
  p.details = details_with("2026-10-09", "unknown", "2026-09-20");
  auto n = concern(upn, "E09000001", p, mab::v1::AttendanceConcern::CHILD_MISSING_EDUCATION, s);
  EXPECT_EQ(n.subject().upn(), upn);
  EXPECT_EQ(n.subject().given_name(), "Ava");
  EXPECT_EQ(n.subject().family_name(), "Kowalska");
  EXPECT_EQ(n.subject().date_of_birth(), "2015-05-17");
  EXPECT_EQ(n.subject().preferred_language(), "pl");
  EXPECT_TRUE(n.subject().interpreter_required());
  EXPECT_EQ(n.subject().area(), "E09000001");
  const auto& a = n.attendance_concern();
  EXPECT_EQ(a.school_urn(), "100000");
  EXPECT_FALSE(a.destination_known());
  EXPECT_TRUE(a.penalty_notice_paid());
  EXPECT_EQ(a.possible_sessions(), 2u);
  EXPECT_EQ(a.period_start(), "2026-09-21");
  EXPECT_EQ(a.period_end(), "2026-09-22");
  EXPECT_EQ(a.summary().rfind("child_missing_education: left on 2026-10-09 with no known "
                              "destination; 50% of 2 possible sessions missed", 0),
            0u)
      << a.summary();

  auto pn = concern(upn, "E09000001", p, after_penalty, s);
  EXPECT_EQ(pn.attendance_concern().summary().rfind(
                "absence_after_penalty_notice: 1 unauthorised absences after the penalty notice "
                "paid on 2026-09-20",
                0),
            0u)
      << pn.attendance_concern().summary();

  p.details.reset();  // nothing known from a pupil export: only the UPN
  auto bare = concern(upn, "E09000001", p, mab::v1::AttendanceConcern::PERSISTENT_ABSENCE, s);
  EXPECT_TRUE(bare.subject().given_name().empty());
  EXPECT_FALSE(bare.attendance_concern().penalty_notice_paid());
}

TEST(pupil, json_round_trip_with_details) {
  const auto s = test::test_settings();
  pupil p;
  add(p, "2026-09-21", "AM", "O", s);
  p.details = details_with("2026-10-09", "Riverside, \"North\"", "2026-09-20");
  auto back = pupil::from_json(p.to_json());
  ASSERT_TRUE(back) << back.message();
  ASSERT_TRUE(back->details.has_value());
  EXPECT_EQ(*back->details, *p.details);
  EXPECT_EQ(back->unauthorised_sessions, (std::set<std::string>{"2026-09-21/AM"}));
  EXPECT_EQ(back->to_json(), p.to_json());
}

}  // namespace
}  // namespace mab::school

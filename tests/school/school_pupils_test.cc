// The pupil export: parsing, and what it changes in a run alongside register exports (details
// carried on concerns, children missing education, absence after a penalty notice).
#include <gtest/gtest.h>

#include "adapters/school/rows.h"
#include "adapters/school/rules.h"
#include "tests/school/school_fixture.h"

namespace mab::school {
namespace {

using mab::v1::AttendanceConcern;
constexpr const char* today = "2026-11-18";
constexpr const char* ava = "P207000016049";
constexpr const char* ben = "Y201000016001";
constexpr const char* cal = "M201000016002";

std::string pupils_header() { return std::string(pupil_header) + "\n"; }

// ---- parsing ----

TEST(parse_pupil_row, reads_every_field) {
  auto r = parse_pupil_row("p207000016049,Ava,Kowalska,2015-05-17,pl,yes,2026-10-09,unknown,"
                           "2026-09-20",
                           today);
  ASSERT_TRUE(r) << r.message();
  EXPECT_EQ(r->upn, ava);
  const auto& d = r->details;
  EXPECT_EQ(d.given_name, "Ava");
  EXPECT_EQ(d.family_name, "Kowalska");
  EXPECT_EQ(d.date_of_birth, "2015-05-17");
  EXPECT_EQ(d.preferred_language, "pl");
  EXPECT_TRUE(d.interpreter_required);
  EXPECT_EQ(d.leaving_date, "2026-10-09");
  EXPECT_EQ(d.destination, "unknown");
  EXPECT_FALSE(d.destination_known());
  EXPECT_EQ(d.penalty_notice_paid_date, "2026-09-20");
}

TEST(parse_pupil_row, optional_fields_may_be_empty_and_quoted_fields_hold_commas) {
  auto r = parse_pupil_row(
      "P207000016049,\"Mary-Jane\",\"O'Neill, \"\"MJ\"\"\",,,,2026-10-09,\"St Mary's, Leeds\",",
      today);
  ASSERT_TRUE(r) << r.message();
  EXPECT_EQ(r->details.family_name, "O'Neill, \"MJ\"");
  EXPECT_EQ(r->details.date_of_birth, "");
  EXPECT_FALSE(r->details.interpreter_required);  // empty means no
  EXPECT_EQ(r->details.destination, "St Mary's, Leeds");
  EXPECT_TRUE(r->details.destination_known());
  EXPECT_EQ(r->details.penalty_notice_paid_date, "");
}

TEST(parse_pupil_row, interpreter_required_is_yes_no_or_empty) {
  auto with = [](const std::string& v) {
    return parse_pupil_row("P207000016049,A,B,2015-05-17,pl," + v + ",,,", today);
  };
  EXPECT_TRUE(with("yes")->details.interpreter_required);
  EXPECT_TRUE(with("YES")->details.interpreter_required);
  EXPECT_FALSE(with("no")->details.interpreter_required);
  EXPECT_FALSE(with("")->details.interpreter_required);
  for (const char* bad : {"y", "true", "1", "maybe"}) {
    EXPECT_EQ(with(bad).message(),
              std::string("interpreter_required: must be yes, no or empty, got '") + bad + "'");
  }
}

TEST(parse_pupil_row, rejects_bad_dates_and_identifiers) {
  auto row = [](const std::string& dob, const std::string& leaving, const std::string& paid) {
    return parse_pupil_row("P207000016049,A,B," + dob + ",en,no," + leaving + ",," + paid, today)
        .message();
  };
  EXPECT_EQ(row("2015-02-29", "", ""),
            "date_of_birth: must be a real date YYYY-MM-DD or empty, got '2015-02-29'");
  EXPECT_EQ(row("17/05/2015", "", ""),
            "date_of_birth: must be a real date YYYY-MM-DD or empty, got '17/05/2015'");
  EXPECT_EQ(row("2026-11-19", "", ""),
            "date_of_birth: must not be in the future, got '2026-11-19'");
  EXPECT_TRUE(parse_pupil_row("P207000016049,A,B,2026-11-18,en,no,,,", today));  // born today
  EXPECT_EQ(row("2015-05-17", "2026-13-01", ""),
            "leaving_date: must be a real date YYYY-MM-DD or empty, got '2026-13-01'");
  EXPECT_EQ(row("2015-05-17", "2015-05-16", ""),
            "leaving_date: must not be before date_of_birth, got '2015-05-16'");
  EXPECT_EQ(row("2015-05-17", "", "yesterday"),
            "penalty_notice_paid_date: must be a real date YYYY-MM-DD or empty, got 'yesterday'");
  EXPECT_EQ(parse_pupil_row("A207000016049,A,B,,,,,,", today).message(),
            "upn: must be a valid UPN (13 characters, check letter first), got 'A207000016049'");
  EXPECT_EQ(parse_pupil_row("P207000016049,A,B,,,,,", today).message(),
            std::string("expected 9 columns (") + pupil_header + "), found 8");
  EXPECT_EQ(parse_pupil_row("P207000016049,\"A,B,,,,,,", today).message(),
            "column 2: unterminated quote");
  EXPECT_EQ(parse_pupil_row("P207000016049,\"A\"x,B,,,,,,", today).message(),
            "column 2: text after a closing quote");
}

TEST(kind_of_header, tells_the_exports_apart) {
  EXPECT_EQ(kind_of_header("upn,date,session,code"), export_kind::registers);
  EXPECT_EQ(kind_of_header("\xef\xbb\xbfUPN,Date,Session,Code\r"), export_kind::registers);
  EXPECT_EQ(kind_of_header(pupil_header), export_kind::pupils);
  EXPECT_EQ(kind_of_header("\"upn\",\"given_name\",\"family_name\",\"date_of_birth\","
                           "\"preferred_language\",\"interpreter_required\",\"leaving_date\","
                           "\"destination\",\"penalty_notice_paid_date\""),
            export_kind::pupils);
  EXPECT_EQ(kind_of_header("upn,given_name,family_name"), export_kind::unknown);
  EXPECT_EQ(kind_of_header("upn,date,session,code,extra"), export_kind::unknown);
}

// ---- runs ----

using pupils_run = test::school_fixture;

std::string register_days(const std::string& upn, int first_day, int days, const char* code) {
  std::string csv;
  for (int d = first_day; d < first_day + days; ++d) {
    const std::string date = "2026-10-" + std::string(d < 10 ? "0" : "") + std::to_string(d);
    csv += upn + "," + date + ",AM," + code + "\n" + upn + "," + date + ",PM," + code + "\n";
  }
  return csv;
}

TEST_F(pupils_run, leaver_without_destination_is_reported_once_per_leaving_date) {
  const std::string pupils = pupils_header() +
                             std::string(ava) + ",Ava,Kowalska,2015-05-17,pl,yes,2026-10-09,,\n" +
                             ben + ",Ben,Smith,2014-01-02,en,no,2026-10-09,unknown,\n" +
                             cal + ",Cal,Jones,2014-03-04,,,2026-10-09,100123,\n";
  ASSERT_TRUE(run("pupils.csv", pupils));
  EXPECT_EQ(keys(), (std::vector<std::string>{
                        std::string(ava) + "/child_missing_education/2026-10-09",
                        std::string(ben) + "/child_missing_education/2026-10-09"}));
  const auto& n = sent.at(0).second;
  EXPECT_EQ(n.attendance_concern().kind(), AttendanceConcern::CHILD_MISSING_EDUCATION);
  EXPECT_FALSE(n.attendance_concern().destination_known());
  EXPECT_EQ(n.attendance_concern().school_urn(), "100000");
  EXPECT_EQ(n.subject().preferred_language(), "pl");
  EXPECT_TRUE(n.subject().interpreter_required());
  EXPECT_EQ(n.attendance_concern().summary(),
            "child_missing_education: left on 2026-10-09 with no known destination; no register "
            "sessions recorded");
  EXPECT_EQ(sum.rows_read, 3u);
  EXPECT_EQ(sum.sent, 2u);

  // The same export again (a restart): nothing new, every row unchanged.
  sent.clear();
  sum = {};
  ASSERT_TRUE(run("pupils.csv", pupils));
  EXPECT_TRUE(sent.empty());
  EXPECT_EQ(sum.skipped, 3u);

  // Ava came back and left again later, still with nowhere known: a new event.
  ASSERT_TRUE(run("pupils-2.csv", pupils_header() + ava +
                                      ",Ava,Kowalska,2015-05-17,pl,yes,2026-11-06,unknown,\n"));
  EXPECT_EQ(keys(), std::vector<std::string>{std::string(ava) +
                                             "/child_missing_education/2026-11-06"});
  EXPECT_EQ(stored(ava).details->leaving_date, "2026-11-06");
}

TEST_F(pupils_run, concerns_from_the_register_carry_the_stored_details) {
  ASSERT_TRUE(run("pupils.csv", pupils_header() + ava + ",Ava,Kowalska,2015-05-17,pl,yes,,,\n"));
  EXPECT_TRUE(sent.empty());  // on roll, no notice: nothing to say yet
  ASSERT_TRUE(run("register.csv", std::string(header) + "\n" + register_days(ava, 1, 10, "N") +
                                       register_days(ava, 11, 5, "/")));
  ASSERT_FALSE(sent.empty());
  for (const auto& [key, n] : sent) {
    EXPECT_EQ(n.subject().given_name(), "Ava") << key;
    EXPECT_EQ(n.subject().family_name(), "Kowalska") << key;
    EXPECT_EQ(n.subject().date_of_birth(), "2015-05-17") << key;
    EXPECT_EQ(n.subject().preferred_language(), "pl") << key;
    EXPECT_TRUE(n.subject().interpreter_required()) << key;
  }
}

TEST_F(pupils_run, absence_after_penalty_notice_whichever_export_comes_first) {
  // Two unauthorised absences after the notice in the first register, two more in the next.
  const std::string reg1 = std::string(header) + "\n" + register_days(ava, 1, 5, "/") +
                           register_days(ava, 6, 1, "G") + register_days(ava, 7, 4, "/");
  const std::string reg2 = std::string(header) + "\n" + register_days(ava, 12, 1, "U") +
                           register_days(ava, 13, 4, "/");
  const std::string pupils =
      pupils_header() + ava + ",Ava,Kowalska,2015-05-17,pl,no,,,2026-10-05\n";
  rules.persistent_percent = 50;  // keep the other rules out of the way
  rules.severe_percent = 60;

  ASSERT_TRUE(run({{"reg1.csv", reg1}, {"pupils.csv", pupils}}));
  EXPECT_TRUE(sent.empty());  // 2 after the notice
  ASSERT_TRUE(run("reg2.csv", reg2));
  ASSERT_EQ(keys(), std::vector<std::string>{std::string(ava) +
                                             "/absence_after_penalty_notice/2026-10-05"});
  const auto& a = sent.at(0).second.attendance_concern();
  EXPECT_EQ(a.kind(), AttendanceConcern::ABSENCE_AFTER_PENALTY_NOTICE);
  EXPECT_TRUE(a.penalty_notice_paid());
  EXPECT_EQ(a.unauthorised_absences(), 4u);

  // A pupil export that arrives after the register counts the absences already recorded.
  sent.clear();
  ASSERT_TRUE(run("pupils-2.csv",
                  pupils_header() + ava + ",Ava,Kowalska,2015-05-17,pl,no,,,2026-10-04\n"));
  EXPECT_EQ(keys(), std::vector<std::string>{std::string(ava) +
                                             "/absence_after_penalty_notice/2026-10-04"});
  sent.clear();
  ASSERT_TRUE(run("pupils-3.csv",
                  pupils_header() + ava + ",Ava,Kowalska,2015-05-17,pl,no,,,2026-10-06\n"));
  EXPECT_TRUE(sent.empty()) << "the two absences on the paid date itself do not count";
}

TEST_F(pupils_run, malformed_and_duplicate_pupil_rows_are_rejected_with_their_line) {
  const std::string pupils = pupils_header() +
                             ava + ",Ava,Kowalska,2015-05-17,pl,perhaps,,,\n" +  // line 2
                             ben + ",Ben,Smith,2014-02-30,en,no,,,\n" +          // line 3
                             "\n" +                                              // line 4
                             cal + ",Cal,Jones,2014-03-04,,,2026-10-09,,\n" +    // line 5
                             cal + ",Cal,Jones,2014-03-04,,,,,\n" +              // line 6
                             "not,a,pupil\n";                                    // line 7
  ASSERT_TRUE(run("pupils.csv", pupils));
  EXPECT_EQ(sum.rows_read, 5u);
  EXPECT_EQ(sum.rejected, 4u);
  EXPECT_EQ(keys(), std::vector<std::string>{std::string(cal) +
                                             "/child_missing_education/2026-10-09"});
  EXPECT_EQ(rejects(),
            "pupils.csv:2: interpreter_required: must be yes, no or empty, got 'perhaps'\n"
            "pupils.csv:3: date_of_birth: must be a real date YYYY-MM-DD or empty, got "
            "'2014-02-30'\n"
            "pupils.csv:6: upn: " + std::string(cal) + " already on line 5\n"
            "pupils.csv:7: expected 9 columns (" + pupil_header + "), found 3\n");
}

TEST_F(pupils_run, dry_run_keeps_earlier_files_in_memory_and_offers_each_key_once) {
  persist = false;
  const std::string pupils =
      pupils_header() + ava + ",Ava,Kowalska,2015-05-17,pl,yes,,,\n";
  const std::string reg = std::string(header) + "\n" + register_days(ava, 1, 10, "O") +
                          register_days(ava, 11, 5, "O");
  ASSERT_TRUE(run({{"pupils.csv", pupils}, {"reg.csv", reg}}));
  // Over persistent, severe and the run from row 20 on, each printed once, with the details
  // the earlier (unsaved) pupil file gave.
  EXPECT_EQ(keys(), (std::vector<std::string>{std::string(ava) + "/unexplained_absence_run",
                                              std::string(ava) + "/persistent_absence",
                                              std::string(ava) + "/severe_absence"}));
  for (const auto& [key, n] : sent) EXPECT_EQ(n.subject().given_name(), "Ava") << key;
  auto st = kit::state::open(dir / "s.db");
  ASSERT_TRUE(st);
  EXPECT_FALSE((*st)->entity(std::string("pupil/") + ava)->has_value());
}

TEST_F(pupils_run, pupil_exports_are_processed_first) {
  kit::test::write(dir / "a-register.csv", std::string(header) + "\n" +
                                               register_days(ava, 1, 10, "N"));
  kit::test::write(dir / "b-pupils.csv",
                   pupils_header() + ava + ",Ava,Kowalska,2015-05-17,pl,yes,,,\n");
  auto st = kit::state::open(dir / "s.db");
  auto rj = kit::rejects::open(dir / "r.txt");
  ASSERT_TRUE(st && rj);
  std::vector<mab::v1::Notification> out;
  processor proc(rules, test::area, **st, **rj, sum,
                 [&](const std::string&, mab::v1::Notification n, const std::string&,
                     std::uint64_t) -> result<kit::outcome> {
                   out.push_back(std::move(n));
                   return kit::outcome::sent;
                 },
                 true, clock);
  const auto order = pupil_exports_first({dir / "a-register.csv", dir / "b-pupils.csv"});
  ASSERT_EQ(order, (std::vector<std::string>{dir / "b-pupils.csv", dir / "a-register.csv"}));
  for (const auto& f : order) ASSERT_TRUE(proc.process_file(f));
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.front().subject().given_name(), "Ava");
  EXPECT_EQ(sum.rows_read, 21u);
}

}  // namespace
}  // namespace mab::school

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "daemon/calendar/calendar.h"

namespace mab::calendar {
namespace {

TEST(ParseDuration, AcceptsTheDocumentedForms) {
  const std::vector<std::pair<std::string, duration>> cases = {
      {"30s", {duration::seconds, 30}},
      {"30 seconds", {duration::seconds, 30}},
      {"1 second", {duration::seconds, 1}},
      {"72h", {duration::hours, 72}},
      {"72 hours", {duration::hours, 72}},
      {"1 hour", {duration::hours, 1}},
      {"1 day", {duration::days, 1}},
      {"3 days", {duration::days, 3}},
      {"1 working day", {duration::working_days, 1}},
      {"15 working days", {duration::working_days, 15}},
      {"15 school days", {duration::school_days, 15}},
      {"1 school day", {duration::school_days, 1}},
  };
  for (const auto& [text, want] : cases) {
    const auto r = parse_duration(text);
    ASSERT_TRUE(r.ok()) << text << ": " << r.message();
    EXPECT_EQ(*r, want) << text;
  }
}

TEST(ParseDuration, CaseSpacingAndNumberAreFlexible) {
  EXPECT_EQ(*parse_duration("72H"), (duration{duration::hours, 72}));
  EXPECT_EQ(*parse_duration("72 h"), (duration{duration::hours, 72}));
  EXPECT_EQ(*parse_duration("  15  Working\tDAYS "), (duration{duration::working_days, 15}));
  EXPECT_EQ(*parse_duration("3days"), (duration{duration::days, 3}));
  EXPECT_EQ(*parse_duration("1 days"), (duration{duration::days, 1}));  // plural of one is fine
  EXPECT_EQ(*parse_duration("007s"), (duration{duration::seconds, 7}));
}

TEST(ParseDuration, RejectsOtherFormsNamingTheTextAndTheAcceptedForms) {
  for (const std::string text :
       {"", "days", "3", "3 weeks", "-3 days", "0 days", "1.5 hours", "3 working", "3 d",
        "3 school-days", "three days", "99999999999999999999 s", "3 days ago", "+3 days"}) {
    const auto r = parse_duration(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.err().code, bad_duration);
    EXPECT_NE(r.message().find("\"" + text + "\""), std::string::npos) << r.message();
    EXPECT_NE(r.message().find("\"15 working days\""), std::string::npos) << r.message();
    EXPECT_NE(r.message().find("\"30s\""), std::string::npos) << r.message();
  }
}

TEST(ParseDuration, ErrorsSayWhatIsWrong) {
  EXPECT_NE(parse_duration("3 weeks").message().find("\"weeks\" is not a unit"),
            std::string::npos);
  EXPECT_NE(parse_duration("0 days").message().find("at least 1"), std::string::npos);
  EXPECT_NE(parse_duration("1.5 hours").message().find("whole"), std::string::npos);
  EXPECT_NE(parse_duration("3").message().find("unit is missing"), std::string::npos);
  EXPECT_NE(parse_duration("99999999999999999999 s").message().find("too large"),
            std::string::npos);
}

TEST(ToString, LongFormRoundTrips) {
  const std::vector<std::pair<duration, std::string>> cases = {
      {{duration::seconds, 1}, "1 second"},
      {{duration::seconds, 30}, "30 seconds"},
      {{duration::hours, 72}, "72 hours"},
      {{duration::days, 1}, "1 day"},
      {{duration::working_days, 1}, "1 working day"},
      {{duration::working_days, 15}, "15 working days"},
      {{duration::school_days, 15}, "15 school days"},
  };
  for (const auto& [d, want] : cases) {
    EXPECT_EQ(to_string(d), want);
    EXPECT_EQ(*parse_duration(want), d) << want;
  }
}

TEST(ParseDate, AcceptsRealDates) {
  using namespace std::chrono;
  EXPECT_EQ(*parse_date("2026-12-25"), (year_month_day{2026y, December, 25d}));
  EXPECT_EQ(*parse_date("2028-02-29"), (year_month_day{2028y, February, 29d}));
}

TEST(ParseDate, RejectsOtherShapesAndUnrealDates) {
  for (const std::string text : {"", "2026-02-29", "2026-13-01", "2026-00-10", "2026-04-31",
                                 "2026-2-3", "26-12-25", "2026/12/25", " 2026-12-25",
                                 "2026-12-25 ", "2026-12-2x", "+026-12-25"}) {
    const auto r = parse_date(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.err().code, bad_date);
    EXPECT_NE(r.message().find("\"" + text + "\""), std::string::npos) << r.message();
    EXPECT_NE(r.message().find("YYYY-MM-DD"), std::string::npos) << r.message();
  }
}

}  // namespace
}  // namespace mab::calendar

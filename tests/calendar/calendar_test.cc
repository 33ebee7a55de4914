#include "daemon/calendar/calendar.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <utility>

namespace mab::calendar {
namespace {

using namespace std::chrono_literals;
using std::chrono::sys_days;
using std::chrono::year_month_day;

year_month_day ymd(int y, unsigned m, unsigned d) {
  return year_month_day{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

// Midnight UTC at the start of that date, plus an offset.
time_point at(int y, unsigned m, unsigned d, std::chrono::nanoseconds offset = 0ns) {
  return time_point{sys_days{ymd(y, m, d)}} + offset;
}

calendar make_calendar(const settings& s = {}) {
  auto r = calendar::make(s);
  EXPECT_TRUE(r.ok()) << r.message();
  return std::move(r).value();
}

constexpr duration working(std::int64_t n) { return {duration::working_days, n}; }
constexpr duration school(std::int64_t n) { return {duration::school_days, n}; }

// A London-style school year: six terms, with half-terms and holidays as the gaps.
settings with_terms() {
  settings s;
  s.school_terms["E09000033"] = {
      {ymd(2027, 1, 5), ymd(2027, 2, 12)},   // given out of order on purpose
      {ymd(2026, 9, 3), ymd(2026, 10, 23)},  {ymd(2026, 11, 2), ymd(2026, 12, 18)},
      {ymd(2027, 2, 22), ymd(2027, 3, 25)},  {ymd(2027, 4, 12), ymd(2027, 5, 28)},
  };
  return s;
}

TEST(BankHolidays, EveryShipped2026HolidayIsRecognised) {
  const calendar cal = make_calendar();
  for (const auto& d : {ymd(2026, 1, 1), ymd(2026, 4, 3), ymd(2026, 4, 6), ymd(2026, 5, 4),
                        ymd(2026, 5, 25), ymd(2026, 8, 31), ymd(2026, 12, 25),
                        ymd(2026, 12, 28)}) {
    EXPECT_TRUE(cal.is_bank_holiday(d)) << static_cast<unsigned>(d.month()) << "/"
                                        << static_cast<unsigned>(d.day());
    EXPECT_FALSE(cal.is_working_day(d));
  }
}

TEST(BankHolidays, EveryShippedHolidayIsAWeekday) {
  // Substitute days are listed, so none should land on a weekend.
  const calendar cal = make_calendar();
  int found = 0;
  const sys_days last{ymd(2027, 12, 31)};
  for (sys_days d{ymd(2025, 1, 1)}; d <= last; d += std::chrono::days{1}) {
    if (!cal.is_bank_holiday(year_month_day{d})) continue;
    ++found;
    const std::chrono::weekday w{d};
    EXPECT_NE(w, std::chrono::Saturday);
    EXPECT_NE(w, std::chrono::Sunday);
  }
  EXPECT_EQ(found, 24);
}

TEST(BankHolidays, OrdinaryDaysAndTheWeekendBoxingDayAreNot) {
  const calendar cal = make_calendar();
  EXPECT_FALSE(cal.is_bank_holiday(ymd(2026, 12, 26)));  // Saturday; Monday 28th substitutes
  EXPECT_FALSE(cal.is_bank_holiday(ymd(2026, 4, 5)));    // Easter Sunday
  EXPECT_FALSE(cal.is_bank_holiday(ymd(2026, 6, 10)));
  EXPECT_TRUE(cal.is_working_day(ymd(2026, 6, 10)));     // Wednesday
}

TEST(WorkingDays, WeekendsAreNotWorkingDays) {
  const calendar cal = make_calendar();
  EXPECT_FALSE(cal.is_working_day(ymd(2026, 1, 10)));  // Saturday
  EXPECT_FALSE(cal.is_working_day(ymd(2026, 1, 11)));  // Sunday
  EXPECT_TRUE(cal.is_working_day(ymd(2026, 1, 12)));   // Monday
}

TEST(WorkingDays, FridayPlusOneIsTheEndOfMonday) {
  const calendar cal = make_calendar();
  const auto due = at(2026, 1, 13);  // Tuesday 00:00 UTC = the end of Monday 12 January
  EXPECT_EQ(*cal.add(at(2026, 1, 9), working(1), ""), due);
  EXPECT_EQ(*cal.add(at(2026, 1, 9, 23h + 59min), working(1), ""), due);  // time of day ignored
  EXPECT_EQ(*cal.add(at(2026, 1, 10, 12h), working(1), ""), due);         // from a Saturday
}

TEST(WorkingDays, MondayBankHolidayPushesToTuesday) {
  const calendar cal = make_calendar();
  EXPECT_EQ(*cal.add(at(2026, 5, 22), working(1), ""), at(2026, 5, 27));  // 25 May
}

TEST(WorkingDays, FifteenSkipsThreeWeekends) {
  const calendar cal = make_calendar();
  // Monday 2 Feb 2026: 15 working days end on Monday 23 Feb.
  EXPECT_EQ(*cal.add(at(2026, 2, 2), working(15), ""), at(2026, 2, 24));
}

TEST(WorkingDays, Christmas2026WithMondaySubstitute) {
  const calendar cal = make_calendar();
  // Thursday 24 Dec: Fri 25 and Mon 28 are holidays, so one working day ends on Tue 29.
  EXPECT_EQ(*cal.add(at(2026, 12, 24), working(1), ""), at(2026, 12, 30));
  // Wednesday 23 Dec + 3: Thu 24, Tue 29, Wed 30.
  EXPECT_EQ(*cal.add(at(2026, 12, 23), working(3), ""), at(2026, 12, 31));
  // Wednesday 30 Dec + 2: Thu 31, then Fri 1 Jan 2027 is a holiday, so Mon 4 Jan.
  EXPECT_EQ(*cal.add(at(2026, 12, 30), working(2), ""), at(2027, 1, 5));
}

TEST(WorkingDays, Easter2027) {
  const calendar cal = make_calendar();
  // Thursday 25 Mar 2027: Good Friday 26th and Easter Monday 29th skipped.
  EXPECT_EQ(*cal.add(at(2027, 3, 25), working(1), ""), at(2027, 3, 31));
  EXPECT_EQ(*cal.add(at(2027, 3, 24), working(2), ""), at(2027, 3, 31));
}

TEST(WorkingDays, ExtraConfiguredHoliday) {
  settings s;
  s.extra_bank_holidays = {ymd(2026, 6, 15)};
  const calendar cal = make_calendar(s);
  EXPECT_TRUE(cal.is_bank_holiday(ymd(2026, 6, 15)));
  EXPECT_EQ(*cal.add(at(2026, 6, 12), working(1), ""), at(2026, 6, 17));
  EXPECT_EQ(*make_calendar().add(at(2026, 6, 12), working(1), ""), at(2026, 6, 16));
}

TEST(WorkingDays, YearWithoutHolidayDataIsAnError) {
  const calendar cal = make_calendar();
  EXPECT_FALSE(cal.has_holiday_data(std::chrono::year{2028}));
  const auto r = cal.add(at(2027, 12, 29), working(3), "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().code, no_holiday_data);
  EXPECT_NE(r.message().find("2028-01-01"), std::string::npos) << r.message();
}

TEST(WorkingDays, ConfiguringAYearsHolidaysCoversIt) {
  settings s;
  s.extra_bank_holidays = {ymd(2028, 1, 3)};
  const calendar cal = make_calendar(s);
  EXPECT_TRUE(cal.has_holiday_data(std::chrono::year{2028}));
  // Wed 29 Dec 2027 + 3: Thu 30, Fri 31, (Mon 3 Jan holiday), Tue 4 Jan.
  EXPECT_EQ(*cal.add(at(2027, 12, 29), working(3), ""), at(2028, 1, 5));
}

TEST(WorkingDays, ZeroDaysIsAnError) {
  const auto r = make_calendar().add(at(2026, 1, 9), working(0), "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().code, out_of_range);
}

TEST(SchoolDays, TermsAndHalfTermGaps) {
  const calendar cal = make_calendar(with_terms());
  const std::string area = "E09000033";
  EXPECT_TRUE(cal.is_school_day(ymd(2026, 9, 3), area));     // first day, inclusive
  EXPECT_TRUE(cal.is_school_day(ymd(2026, 10, 23), area));   // last day, inclusive
  EXPECT_FALSE(cal.is_school_day(ymd(2026, 9, 2), area));    // before term
  EXPECT_FALSE(cal.is_school_day(ymd(2026, 9, 5), area));    // Saturday in term
  EXPECT_FALSE(cal.is_school_day(ymd(2026, 10, 26), area));  // half-term
  EXPECT_TRUE(cal.is_school_day(ymd(2026, 11, 2), area));
  EXPECT_FALSE(cal.is_school_day(ymd(2027, 5, 3), area));    // bank holiday in term
  EXPECT_FALSE(cal.is_school_day(ymd(2026, 9, 3), "E09000001"));
}

TEST(SchoolDays, CountAcrossHalfTerm) {
  const calendar cal = make_calendar(with_terms());
  // Thu 22 Oct + 3: Fri 23, (half-term), Mon 2 Nov, Tue 3 Nov.
  EXPECT_EQ(*cal.add(at(2026, 10, 22), school(3), "E09000033"), at(2026, 11, 4));
}

TEST(SchoolDays, CountAcrossTheChristmasBreak) {
  const calendar cal = make_calendar(with_terms());
  // Thu 17 Dec + 2: Fri 18 Dec, then Tue 5 Jan 2027 when term restarts.
  EXPECT_EQ(*cal.add(at(2026, 12, 17), school(2), "E09000033"), at(2027, 1, 6));
  // Started in the holidays, the count waits for term.
  EXPECT_EQ(*cal.add(at(2026, 12, 24), school(1), "E09000033"), at(2027, 1, 6));
}

TEST(SchoolDays, BankHolidayInTermIsSkipped) {
  const calendar cal = make_calendar(with_terms());
  EXPECT_EQ(*cal.add(at(2027, 4, 30), school(1), "E09000033"), at(2027, 5, 5));
}

TEST(SchoolDays, AreaWithoutTermsIsAnErrorNamingIt) {
  settings s = with_terms();
  s.school_terms["E09000002"] = {};
  const calendar cal = make_calendar(s);
  for (const std::string area : {"E09000001", "E09000002"}) {
    const auto r = cal.add(at(2026, 10, 22), school(3), area);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err().code, unknown_area);
    EXPECT_NE(r.message().find(area), std::string::npos) << r.message();
  }
}

TEST(SchoolDays, RunningPastTheLastTermIsAnError) {
  const calendar cal = make_calendar(with_terms());
  const auto r = cal.add(at(2027, 5, 27), school(3), "E09000033");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().code, no_term_data);
  EXPECT_NE(r.message().find("2027-05-28"), std::string::npos) << r.message();
}

TEST(Settings, EveryProblemIsReported) {
  settings s;
  s.extra_bank_holidays = {ymd(2026, 2, 30)};
  s.school_terms["E09000033"] = {{ymd(2026, 9, 3), ymd(2026, 10, 23)},
                                 {ymd(2026, 12, 18), ymd(2026, 11, 2)}};
  const auto r = calendar::make(s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().code, bad_settings);
  EXPECT_NE(r.message().find("2026-02-30"), std::string::npos) << r.message();
  EXPECT_NE(r.message().find("term 2 of area \"E09000033\" ends 2026-11-02"), std::string::npos)
      << r.message();
}

TEST(FixedUnits, SecondsHoursAndDaysAreExact) {
  const calendar cal = make_calendar();
  // 29 Mar 2026 is the clocks-change Sunday: irrelevant, since this is UTC arithmetic.
  const time_point start = at(2026, 3, 29, 30min + 123ms);
  EXPECT_EQ(*cal.add(start, {duration::seconds, 30}, ""), start + 30s);
  EXPECT_EQ(*cal.add(start, {duration::hours, 72}, ""), start + 259200s);
  EXPECT_EQ(*cal.add(start, {duration::days, 3}, ""), start + 72h);
  EXPECT_EQ(*cal.add(start, {duration::seconds, 0}, ""), start);
}

TEST(FixedUnits, OverflowAndNegativeAreErrors) {
  const calendar cal = make_calendar();
  const auto big = std::numeric_limits<std::int64_t>::max();
  for (const duration d : {duration{duration::seconds, big}, duration{duration::hours, big / 10},
                           duration{duration::days, -1}, duration{duration::working_days, -1}}) {
    const auto r = cal.add(at(2026, 1, 1), d, "");
    ASSERT_FALSE(r.ok()) << to_string(d);
    EXPECT_EQ(r.err().code, out_of_range);
  }
}

TEST(WarnAt, FractionOfTheWay) {
  const time_point start = at(2026, 1, 9, 9h);
  const time_point due = start + 72h;
  EXPECT_EQ(warn_at(start, due, 0.75), start + 54h);
  EXPECT_EQ(warn_at(start, due, 0.5), start + 36h);
  EXPECT_EQ(warn_at(start, due, 0.0), start);
  EXPECT_EQ(warn_at(start, due, 1.0), due);
}

TEST(WarnAt, OutOfRangeFractionsAreClampedAndNanWarnsAtOnce) {
  const time_point start = at(2026, 1, 9);
  const time_point due = at(2026, 1, 13);
  EXPECT_EQ(warn_at(start, due, 1.5), due);
  EXPECT_EQ(warn_at(start, due, -0.5), start);
  EXPECT_EQ(warn_at(start, due, std::nan("")), start);
}

}  // namespace
}  // namespace mab::calendar

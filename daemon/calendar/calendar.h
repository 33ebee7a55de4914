// Deadlines in policy: "72 hours", "15 working days", "15 school days". Pure: the bank holidays
// of England and Wales for 2025-2027 are compiled in, everything else (extra holidays, school
// terms, the start time) is passed in by the caller, so every deadline is reproducible.
//
// All dates are UTC dates. A statutory deadline read as "the end of the day" is taken to be the
// start of the next UTC day, which during British Summer Time is 01:00 local: the hour of slack
// is deliberate, because naming a day that ends an hour *early* could make a compliant agency
// look late, and GCC 12 has no time zone database to do better.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/common/clock.h"
#include "daemon/common/result.h"

namespace mab::calendar {

// error::code values from this module.
enum error_code : int {
  bad_duration = 1,     // parse_duration: text not one of the accepted forms, zero, or too large
  bad_date = 2,         // parse_date: not YYYY-MM-DD or not a real date
  bad_settings = 3,     // calendar::make: an invalid date or a term that ends before it starts
  unknown_area = 4,     // add: school days asked for an area with no terms configured
  no_term_data = 5,     // add: the count of school days runs past the area's last term
  no_holiday_data = 6,  // add: the count of working days reaches a year with no holiday list
  out_of_range = 7,     // add: a negative count, or a deadline beyond what time_point can hold
};

struct duration {
  enum unit { seconds, hours, days, working_days, school_days } u;
  std::int64_t n;
  friend bool operator==(const duration&, const duration&) = default;
};

// Accepts a whole number >= 1 then a unit, any case, with or without a space between them:
// "30s", "30 seconds", "72h", "72 hours", "1 day", "3 days", "1 working day",
// "15 working days", "15 school days" (singular and plural interchangeable). Anything else is
// an error naming the text and listing these forms.
result<duration> parse_duration(std::string_view text);

// The long form, which parse_duration accepts: "1 second", "72 hours", "15 working days".
std::string to_string(const duration& d);

// Strictly YYYY-MM-DD (four-digit year) and a real calendar date.
result<std::chrono::year_month_day> parse_date(std::string_view text);

// An inclusive range of dates in which schools in an area are open.
struct term {
  std::chrono::year_month_day first;
  std::chrono::year_month_day last;
};

struct settings {
  // Added to the shipped list. Listing any holiday in a year also declares that year's list
  // complete (see calendar::has_holiday_data), so configure a new year's holidays all at once.
  std::vector<std::chrono::year_month_day> extra_bank_holidays;
  // Area code -> its terms. Half-terms and holidays are the gaps between terms, so a school
  // year is usually six terms. Terms may be given in any order.
  std::map<std::string, std::vector<term>, std::less<>> school_terms;
};

class calendar {
 public:
  // Checks every date is real and every term ends on or after its first day; the error lists
  // every problem found, by area and position.
  static result<calendar> make(const settings& s);

  bool is_bank_holiday(std::chrono::year_month_day d) const;
  // Monday to Friday and not a bank holiday.
  bool is_working_day(std::chrono::year_month_day d) const;
  // A working day inside one of the area's terms. False for an area with no terms.
  bool is_school_day(std::chrono::year_month_day d, std::string_view area) const;
  // True for 2025-2027 and for every year in which settings listed an extra bank holiday.
  bool has_holiday_data(std::chrono::year y) const;

  // The deadline for `d` counted from `start`:
  //  - seconds, hours, days: start + n * 1 s / 3600 s / 86400 s exactly (days are 24 hours).
  //  - working days: the start's own day never counts; walk forward to the nth working day
  //    after it, and the deadline is the end of that day (00:00 UTC the day after). A referral
  //    at any time on Friday with 1 working day is due at the end of Monday, or of Tuesday
  //    when that Monday is a bank holiday.
  //  - school days: the same, counting the school days of `area` (ignored for other units).
  // Errors rather than guesses: school days for an area with no terms (unknown_area), a count
  // that runs past the area's last configured term (no_term_data) or into a year whose bank
  // holidays are not known (no_holiday_data), a negative n or a zero day count or a result too
  // large for time_point (out_of_range).
  result<time_point> add(time_point start, const duration& d, const std::string& area) const;

 private:
  calendar() = default;  // only make() builds one, so the shipped holidays are always present

  struct day_range {
    std::chrono::sys_days first;
    std::chrono::sys_days last;
  };

  std::set<std::chrono::sys_days> holidays_;
  std::set<int> covered_years_;
  std::map<std::string, std::vector<day_range>, std::less<>> terms_;

  result<time_point> add_counted(time_point start, const duration& d,
                                 std::string_view area) const;
};

// The moment `fraction` of the way from start to due, e.g. 0.75 to warn when three quarters
// of the time allowed has gone. fraction is clamped to [0, 1]; NaN counts as 0 (warn at once),
// since an early warning is the safe mistake.
time_point warn_at(time_point start, time_point due, double fraction);

}  // namespace mab::calendar

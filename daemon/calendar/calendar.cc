// The calendar: bank holidays, school terms, and counting days forward to a deadline.
#include "daemon/calendar/calendar.h"

#include <algorithm>
#include <array>
#include <limits>
#include <string>

namespace mab::calendar {
namespace {

using std::chrono::sys_days;
using std::chrono::year_month_day;
using namespace std::chrono_literals;

constexpr int first_shipped_year = 2025;
constexpr int last_shipped_year = 2027;

// England and Wales, from the official GOV.UK list. When a holiday falls at a weekend the
// substitute weekday is listed, not the day itself (e.g. 28 Dec 2026 for Boxing Day).
constexpr std::array<year_month_day, 24> shipped_holidays{{
    {2025y, std::chrono::January, 1d},   {2025y, std::chrono::April, 18d},
    {2025y, std::chrono::April, 21d},    {2025y, std::chrono::May, 5d},
    {2025y, std::chrono::May, 26d},      {2025y, std::chrono::August, 25d},
    {2025y, std::chrono::December, 25d}, {2025y, std::chrono::December, 26d},
    {2026y, std::chrono::January, 1d},   {2026y, std::chrono::April, 3d},
    {2026y, std::chrono::April, 6d},     {2026y, std::chrono::May, 4d},
    {2026y, std::chrono::May, 25d},      {2026y, std::chrono::August, 31d},
    {2026y, std::chrono::December, 25d}, {2026y, std::chrono::December, 28d},
    {2027y, std::chrono::January, 1d},   {2027y, std::chrono::March, 26d},
    {2027y, std::chrono::March, 29d},    {2027y, std::chrono::May, 3d},
    {2027y, std::chrono::May, 31d},      {2027y, std::chrono::August, 30d},
    {2027y, std::chrono::December, 27d}, {2027y, std::chrono::December, 28d},
}};

std::string padded(unsigned v, std::size_t width) {
  std::string s = std::to_string(v);
  if (s.size() < width) s.insert(0, width - s.size(), '0');
  return s;
}

// GCC 12 has no std::format; also prints invalid dates as given, for error messages.
std::string format_date(year_month_day d) {
  const int y = static_cast<int>(d.year());
  const std::string year = y < 0 ? "-" + padded(static_cast<unsigned>(-y), 4)
                                 : padded(static_cast<unsigned>(y), 4);
  return year + "-" + padded(static_cast<unsigned>(d.month()), 2) + "-" +
         padded(static_cast<unsigned>(d.day()), 2);
}

std::string format_date(sys_days d) { return format_date(year_month_day{d}); }

bool is_weekend(sys_days d) {
  const std::chrono::weekday w{d};
  return w == std::chrono::Saturday || w == std::chrono::Sunday;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

void check_terms(const std::string& area, const std::vector<term>& terms,
                 std::vector<std::string>& problems) {
  if (area.empty()) problems.push_back("school terms given for an empty area code");
  for (std::size_t i = 0; i < terms.size(); ++i) {
    const term& t = terms[i];
    const std::string where = "term " + std::to_string(i + 1) + " of area \"" + area + "\"";
    if (!t.first.ok() || !t.last.ok()) {
      problems.push_back(where + " has an invalid date " + format_date(t.first) + " to " +
                         format_date(t.last));
    } else if (sys_days{t.last} < sys_days{t.first}) {
      problems.push_back(where + " ends " + format_date(t.last) + " before it starts " +
                         format_date(t.first));
    }
  }
}

// Exact tick arithmetic: a policy of "N seconds" must not drift through floating point, and a
// huge N must fail rather than wrap.
result<time_point> add_fixed(time_point start, const duration& d) {
  static_assert(std::numeric_limits<time_point::rep>::is_integer);
  const time_point::rep per_unit =
      d.u == duration::seconds ? 1 : d.u == duration::hours ? 3600 : 86400;
  const time_point::rep ticks_per_second =
      std::chrono::duration_cast<time_point::duration>(1s).count();
  time_point::rep secs = 0;
  time_point::rep ticks = 0;
  time_point::rep total = 0;
  if (__builtin_mul_overflow(d.n, per_unit, &secs) ||
      __builtin_mul_overflow(secs, ticks_per_second, &ticks) ||
      __builtin_add_overflow(start.time_since_epoch().count(), ticks, &total)) {
    const sys_days from = floor<std::chrono::days>(start);
    return make_error("deadline " + to_string(d) + " from " + format_date(from) +
                          " is beyond the representable range",
                      out_of_range);
  }
  return time_point{time_point::duration{total}};
}

}  // namespace

result<calendar> calendar::make(const settings& s) {
  std::vector<std::string> problems;
  calendar cal;
  for (int y = first_shipped_year; y <= last_shipped_year; ++y) cal.covered_years_.insert(y);
  for (const auto& d : shipped_holidays) cal.holidays_.insert(sys_days{d});
  for (std::size_t i = 0; i < s.extra_bank_holidays.size(); ++i) {
    const year_month_day d = s.extra_bank_holidays[i];
    if (!d.ok()) {
      problems.push_back("extra bank holiday " + std::to_string(i + 1) + " is not a real date: " +
                         format_date(d));
      continue;
    }
    cal.holidays_.insert(sys_days{d});
    cal.covered_years_.insert(static_cast<int>(d.year()));
  }
  for (const auto& [area, terms] : s.school_terms) {
    check_terms(area, terms, problems);
    if (terms.empty()) continue;  // so the area reads as having no terms, which add reports
    auto& ranges = cal.terms_[area];
    for (const term& t : terms) ranges.push_back({sys_days{t.first}, sys_days{t.last}});
    std::sort(ranges.begin(), ranges.end(),
              [](const day_range& a, const day_range& b) { return a.first < b.first; });
  }
  if (!problems.empty()) return make_error("calendar settings: " + join(problems), bad_settings);
  return cal;
}

bool calendar::is_bank_holiday(year_month_day d) const {
  return holidays_.contains(sys_days{d});
}

bool calendar::is_working_day(year_month_day d) const {
  return !is_weekend(sys_days{d}) && !is_bank_holiday(d);
}

bool calendar::is_school_day(year_month_day d, std::string_view area) const {
  const auto it = terms_.find(area);
  if (it == terms_.end() || !is_working_day(d)) return false;
  const sys_days day{d};
  return std::any_of(it->second.begin(), it->second.end(),
                     [&](const day_range& r) { return r.first <= day && day <= r.last; });
}

bool calendar::has_holiday_data(std::chrono::year y) const {
  return covered_years_.contains(static_cast<int>(y));
}

result<time_point> calendar::add(time_point start, const duration& d,
                                 const std::string& area) const {
  if (d.n < 0) {
    return make_error("deadline " + to_string(d) + " is negative", out_of_range);
  }
  switch (d.u) {
    case duration::seconds:
    case duration::hours:
    case duration::days:
      return add_fixed(start, d);
    case duration::working_days:
    case duration::school_days:
      break;
  }
  return add_counted(start, d, area);
}

// Walks one day at a time: counts are at most a few dozen days, and every step must consult
// weekends, holidays and terms anyway. The coverage checks also bound the walk.
result<time_point> calendar::add_counted(time_point start, const duration& d,
                                         std::string_view area) const {
  const sys_days from = floor<std::chrono::days>(start);
  const std::string what = to_string(d) + " from " + format_date(from);
  if (d.n == 0) return make_error("deadline " + what + " counts no days", out_of_range);
  const bool school = d.u == duration::school_days;
  sys_days last_term_day{};
  if (school) {
    const auto it = terms_.find(area);
    if (it == terms_.end()) {
      return make_error("no school terms configured for area \"" + std::string(area) +
                            "\", so a deadline of " + what + " cannot be set",
                        unknown_area);
    }
    for (const auto& r : it->second) last_term_day = std::max(last_term_day, r.last);
  }
  sys_days day = from;
  for (std::int64_t counted = 0; counted < d.n;) {
    day += std::chrono::days{1};
    const year_month_day ymd{day};
    if (!has_holiday_data(ymd.year())) {
      return make_error("deadline " + what + " runs into " + format_date(day) +
                            " but no bank holidays are known for that year; add that year's "
                            "list to the configuration",
                        no_holiday_data);
    }
    if (school && day > last_term_day) {
      return make_error("deadline " + what + " runs past the last school term configured for "
                            "area \"" + std::string(area) + "\", which ends " +
                            format_date(last_term_day),
                        no_term_data);
    }
    if (school ? is_school_day(ymd, area) : is_working_day(ymd)) ++counted;
  }
  return time_point{day + std::chrono::days{1}};
}

time_point warn_at(time_point start, time_point due, double fraction) {
  if (!(fraction > 0.0)) return start;  // also catches NaN
  if (fraction >= 1.0) return due;
  const std::chrono::duration<double, time_point::period> span = due - start;
  return start + std::chrono::round<time_point::duration>(span * fraction);
}

}  // namespace mab::calendar

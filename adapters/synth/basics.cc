// Dates, identifiers, postcodes and the random source (generate.h, model.h).
#include <charconv>
#include <cstdio>

#include "adapters/synth/model.h"

namespace mab::synth {
namespace {

using namespace std::chrono;

// The UPN check alphabet leaves out I, O and S (daemon/validate/identifiers.cc).
constexpr std::string_view upn_alphabet = "ABCDEFGHJKLMNPQRTUVWXYZ";

bool in_window(unsigned m, unsigned d, unsigned m1, unsigned d1, unsigned m2, unsigned d2) {
  const unsigned x = m * 100 + d, lo = m1 * 100 + d1, hi = m2 * 100 + d2;
  return lo <= hi ? (x >= lo && x <= hi) : (x >= lo || x <= hi);  // a window over New Year
}

bool school_holiday(date day) {
  const year_month_day ymd{day};
  const unsigned m = static_cast<unsigned>(ymd.month()), d = static_cast<unsigned>(ymd.day());
  if (m == 5 && d <= 7 && weekday{day} == Monday) return true;  // early May bank holiday
  return in_window(m, d, 10, 27, 10, 31) || in_window(m, d, 12, 20, 1, 4) ||
         in_window(m, d, 2, 16, 2, 20) || in_window(m, d, 3, 30, 4, 10) ||
         in_window(m, d, 5, 25, 5, 29) || in_window(m, d, 7, 23, 8, 31);
}

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace

result<date> parse_date(std::string_view text) {
  auto number = [&](std::size_t at, std::size_t len, int& out) {
    const char* b = text.data() + at;
    auto [p, ec] = std::from_chars(b, b + len, out);
    return ec == std::errc() && p == b + len;
  };
  int y = 0, m = 0, d = 0;
  const bool shaped = text.size() == 10 && text[4] == '-' && text[7] == '-' && text[0] != '-' &&
                      text[5] != '-' && text[8] != '-' && number(0, 4, y) && number(5, 2, m) &&
                      number(8, 2, d);
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!shaped || y < 1 || !ymd.ok()) {
    return make_error("\"" + std::string(text) + "\" is not a real date in the form YYYY-MM-DD");
  }
  return sys_days{ymd};
}

std::string format_date(date d) {
  const year_month_day ymd{d};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::vector<date> school_days(date from, date to) {
  std::vector<date> out;
  for (date d = from; d <= to; d += days{1}) {
    const weekday wd{d};
    if (wd == Saturday || wd == Sunday || school_holiday(d)) continue;
    out.push_back(d);
  }
  return out;
}

std::string make_upn(unsigned la, unsigned establishment, unsigned year, unsigned serial) {
  char digits[16];
  std::snprintf(digits, sizeof digits, "%03u%04u%02u%03u", la % 1000, establishment % 10000,
                year % 100, serial % 1000);
  // Weights 2..13 over characters 2..13, modulus 23 into the check alphabet.
  unsigned sum = 0;
  for (unsigned pos = 2; pos <= 13; ++pos)
    sum += static_cast<unsigned>(digits[pos - 2] - '0') * pos;
  return std::string(1, upn_alphabet[sum % 23]) + digits;
}

std::string make_nhs_number(std::uint32_t serial) {
  char digits[16];
  std::snprintf(digits, sizeof digits, "999%06u", serial % 1000000);
  int sum = 0;
  for (int i = 0; i < 9; ++i) sum += (digits[i] - '0') * (10 - i);
  int check = 11 - sum % 11;
  if (check == 11) check = 0;
  if (check == 10) return "";
  return std::string(digits) + static_cast<char>('0' + check);
}

std::string normalise_postcode(std::string_view postcode) {
  std::string s;
  for (char c : postcode) {
    if (c == ' ' || c == '\t') continue;
    s += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  if (s.size() >= 5) s.insert(s.size() - 3, " ");
  return s;
}

std::string outward_code(std::string_view normalised) {
  return std::string(normalised.substr(0, normalised.find(' ')));
}

namespace detail {

random_source::random_source(std::uint64_t seed, std::string_view stream)
    : engine_(splitmix64(seed ^ fnv1a(stream))) {}

std::uint64_t random_source::below(std::uint64_t n) {
  // Rejecting the short last block keeps every residue equally likely.
  const std::uint64_t threshold = (0 - n) % n;
  for (;;) {
    const std::uint64_t x = next();
    if (x >= threshold) return x % n;
  }
}

std::int64_t random_source::between(std::int64_t lo, std::int64_t hi) {
  const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
  return lo + static_cast<std::int64_t>(below(span));
}

double random_source::real() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

std::string format_time(seconds_time t) {
  const auto day = floor<days>(t);
  const auto secs = (t - day).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%sT%02lld:%02lld:%02lldZ", format_date(day).c_str(),
                static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60));
  return buf;
}

const address& household::at(date d) const {
  const address* current = &addresses.front().second;
  for (const auto& [from, a] : addresses) {
    if (from <= d) current = &a;
  }
  return *current;
}

std::string_view kind_name(housing_kind k) {
  switch (k) {
    case housing_kind::move:
      return "move";
    case housing_kind::temporary_accommodation:
      return "temporary_accommodation";
    case housing_kind::homeless_application:
      return "homeless_application";
    case housing_kind::new_household_member:
      return "new_household_member";
  }
  return "move";
}

}  // namespace detail
}  // namespace mab::synth

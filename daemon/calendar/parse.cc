// Text forms: durations as policy writes them, and YYYY-MM-DD dates.
#include <array>
#include <cctype>
#include <charconv>
#include <string>
#include <string_view>

#include "daemon/calendar/calendar.h"

namespace mab::calendar {
namespace {

constexpr std::string_view accepted_forms =
    "a whole number of at least 1 and a unit, e.g. \"30s\", \"30 seconds\", \"72h\", "
    "\"72 hours\", \"1 day\", \"3 days\", \"1 working day\", \"15 working days\", "
    "\"15 school days\"";

struct unit_word {
  std::string_view word;  // lower case, single spaces
  duration::unit u;
};

// Singular and plural both listed so matching is a plain comparison.
constexpr std::array<unit_word, 12> unit_words{{
    {"s", duration::seconds},
    {"second", duration::seconds},
    {"seconds", duration::seconds},
    {"h", duration::hours},
    {"hour", duration::hours},
    {"hours", duration::hours},
    {"day", duration::days},
    {"days", duration::days},
    {"working day", duration::working_days},
    {"working days", duration::working_days},
    {"school day", duration::school_days},
    {"school days", duration::school_days},
}};

bool is_space(char c) { return c == ' ' || c == '\t'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Lower case with runs of blanks folded to one space, so "15  Working   Days" matches.
std::string normalise(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (is_space(c)) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

error duration_error(std::string_view text, std::string_view why) {
  return make_error("invalid duration \"" + std::string(text) + "\": " + std::string(why) +
                        "; expected " + std::string(accepted_forms),
                    bad_duration);
}

}  // namespace

result<duration> parse_duration(std::string_view text) {
  const std::string_view s = trim(text);
  std::size_t digits = 0;
  while (digits < s.size() && is_digit(s[digits])) ++digits;
  if (digits == 0) return duration_error(text, "it does not start with a number");

  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + digits, n);
  if (ec != std::errc{} || end != s.data() + digits) {
    return duration_error(text, "the number is too large");
  }
  if (n < 1) return duration_error(text, "the number must be at least 1");
  if (digits < s.size() && (s[digits] == '.' || s[digits] == ',')) {
    return duration_error(text, "the number must be whole");
  }

  const std::string word = normalise(s.substr(digits));
  if (word.empty()) return duration_error(text, "the unit is missing");
  for (const auto& w : unit_words) {
    if (w.word == word) return duration{w.u, n};
  }
  return duration_error(text, "\"" + std::string(trim(s.substr(digits))) +
                                  "\" is not a unit");
}

std::string to_string(const duration& d) {
  std::string_view word = "seconds";
  switch (d.u) {
    case duration::seconds: word = "second"; break;
    case duration::hours: word = "hour"; break;
    case duration::days: word = "day"; break;
    case duration::working_days: word = "working day"; break;
    case duration::school_days: word = "school day"; break;
  }
  std::string out = std::to_string(d.n) + " " + std::string(word);
  if (d.n != 1) out += 's';
  return out;
}

result<std::chrono::year_month_day> parse_date(std::string_view text) {
  const auto fail = [&] {
    return make_error("invalid date \"" + std::string(text) +
                          "\": expected YYYY-MM-DD, a real calendar date",
                      bad_date);
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return fail();
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (!is_digit(text[i])) return fail();
  }
  const auto number = [&](std::size_t at, std::size_t len) {
    int v = 0;
    for (std::size_t i = at; i < at + len; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  const std::chrono::year_month_day d{
      std::chrono::year{number(0, 4)},
      std::chrono::month{static_cast<unsigned>(number(5, 2))},
      std::chrono::day{static_cast<unsigned>(number(8, 2))}};
  if (!d.ok()) return fail();
  return d;
}

}  // namespace mab::calendar

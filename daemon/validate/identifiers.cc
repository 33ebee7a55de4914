// Identifier and date syntax: NHS number, UPN, ISO dates, UUIDs.
#include <array>
#include <cstddef>

#include "daemon/validate/internal.h"

namespace mab::validate {
namespace detail {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
int digit_value(char c) { return c - '0'; }

bool all_digits(std::string_view s) {
  for (char c : s) {
    if (!is_digit(c)) return false;
  }
  return true;
}

bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// The UPN check alphabet leaves out I, O and S, which are too easily read as 1, 0 and 5.
constexpr std::string_view upn_alphabet = "ABCDEFGHJKLMNPQRTUVWXYZ";

// A letter's value in the check alphabet, or -1.
int upn_letter_value(char c) {
  const std::size_t i = upn_alphabet.find(c);
  return i == std::string_view::npos ? -1 : static_cast<int>(i);
}

}  // namespace

std::optional<std::string> nhs_number_problem(std::string_view s) {
  if (s.size() != 10 || !all_digits(s)) return "is not exactly 10 digits";
  int sum = 0;
  for (std::size_t i = 0; i < 9; ++i) sum += digit_value(s[i]) * static_cast<int>(10 - i);
  int check = 11 - sum % 11;
  if (check == 11) check = 0;
  // NHS numbers whose modulus-11 check would be 10 are never issued.
  if (check == 10) {
    return "fails the modulus-11 check digit (no number with these digits is issued)";
  }
  if (check != digit_value(s[9])) return "fails the modulus-11 check digit";
  return std::nullopt;
}

std::optional<std::string> upn_problem(std::string_view s) {
  if (s.size() != 13) return "is not 13 characters";
  if (upn_letter_value(s[0]) < 0) return "does not start with a check letter (A-Z without I, O, S)";
  if (!all_digits(s.substr(1, 11))) return "does not have digits in characters 2 to 12";
  const char last = s[12];
  if (!is_digit(last) && upn_letter_value(last) < 0) {
    return "does not end in a digit or (temporary UPN) a letter A-Z without I, O, S";
  }
  int sum = 0;
  for (std::size_t pos = 2; pos <= 13; ++pos) {
    const char c = s[pos - 1];
    const int value = is_digit(c) ? digit_value(c) : upn_letter_value(c);
    sum += value * static_cast<int>(pos);
  }
  if (upn_alphabet[static_cast<std::size_t>(sum % 23)] != s[0]) {
    return "fails the modulus-23 check letter";
  }
  return std::nullopt;
}

std::optional<std::chrono::year_month_day> parse_iso_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  const std::string_view y = s.substr(0, 4), m = s.substr(5, 2), d = s.substr(8, 2);
  if (!all_digits(y) || !all_digits(m) || !all_digits(d)) return std::nullopt;
  auto number = [](std::string_view digits) {
    int v = 0;
    for (char c : digits) v = v * 10 + digit_value(c);
    return v;
  };
  // Year 0000 does not exist in the Gregorian calendar ISO 8601 uses by default.
  if (number(y) == 0) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{number(y)},
                                         std::chrono::month{static_cast<unsigned>(number(m))},
                                         std::chrono::day{static_cast<unsigned>(number(d))}};
  if (!date.ok()) return std::nullopt;
  return date;
}

bool valid_uuid(std::string_view s) {
  static constexpr std::array<std::size_t, 4> dashes{8, 13, 18, 23};
  if (s.size() != 36) return false;
  bool all_zero = true;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash_here = i == dashes[0] || i == dashes[1] || i == dashes[2] || i == dashes[3];
    if (dash_here != (s[i] == '-')) return false;
    if (dash_here) continue;
    if (!is_hex(s[i])) return false;
    all_zero = all_zero && s[i] == '0';
  }
  // The nil UUID is what an unset generator produces; it cannot be unique forever.
  return !all_zero;
}

std::optional<rejection> check_date_field(std::string_view value, const std::string& field) {
  if (value.empty() || parse_iso_date(value)) return std::nullopt;
  return reject(mab::v1::INVALID_FIELD, field,
                field + " " + quoted(value) + " is not a real date in the form YYYY-MM-DD");
}

}  // namespace detail

bool valid_nhs_number(std::string_view s) { return !detail::nhs_number_problem(s); }
bool valid_upn(std::string_view s) { return !detail::upn_problem(s); }
bool valid_iso_date(std::string_view s) { return detail::parse_iso_date(s).has_value(); }

}  // namespace mab::validate

// Normalisation: the same identifier or fact as typed by different agencies gives one string.
#include <algorithm>
#include <cstdint>
#include <iterator>

#include "daemon/subjects/subjects.h"

namespace mab::subjects {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
char ascii_upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::uint32_t byte(char c) { return static_cast<unsigned char>(c); }

// Lower case of a code point in Latin-1 or Latin Extended-A (all two bytes in UTF-8). The
// Turkish dotted/dotless I pair is left alone: its lower case depends on the language.
std::uint32_t fold_code_point(std::uint32_t cp) {
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 0x20;
  if (cp == 0x130 || cp == 0x131) return cp;
  const bool even = cp % 2 == 0;
  if (cp >= 0x100 && cp <= 0x137) return even ? cp + 1 : cp;
  if (cp >= 0x139 && cp <= 0x148) return even ? cp : cp + 1;
  if (cp >= 0x14A && cp <= 0x177) return even ? cp + 1 : cp;
  if (cp == 0x178) return 0xFF;
  if (cp >= 0x179 && cp <= 0x17E) return even ? cp : cp + 1;
  return cp;
}

// A well-formed two-byte UTF-8 sequence at s[i]: its code point, else 0.
std::uint32_t two_byte_code_point(std::string_view s, std::size_t i) {
  if (i + 1 >= s.size()) return 0;
  const std::uint32_t lead = byte(s[i]);
  const std::uint32_t next = byte(s[i + 1]);
  if (lead < 0xC2 || lead > 0xDF || (next & 0xC0) != 0x80) return 0;
  return ((lead & 0x1F) << 6) | (next & 0x3F);
}

void append_two_byte(std::string& out, std::uint32_t cp) {
  out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
  out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
}

}  // namespace

std::string normalize_nhs_number(std::string_view s) {
  std::string out;
  std::copy_if(s.begin(), s.end(), std::back_inserter(out),
               [](char c) { return c >= '0' && c <= '9'; });
  return out;
}

std::string normalize_upn(std::string_view s) {
  std::string out(trim(s));
  std::transform(out.begin(), out.end(), out.begin(), ascii_upper);
  return out;
}

std::string normalize_local_system(std::string_view s) {
  std::string out(trim(s));
  std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
  return out;
}

std::string normalize_local_value(std::string_view s) { return std::string(trim(s)); }

std::string normalize_text(std::string_view s) {
  constexpr std::uint32_t no_break_space = 0xA0;  // common in text pasted from spreadsheets
  std::string out;
  bool pending_space = false;
  for (std::size_t i = 0; i < s.size();) {
    const std::uint32_t cp = two_byte_code_point(s, i);
    if (is_space(s[i]) || cp == no_break_space) {
      pending_space = !out.empty();
      i += cp == 0 ? 1 : 2;
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    if (cp != 0) {
      append_two_byte(out, fold_code_point(cp));
      i += 2;
    } else {
      out.push_back(ascii_lower(s[i]));  // other bytes, multi-byte or not, pass through
      ++i;
    }
  }
  return out;
}

}  // namespace mab::subjects

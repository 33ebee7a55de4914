// CSV splitting and the postcode table (see rules.h).
#include <algorithm>
#include <cctype>
#include <fstream>

#include "adapters/housing/rules.h"

namespace mab::housing {
namespace {

bool blank(char c) { return c == ' ' || c == '\t'; }
bool letter(char c) { return c >= 'A' && c <= 'Z'; }
bool digit(char c) { return c >= '0' && c <= '9'; }

// [A-Z]{1,2}[0-9][A-Z0-9]?: "M1", "B33", "CR2", "SW1A", "EC1A".
bool outward_shape(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && i < 2 && letter(s[i])) ++i;
  if (i == 0 || i == s.size() || !digit(s[i])) return false;
  ++i;
  if (i < s.size() && (letter(s[i]) || digit(s[i]))) ++i;
  return i == s.size();
}

bool inward_shape(std::string_view s) {
  return s.size() == 3 && digit(s[0]) && letter(s[1]) && letter(s[2]);
}

// Upper case without any blanks; nullopt when anything but letters, digits and blanks is there.
std::optional<std::string> compact(std::string_view text) {
  std::string s;
  for (char c : text) {
    if (blank(c)) continue;
    if (!std::isalnum(static_cast<unsigned char>(c))) return std::nullopt;
    s.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return s;
}

bool ons_code(std::string_view s) {
  if (s.size() != 9 || std::string_view("EWSN").find(s[0]) == std::string_view::npos) return false;
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (!digit(s[i])) return false;
  }
  return true;
}

// Only the first few problems of a table are worth reading; the count says how bad the rest is.
constexpr std::size_t max_reported = 20;

}  // namespace

std::string loose_header(std::string_view line) {
  if (line.starts_with("\xef\xbb\xbf")) line.remove_prefix(3);  // a byte-order mark
  std::string h;
  for (char c : line) {
    if (blank(c) || c == '"' || c == '\r') continue;
    h.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return h;
}

result<std::vector<std::string>> split_csv(std::string_view line) {
  std::vector<std::string> fields;
  std::size_t i = 0;
  const std::size_t n = line.size();
  for (;;) {
    const std::string column = "column " + std::to_string(fields.size() + 1) + ": ";
    std::string field;
    while (i < n && blank(line[i])) ++i;
    if (i < n && line[i] == '"') {
      bool closed = false;
      for (++i; i < n; ++i) {
        if (line[i] != '"') {
          field.push_back(line[i]);
        } else if (i + 1 < n && line[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          closed = true;
          ++i;
          break;
        }
      }
      if (!closed) return make_error(column + "unterminated quoted field");
      while (i < n && blank(line[i])) ++i;
      if (i < n && line[i] != ',') return make_error(column + "text after the closing quote");
    } else {
      const std::size_t end = std::min(line.find(',', i), n);
      std::string_view raw = line.substr(i, end - i);
      if (raw.find('"') != std::string_view::npos) {
        return make_error(column +
                          "a quote inside an unquoted field (quote the whole field "
                          "and double the quote)");
      }
      while (!raw.empty() && blank(raw.back())) raw.remove_suffix(1);
      field = raw;
      i = end;
    }
    fields.push_back(std::move(field));
    if (i >= n) return fields;
    ++i;  // the comma
  }
}

std::optional<std::string> normalise_postcode(std::string_view text) {
  auto s = compact(text);
  if (!s || s->size() < 5 || s->size() > 7) return std::nullopt;
  const std::string_view v(*s);
  const auto outward = v.substr(0, v.size() - 3);
  const auto inward = v.substr(v.size() - 3);
  if (!outward_shape(outward) || !inward_shape(inward)) return std::nullopt;
  return std::string(outward) + " " + std::string(inward);
}

std::optional<std::string> normalise_outward(std::string_view text) {
  auto s = compact(text);
  if (!s || !outward_shape(*s)) return std::nullopt;
  return s;
}

result<postcode_table> postcode_table::parse(std::istream& in, const std::string& name) {
  postcode_table t;
  std::vector<std::string> errors;
  std::map<std::string, std::uint64_t> first_line;
  auto fail = [&](std::uint64_t line, const std::string& what) {
    errors.push_back(name + ":" + std::to_string(line) + ": " + what);
  };
  std::string line;
  std::uint64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (number == 1) {
      if (loose_header(line) != "postcode,la_code") {
        return make_error(name + ":1: expected the header 'postcode,la_code'");
      }
      continue;
    }
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    auto fields = split_csv(line);
    if (!fields) {
      fail(number, fields.message());
      continue;
    }
    if (fields->size() != 2) {
      fail(number,
           "expected 2 columns (postcode,la_code), found " + std::to_string(fields->size()));
      continue;
    }
    const std::string& code = (*fields)[0];
    const std::string& la = (*fields)[1];
    std::map<std::string, std::string>* into = &t.full_;
    auto key = normalise_postcode(code);
    if (!key) {
      into = &t.outward_;
      key = normalise_outward(code);
    }
    if (!key) {
      fail(number, "postcode: '" + code + "' is neither a full postcode nor an outward code");
      continue;
    }
    if (!ons_code(la)) {
      fail(number, "la_code: '" + la + "' is not an ONS local authority code such as E09000001");
      continue;
    }
    if (auto [it, fresh] = first_line.emplace(*key, number); !fresh) {
      fail(number, "postcode: '" + *key + "' is listed twice (first at line " +
                       std::to_string(it->second) + ")");
      continue;
    }
    into->emplace(*key, la);
  }
  if (in.bad()) return make_error(name + ": read error");
  if (number == 0) {
    return make_error(name + ": empty file (expected the header 'postcode,la_code')");
  }
  if (errors.empty() && t.size() == 0) return make_error(name + ": no postcodes in the table");
  if (errors.empty()) return t;
  std::string text;
  for (std::size_t i = 0; i < errors.size() && i < max_reported; ++i) {
    text += (i == 0 ? "" : "\n") + errors[i];
  }
  if (errors.size() > max_reported) {
    text += "\n" + name + ": " + std::to_string(errors.size() - max_reported) + " more bad rows";
  }
  return make_error(text);
}

result<postcode_table> postcode_table::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(path + ": cannot read the postcode table");
  return parse(in, path);
}

std::optional<std::string> postcode_table::area_of(const std::string& postcode) const {
  if (auto it = full_.find(postcode); it != full_.end()) return it->second;
  const auto space = postcode.find(' ');
  if (space == std::string::npos) return std::nullopt;
  if (auto it = outward_.find(postcode.substr(0, space)); it != outward_.end()) return it->second;
  return std::nullopt;
}

}  // namespace mab::housing

// Parsing the school's two exports (see rules.h): register rows and pupil rows. Each error names
// the field and the rule, because it is what a school's IT reads in the reject file.
#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

#include "adapters/school/rows.h"
#include "adapters/school/rules.h"
#include "daemon/validate/validate.h"

namespace mab::school {
namespace {

std::string trim_spaces(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::string upper(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

std::string got(const std::string& v) { return ", got '" + v + "'"; }

// An UPN upper-cased in place, or the reason it is not one.
std::optional<std::string> check_upn(std::string& upn) {
  upn = upper(upn);
  if (validate::valid_upn(upn)) return std::nullopt;
  return "upn: must be a valid UPN (13 characters, check letter first)" + got(upn);
}

std::optional<std::string> check_date(const std::string& field, const std::string& v,
                                      bool required) {
  if (v.empty() && !required) return std::nullopt;
  if (validate::valid_iso_date(v)) return std::nullopt;
  return field + ": must be a real date YYYY-MM-DD" + (required ? "" : " or empty") + got(v);
}

}  // namespace

result<std::vector<std::string>> split_csv(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  bool in_quotes = false;
  bool was_quoted = false;  // the current field was a quoted one; only spaces may follow
  auto finish = [&] {
    fields.push_back(was_quoted ? field : trim_spaces(field));
    field.clear();
    was_quoted = false;
  };
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_quotes) {
      if (c != '"') {
        field += c;
      } else if (i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else {
        in_quotes = false;
      }
    } else if (c == ',') {
      finish();
    } else if (c == '"' && !was_quoted && trim_spaces(field).empty()) {
      in_quotes = was_quoted = true;
      field.clear();
    } else if (was_quoted && c != ' ' && c != '\t') {
      return make_error("column " + std::to_string(fields.size() + 1) +
                        ": text after a closing quote");
    } else if (!was_quoted) {
      field += c;
    }
  }
  if (in_quotes) {
    return make_error("column " + std::to_string(fields.size() + 1) + ": unterminated quote");
  }
  finish();
  return fields;
}

export_kind kind_of_header(std::string line) {
  if (line.starts_with("\xef\xbb\xbf")) line.erase(0, 3);  // a byte-order mark
  if (!line.empty() && line.back() == '\r') line.pop_back();
  auto fields = split_csv(line);
  if (!fields) return export_kind::unknown;
  std::string joined;
  for (const auto& f : *fields) joined += (joined.empty() ? "" : ",") + lower(f);
  if (joined == header) return export_kind::registers;
  if (joined == pupil_header) return export_kind::pupils;
  return export_kind::unknown;
}

result<row> parse_row(const std::string& line, const settings& s) {
  auto fields = split_csv(line);
  if (!fields) return fields.err();
  if (fields->size() != 4) {
    return make_error("expected 4 columns (upn,date,session,code), found " +
                      std::to_string(fields->size()));
  }
  const auto& f = *fields;
  row r{f[0], f[1], upper(f[2]), f[3]};
  if (auto bad = check_upn(r.upn)) return make_error(*bad);
  if (auto bad = check_date("date", r.date, true)) return make_error(*bad);
  if (r.session != "AM" && r.session != "PM") {
    return make_error("session: must be AM or PM" + got(r.session));
  }
  if (!s.codes.contains(r.code)) {
    return make_error("code: must be an attendance code in the mapping ([codes])" + got(r.code));
  }
  return r;
}

result<pupil_row> parse_pupil_row(const std::string& line, const std::string& today) {
  auto fields = split_csv(line);
  if (!fields) return fields.err();
  if (fields->size() != 9) {
    return make_error("expected 9 columns (" + std::string(pupil_header) + "), found " +
                      std::to_string(fields->size()));
  }
  const auto& f = *fields;
  pupil_row r;
  r.upn = f[0];
  pupil_details& d = r.details;
  d.given_name = f[1];
  d.family_name = f[2];
  d.date_of_birth = f[3];
  d.preferred_language = f[4];
  d.leaving_date = f[6];
  d.destination = f[7];
  d.penalty_notice_paid_date = f[8];
  if (auto bad = check_upn(r.upn)) return make_error(*bad);
  if (auto bad = check_date("date_of_birth", d.date_of_birth, false)) return make_error(*bad);
  // Text order is date order for YYYY-MM-DD.
  if (!d.date_of_birth.empty() && d.date_of_birth > today) {
    return make_error("date_of_birth: must not be in the future" + got(d.date_of_birth));
  }
  const std::string interpreter = lower(f[5]);
  if (interpreter != "yes" && interpreter != "no" && !interpreter.empty()) {
    return make_error("interpreter_required: must be yes, no or empty" + got(f[5]));
  }
  d.interpreter_required = interpreter == "yes";
  if (auto bad = check_date("leaving_date", d.leaving_date, false)) return make_error(*bad);
  if (!d.leaving_date.empty() && d.leaving_date < d.date_of_birth) {
    return make_error("leaving_date: must not be before date_of_birth" + got(d.leaving_date));
  }
  if (auto bad = check_date("penalty_notice_paid_date", d.penalty_notice_paid_date, false)) {
    return make_error(*bad);
  }
  return r;
}

}  // namespace mab::school

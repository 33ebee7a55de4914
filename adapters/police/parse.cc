// Reading the police adapter's inputs: the [police] config table and one JSON-lines record
// (see rules.h). Every problem in a record is reported, each naming its field and rule, so a
// force's IT fixes a line once.
#include <algorithm>
#include <cctype>
#include <regex>
#include <set>

#include <google/protobuf/util/time_util.h>
#include <nlohmann/json.hpp>

#include "adapters/police/rules.h"
#include "daemon/validate/validate.h"

namespace mab::police {
namespace {

using json = nlohmann::json;
using Episode = mab::v1::MissingEpisode;

const std::vector<std::string>& known_keys() {
  static const std::vector<std::string> keys = {
      "police_reference", "upn",          "nhs_number",  "given_name",     "family_name",
      "date_of_birth",    "area",         "last_seen_at", "reported_at",   "risk",
      "cse_indicators",   "found_at",     "location_found", "interview_held_at", "summary"};
  return keys;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string joined(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

// Reads fields of one object, collecting "field: rule" problems.
class reader {
 public:
  explicit reader(const json& j) : j_(j) {}

  // A trimmed string; null, absent or "" is empty (an error when required).
  std::string text(const char* key, bool required) {
    const auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) {
      if (required) fail(key, "is required");
      return "";
    }
    if (!it->is_string()) {
      fail(key, "must be a string");
      return "";
    }
    std::string v = trim(it->get<std::string>());
    if (v.empty() && required) fail(key, "must not be empty");
    return v;
  }

  std::optional<time_point> time(const char* key, bool required) {
    const std::string v = text(key, required);
    if (v.empty()) return std::nullopt;
    google::protobuf::Timestamp ts;
    if (!google::protobuf::util::TimeUtil::FromString(v, &ts)) {
      fail(key, "must be an RFC 3339 time such as 2026-03-01T22:15:00Z, not '" + v + "'");
      return std::nullopt;
    }
    return time_point(std::chrono::seconds(ts.seconds())) +
           std::chrono::duration_cast<time_point::duration>(std::chrono::nanoseconds(ts.nanos()));
  }

  std::vector<std::string> texts(const char* key) {
    std::vector<std::string> out;
    const auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) return out;
    if (!it->is_array()) {
      fail(key, "must be an array of strings");
      return out;
    }
    for (const auto& e : *it) {
      if (!e.is_string() || trim(e.get<std::string>()).empty()) {
        fail(key, "every entry must be a non-empty string");
        return {};
      }
      out.push_back(trim(e.get<std::string>()));
    }
    return out;
  }

  void fail(const std::string& field, const std::string& rule) {
    problems_.push_back(field + ": " + rule);
  }
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  const json& j_;
  std::vector<std::string> problems_;
};

std::optional<grade> grade_named(const std::string& name) {
  if (name == "no_apparent_risk") return Episode::NO_APPARENT_RISK;
  if (name == "low") return Episode::LOW;
  if (name == "medium") return Episode::MEDIUM;
  if (name == "high") return Episode::HIGH;
  return std::nullopt;
}

std::string unknown_keys(const json& j) {
  std::vector<std::string> unknown;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const auto& known = known_keys();
    if (std::find(known.begin(), known.end(), it.key()) == known.end()) {
      unknown.push_back("'" + it.key() + "'");
    }
  }
  if (unknown.empty()) return "";
  return (unknown.size() == 1 ? "unknown key " : "unknown keys ") + joined(unknown, ", ") +
         " (known: " + joined(known_keys(), ", ") + ")";
}

void read_identifiers(reader& rd, record& r) {
  const std::size_t before = rd.problems().size();
  r.upn = rd.text("upn", false);
  for (auto& ch : r.upn) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  // Forces often print NHS numbers as "943 476 5919"; the contract wants the digits.
  r.nhs_number = rd.text("nhs_number", false);
  std::erase(r.nhs_number, ' ');
  if (r.upn.empty() && r.nhs_number.empty() && rd.problems().size() == before) {
    rd.fail("upn", "upn or nhs_number is required");
  }
  if (!r.upn.empty() && !validate::valid_upn(r.upn)) {
    rd.fail("upn", "must be a valid UPN (check letter first, 13 characters), not '" + r.upn + "'");
  }
  if (!r.nhs_number.empty() && !validate::valid_nhs_number(r.nhs_number)) {
    rd.fail("nhs_number",
            "must be 10 digits with a valid check digit, not '" + r.nhs_number + "'");
  }
}

void read_subject(reader& rd, record& r) {
  r.police_reference = rd.text("police_reference", true);
  read_identifiers(rd, r);
  r.given_name = rd.text("given_name", false);
  r.family_name = rd.text("family_name", false);
  r.date_of_birth = rd.text("date_of_birth", false);
  if (!r.date_of_birth.empty() && !validate::valid_iso_date(r.date_of_birth)) {
    rd.fail("date_of_birth", "must be a date YYYY-MM-DD, not '" + r.date_of_birth + "'");
  }
  static const std::regex area_pattern("[EWSN][0-9]{8}");
  r.area = rd.text("area", false);
  if (!r.area.empty() && !std::regex_match(r.area, area_pattern)) {
    rd.fail("area", "must be an ONS local authority code such as E09000001, not '" + r.area + "'");
  }
}

void read_episode(reader& rd, record& r) {
  r.last_seen_at = rd.time("last_seen_at", false);
  const auto reported = rd.time("reported_at", true);
  const std::string risk = rd.text("risk", true);
  if (const auto g = grade_named(risk)) r.risk = *g;
  else if (!risk.empty()) rd.fail("risk", "must be one of no_apparent_risk, low, medium, high");
  r.cse_indicators = rd.texts("cse_indicators");
  r.found_at = rd.time("found_at", false);
  r.location_found = rd.text("location_found", false);
  r.interview_held_at = rd.time("interview_held_at", false);
  r.summary = rd.text("summary", false);
  if (reported) r.reported_at = *reported;
  if (reported && r.last_seen_at && *r.last_seen_at > *reported) {
    rd.fail("last_seen_at", "must not be after reported_at");
  }
  if (reported && r.found_at && *r.found_at < *reported) {
    rd.fail("found_at", "must not be before reported_at");
  }
  if (r.interview_held_at && !r.found_at) {
    rd.fail("interview_held_at", "needs found_at (a return interview follows a return)");
  } else if (r.interview_held_at && r.found_at && *r.interview_held_at < *r.found_at) {
    rd.fail("interview_held_at", "must not be before found_at");
  }
}

void read_force(const toml::table& t, settings& s, kit::config_errors& errors) {
  static const std::regex force_pattern("[A-Za-z0-9_-]{1,32}");
  const toml::node* node = t.get("force");
  if (node == nullptr) {
    errors.missing("police.force");
  } else if (const auto* v = node->as_string(); v == nullptr || !std::regex_match(v->get(), force_pattern)) {
    errors.at(*node, "police.force", "must be a force code of 1 to 32 letters, digits, '-' or '_'");
  } else {
    s.force = v->get();
  }
}

void read_window(const toml::table& t, settings& s, kit::config_errors& errors) {
  const toml::node* node = t.get("previous_episode_days");
  if (node == nullptr) return;
  const auto v = node->value_exact<std::int64_t>();
  if (!v || *v < 1 || *v > 3660) {
    errors.at(*node, "police.previous_episode_days", "must be a whole number from 1 to 3660");
    return;
  }
  s.previous_window = std::chrono::hours(24 * *v);
}

}  // namespace

result<settings> load_settings(const toml::table& extra, const std::string& file) {
  static const std::set<std::string, std::less<>> known = {"force", "previous_episode_days"};
  settings s;
  kit::config_errors errors(file);
  const auto* t = extra["police"].as_table();
  if (t == nullptr) {
    errors.missing("police.force");
  } else {
    for (const auto& [key, node] : *t) {
      if (!known.contains(key.str())) {
        errors.at(node, "police." + std::string(key.str()), "unknown key");
      }
    }
    read_force(*t, s, errors);
    read_window(*t, s, errors);
  }
  if (!errors.empty()) return make_error(errors.text());
  return s;
}

result<record> parse_line(const std::string& line) {
  json j;
  try {
    j = json::parse(line);
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at ...": the bracket is noise to a reader.
    if (const auto p = what.find("] "); what.starts_with("[json.") && p != std::string::npos) {
      what.erase(0, p + 2);
    }
    return make_error("not valid JSON: " + what);
  }
  if (!j.is_object()) return make_error("expected one JSON object per line");
  if (auto unknown = unknown_keys(j); !unknown.empty()) return make_error(unknown);
  reader rd(j);
  record r;
  read_subject(rd, r);
  read_episode(rd, r);
  if (!rd.problems().empty()) return make_error(joined(rd.problems(), "; "));
  return r;
}

}  // namespace mab::police

// The school attendance rules (see rules.h): configuration, per-pupil state, thresholds and the
// concerns they raise.
#include "adapters/school/rules.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <iterator>
#include <sstream>

#include <nlohmann/json.hpp>

namespace mab::school {
namespace {

using Kind = mab::v1::AttendanceConcern::Kind;
using mab::v1::AttendanceConcern;

const std::map<std::string, category>& category_names() {
  static const std::map<std::string, category> names = {
      {"present", category::present},           {"approved_activity", category::approved_activity},
      {"authorised", category::authorised},     {"unauthorised", category::unauthorised},
      {"not_counted", category::not_counted}};
  return names;
}

void read_codes(const toml::table& t, settings& s, kit::config_errors& errors) {
  for (const auto& [key, node] : t) {
    const std::string field = "codes." + std::string(key.str());
    const auto* v = node.as_string();
    auto it = v == nullptr ? category_names().end() : category_names().find(v->get());
    if (key.str().empty() || key.str().size() > 2) {
      errors.at(node, field, "an attendance code is one or two characters");
    } else if (it == category_names().end()) {
      errors.at(node, field,
                "must be one of present, approved_activity, authorised, unauthorised, "
                "not_counted");
    } else {
      s.codes[std::string(key.str())] = it->second;
    }
  }
}

void read_percent(const toml::table& t, std::string_view key, double& out,
                  kit::config_errors& errors) {
  const toml::node* node = t.get(key);
  if (node == nullptr) return;
  auto v = node->value<double>();
  if (!v || !std::isfinite(*v) || *v <= 0 || *v > 100) {
    errors.at(*node, "thresholds." + std::string(key), "must be a number above 0, at most 100");
    return;
  }
  out = *v;
}

void read_count(const toml::table& t, std::string_view key, std::uint32_t& out,
                kit::config_errors& errors) {
  const toml::node* node = t.get(key);
  if (node == nullptr) return;
  auto v = node->value_exact<std::int64_t>();
  if (!v || *v < 1 || *v > 100000) {
    errors.at(*node, "thresholds." + std::string(key), "must be a whole number from 1 to 100000");
    return;
  }
  out = static_cast<std::uint32_t>(*v);
}

void read_thresholds(const toml::table& t, settings& s, kit::config_errors& errors) {
  static const std::set<std::string, std::less<>> known = {
      "persistent_percent", "severe_percent", "min_sessions", "unexplained_run",
      "after_penalty_sessions"};
  for (const auto& [key, node] : t) {
    if (!known.contains(key.str())) {
      errors.at(node, "thresholds." + std::string(key.str()), "unknown key");
    }
  }
  read_percent(t, "persistent_percent", s.persistent_percent, errors);
  read_percent(t, "severe_percent", s.severe_percent, errors);
  read_count(t, "min_sessions", s.min_sessions, errors);
  read_count(t, "unexplained_run", s.unexplained_run, errors);
  read_count(t, "after_penalty_sessions", s.after_penalty_sessions, errors);
  if (errors.empty() && s.severe_percent < s.persistent_percent) {
    // Either key may be the one left at its default; point at the one that was written.
    const toml::node* at = t.get("severe_percent");
    if (at == nullptr) at = t.get("persistent_percent");
    errors.at(*at, "thresholds.severe_percent", "must not be below persistent_percent");
  }
}

bool six_digits(const std::string& v) {
  return v.size() == 6 &&
         std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void read_school(const toml::table* t, settings& s, kit::config_errors& errors) {
  const toml::node* urn = t == nullptr ? nullptr : t->get("urn");
  if (urn == nullptr) {
    errors.missing("school.urn");
  } else if (const auto* v = urn->as_string(); v == nullptr || !six_digits(v->get())) {
    errors.at(*urn, "school.urn", "must be the school's 6-digit URN as a string, e.g. \"100000\"");
  } else {
    s.school_urn = v->get();
  }
  if (t == nullptr) return;
  for (const auto& [key, node] : *t) {
    if (key.str() != "urn") errors.at(node, "school." + std::string(key.str()), "unknown key");
  }
}

std::string kind_name(Kind k) {
  switch (k) {
    case AttendanceConcern::PERSISTENT_ABSENCE: return "persistent_absence";
    case AttendanceConcern::SEVERE_ABSENCE: return "severe_absence";
    case AttendanceConcern::UNEXPLAINED_ABSENCE_RUN: return "unexplained_absence_run";
    case AttendanceConcern::ABSENCE_AFTER_PENALTY_NOTICE: return "absence_after_penalty_notice";
    case AttendanceConcern::CHILD_MISSING_EDUCATION: return "child_missing_education";
    default: return "kind_" + std::to_string(static_cast<int>(k));
  }
}

bool penalty_paid(const pupil& p) {
  return p.details && !p.details->penalty_notice_paid_date.empty();
}

bool left_without_destination(const pupil& p) {
  return p.details && !p.details->leaving_date.empty() && !p.details->destination_known();
}

void set_subject(mab::v1::Subject& subject, const std::string& upn, const std::string& area,
                 const pupil& p) {
  subject.set_upn(upn);
  subject.set_area(area);
  if (!p.details) return;
  const pupil_details& d = *p.details;
  subject.set_given_name(d.given_name);
  subject.set_family_name(d.family_name);
  subject.set_date_of_birth(d.date_of_birth);
  subject.set_preferred_language(d.preferred_language);
  subject.set_interpreter_required(d.interpreter_required);
}

std::string concern_summary(const pupil& p, Kind kind) {
  std::ostringstream text;
  text << kind_name(kind) << ": ";
  if (kind == AttendanceConcern::CHILD_MISSING_EDUCATION && left_without_destination(p)) {
    text << "left on " << p.details->leaving_date << " with no known destination; ";
  } else if (kind == AttendanceConcern::ABSENCE_AFTER_PENALTY_NOTICE && penalty_paid(p)) {
    text << p.unauthorised_after(p.details->penalty_notice_paid_date)
         << " unauthorised absences after the penalty notice paid on "
         << p.details->penalty_notice_paid_date << "; ";
  }
  if (p.possible == 0) {
    text << "no register sessions recorded";
  } else {
    text << p.absence_rate_percent() << "% of " << p.possible << " possible sessions missed, "
         << p.run << " consecutive unexplained";
  }
  return text.str();
}

}  // namespace

settings default_settings() {
  settings s;
  for (const char* c : {"/", "\\", "L"}) s.codes[c] = category::present;
  for (const char* c : {"B", "D", "J", "K", "P", "V"}) s.codes[c] = category::approved_activity;
  for (const char* c : {"C", "E", "H", "I", "M", "R", "S", "T"}) s.codes[c] = category::authorised;
  for (const char* c : {"G", "N", "O", "U"}) s.codes[c] = category::unauthorised;
  for (const char* c : {"X", "Y", "Z", "#"}) s.codes[c] = category::not_counted;
  return s;
}

result<settings> load_settings(const toml::table& extra, const std::string& file) {
  settings s = default_settings();
  kit::config_errors errors(file);
  read_school(extra["school"].as_table(), s, errors);
  if (const auto* codes = extra["codes"].as_table()) read_codes(*codes, s, errors);
  if (const auto* t = extra["thresholds"].as_table()) read_thresholds(*t, s, errors);
  if (!errors.empty()) return make_error(errors.text());
  return s;
}

bool pupil_details::destination_known() const {
  std::string d = destination;
  std::transform(d.begin(), d.end(), d.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return !d.empty() && d != "unknown";
}

std::string pupil::to_json() const {
  nlohmann::json j = {{"possible", possible},
                      {"attended", attended},
                      {"authorised", authorised},
                      {"unauthorised", unauthorised},
                      {"run", run},
                      {"absence_codes", absence_codes},
                      {"first_date", first_date},
                      {"last_date", last_date},
                      {"sessions", sessions},
                      {"unauthorised_sessions", unauthorised_sessions}};
  if (details) {
    j["details"] = {{"given_name", details->given_name},
                    {"family_name", details->family_name},
                    {"date_of_birth", details->date_of_birth},
                    {"preferred_language", details->preferred_language},
                    {"interpreter_required", details->interpreter_required},
                    {"leaving_date", details->leaving_date},
                    {"destination", details->destination},
                    {"penalty_notice_paid_date", details->penalty_notice_paid_date}};
  }
  return j.dump();
}

result<pupil> pupil::from_json(const std::string& text) {
  try {
    const auto j = nlohmann::json::parse(text);
    pupil p;
    p.possible = j.at("possible").get<std::uint32_t>();
    p.attended = j.at("attended").get<std::uint32_t>();
    p.authorised = j.at("authorised").get<std::uint32_t>();
    p.unauthorised = j.at("unauthorised").get<std::uint32_t>();
    p.run = j.at("run").get<std::uint32_t>();
    p.absence_codes = j.at("absence_codes").get<std::set<std::string>>();
    p.first_date = j.at("first_date").get<std::string>();
    p.last_date = j.at("last_date").get<std::string>();
    p.sessions = j.at("sessions").get<std::set<std::string>>();
    p.unauthorised_sessions = j.at("unauthorised_sessions").get<std::set<std::string>>();
    if (j.contains("details")) {
      const auto& d = j.at("details");
      p.details = pupil_details{d.at("given_name").get<std::string>(),
                                d.at("family_name").get<std::string>(),
                                d.at("date_of_birth").get<std::string>(),
                                d.at("preferred_language").get<std::string>(),
                                d.at("interpreter_required").get<bool>(),
                                d.at("leaving_date").get<std::string>(),
                                d.at("destination").get<std::string>(),
                                d.at("penalty_notice_paid_date").get<std::string>()};
    }
    return p;
  } catch (const nlohmann::json::exception& e) {
    return make_error(std::string("corrupt pupil state: ") + e.what());
  }
}

double pupil::absence_rate_percent() const {
  if (possible == 0) return 0;
  const double rate = 100.0 * (authorised + unauthorised) / possible;
  return std::round(rate * 10) / 10;
}

std::uint32_t pupil::unauthorised_after(const std::string& date) const {
  // Keys are "YYYY-MM-DD/AM|PM", so every key of a later date sorts after date + "/~".
  const auto from = unauthorised_sessions.upper_bound(date + "/~");
  return static_cast<std::uint32_t>(std::distance(from, unauthorised_sessions.end()));
}

void apply(pupil& p, const row& r, category c, const settings& s) {
  const std::string session = r.date + "/" + r.session;
  p.sessions.insert(session);
  if (p.first_date.empty() || r.date < p.first_date) p.first_date = r.date;
  if (r.date > p.last_date) p.last_date = r.date;
  if (c == category::not_counted) return;  // neither counted nor breaking a run
  ++p.possible;
  switch (c) {
    case category::present:
    case category::approved_activity:
      ++p.attended;
      break;
    case category::authorised:
      ++p.authorised;
      p.absence_codes.insert(r.code);
      break;
    case category::unauthorised:
      ++p.unauthorised;
      p.absence_codes.insert(r.code);
      p.unauthorised_sessions.insert(session);
      break;
    case category::not_counted:
      break;
  }
  p.run = s.unexplained.contains(r.code) ? p.run + 1 : 0;
}

std::vector<Kind> over_thresholds(const pupil& p, const settings& s) {
  std::vector<Kind> kinds;
  if (p.possible >= s.min_sessions && p.possible > 0) {
    // absences / possible >= percent / 100, without rounding the rate first.
    const double absences = 100.0 * (p.authorised + p.unauthorised);
    if (absences >= s.persistent_percent * p.possible) {
      kinds.push_back(AttendanceConcern::PERSISTENT_ABSENCE);
    }
    if (absences >= s.severe_percent * p.possible) {
      kinds.push_back(AttendanceConcern::SEVERE_ABSENCE);
    }
  }
  if (p.run >= s.unexplained_run) kinds.push_back(AttendanceConcern::UNEXPLAINED_ABSENCE_RUN);
  if (penalty_paid(p) &&
      p.unauthorised_after(p.details->penalty_notice_paid_date) >= s.after_penalty_sessions) {
    kinds.push_back(AttendanceConcern::ABSENCE_AFTER_PENALTY_NOTICE);
  }
  if (left_without_destination(p)) kinds.push_back(AttendanceConcern::CHILD_MISSING_EDUCATION);
  return kinds;
}

std::string source_key(const std::string& upn, const pupil& p, Kind kind) {
  std::string key = upn + "/" + kind_name(kind);
  // A new penalty notice, or leaving again after returning, is a new event to report.
  if (kind == AttendanceConcern::ABSENCE_AFTER_PENALTY_NOTICE && penalty_paid(p)) {
    key += "/" + p.details->penalty_notice_paid_date;
  } else if (kind == AttendanceConcern::CHILD_MISSING_EDUCATION && p.details) {
    key += "/" + p.details->leaving_date;
  }
  return key;
}

mab::v1::Notification concern(const std::string& upn, const std::string& area, const pupil& p,
                              Kind kind, const settings& s) {
  mab::v1::Notification n;
  set_subject(*n.mutable_subject(), upn, area, p);
  auto* a = n.mutable_attendance_concern();
  a->set_kind(kind);
  a->set_school_urn(s.school_urn);
  a->set_period_start(p.first_date);
  a->set_period_end(p.last_date);
  a->set_possible_sessions(p.possible);
  a->set_attended_sessions(p.attended);
  a->set_authorised_absences(p.authorised);
  a->set_unauthorised_absences(p.unauthorised);
  a->set_absence_rate_percent(p.absence_rate_percent());
  a->set_consecutive_unexplained_sessions(p.run);
  for (const auto& c : p.absence_codes) a->add_absence_codes(c);
  a->set_penalty_notice_paid(penalty_paid(p));
  // Only a leaver has a destination to know; for the other kinds the field stays unset.
  if (kind == AttendanceConcern::CHILD_MISSING_EDUCATION) {
    a->set_destination_known(p.details && p.details->destination_known());
  }
  a->set_summary(concern_summary(p, kind));
  return n;
}

}  // namespace mab::school

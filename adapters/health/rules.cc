// The health adapter's configuration and decisions (see rules.h).
#include <algorithm>
#include <cstdio>
#include <sstream>

#include <google/protobuf/util/time_util.h>
#include <nlohmann/json.hpp>

#include "adapters/health/rules.h"

namespace mab::health {
namespace {

using HC = mab::v1::HealthConcern;

void unknown_keys(const toml::table& t, const std::string& table,
                  const std::set<std::string, std::less<>>& known, kit::config_errors& errors) {
  for (const auto& [key, node] : t) {
    if (!known.contains(key.str())) {
      errors.at(node, table + "." + std::string(key.str()), "unknown key");
    }
  }
}

// `s` is min..max characters, each passing `ok`.
bool all_chars(const std::string& s, std::size_t min, std::size_t max, bool (*ok)(char)) {
  return s.size() >= min && s.size() <= max && std::all_of(s.begin(), s.end(), ok);
}

void read_health(const toml::table& t, settings& s, kit::config_errors& errors) {
  unknown_keys(t, "health", {"ods_code"}, errors);
  const toml::node* node = t.get("ods_code");
  if (node == nullptr) {
    errors.missing("health.ods_code");
    return;
  }
  const auto* v = node->as_string();
  if (v == nullptr || !all_chars(v->get(), 3, 10, [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      })) {
    errors.at(*node, "health.ods_code",
              "must be an ODS organisation code: 3 to 10 upper-case letters and digits, e.g. "
              "RQM01");
    return;
  }
  s.ods_code = v->get();
}

void read_count(const toml::table& t, std::string_view key, std::int64_t low, std::int64_t high,
                std::uint32_t& out, kit::config_errors& errors) {
  const toml::node* node = t.get(key);
  if (node == nullptr) return;
  auto v = node->value_exact<std::int64_t>();
  if (!v || *v < low || *v > high) {
    errors.at(*node, "thresholds." + std::string(key),
              "must be a whole number from " + std::to_string(low) + " to " + std::to_string(high));
    return;
  }
  out = static_cast<std::uint32_t>(*v);
}

void read_thresholds(const toml::table& t, settings& s, kit::config_errors& errors) {
  unknown_keys(t, "thresholds",
               {"not_brought_threshold", "not_brought_window_days", "new_birth_days"}, errors);
  read_count(t, "not_brought_threshold", 1, 1000, s.not_brought_threshold, errors);
  read_count(t, "not_brought_window_days", 1, 3660, s.not_brought_window_days, errors);
  read_count(t, "new_birth_days", 0, 366, s.new_birth_days, errors);
}

void read_code_list(const toml::table& t, std::string_view key, std::set<std::string>& out,
                    kit::config_errors& errors) {
  const toml::node* node = t.get(key);
  if (node == nullptr) return;
  const std::string field = "codes." + std::string(key);
  const auto* list = node->as_array();
  std::set<std::string> codes;
  bool good = list != nullptr;
  for (std::size_t i = 0; good && i < list->size(); ++i) {
    const auto* code = list->get(i)->as_string();
    good = code != nullptr &&
           all_chars(code->get(), 6, 18, [](char c) { return c >= '0' && c <= '9'; }) &&
           code->get().front() != '0';
    if (good) codes.insert(code->get());
  }
  if (!good) {
    errors.at(*node, field, "must be a list of SNOMED CT codes (strings of 6 to 18 digits)");
    return;
  }
  out = std::move(codes);
}

void read_codes(const toml::table& t, settings& s, kit::config_errors& errors) {
  unknown_keys(t, "codes", {"self_harm", "injury"}, errors);
  read_code_list(t, "self_harm", s.self_harm_codes, errors);
  read_code_list(t, "injury", s.injury_codes, errors);
}

std::int64_t days_between(seconds_time from, seconds_time to) {
  using std::chrono::days;
  return (std::chrono::floor<days>(to) - std::chrono::floor<days>(from)).count();
}

std::string date_text(days_time d) {
  const std::chrono::year_month_day ymd(d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

google::protobuf::Timestamp timestamp(seconds_time t) {
  return google::protobuf::util::TimeUtil::SecondsToTimestamp(t.time_since_epoch().count());
}

mab::v1::Notification about(const patient& p, const std::string& area, const settings& s,
                            Kind kind) {
  mab::v1::Notification n;
  auto* subject = n.mutable_subject();
  subject->set_nhs_number(p.nhs_number);
  subject->set_given_name(p.given_name);
  subject->set_family_name(p.family_name);
  subject->set_date_of_birth(p.birth_date);
  subject->set_area(area);
  n.mutable_health_concern()->set_kind(kind);
  n.mutable_health_concern()->set_organisation_ods_code(s.ods_code);
  return n;
}

}  // namespace

result<settings> load_settings(const toml::table& extra, const std::string& file) {
  settings s;
  kit::config_errors errors(file);
  if (const auto* h = extra["health"].as_table()) read_health(*h, s, errors);
  else errors.missing("health.ods_code");
  if (const auto* t = extra["thresholds"].as_table()) read_thresholds(*t, s, errors);
  if (const auto* c = extra["codes"].as_table()) read_codes(*c, s, errors);
  if (!errors.empty()) return make_error(errors.text());
  return s;
}

bool is_child(days_time born, days_time on) {
  using namespace std::chrono;
  const year_month_day b(born);
  // 29 February + 18 years is not a date; sys_days of it is 1 March, the legal birthday.
  return on < sys_days(year_month_day(b.year() + years(18), b.month(), b.day()));
}

std::string patient_record::to_json() const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [id, ns] : noshows) {
    list.push_back(
        {{"id", ns.id}, {"service", ns.service}, {"start", ns.start.time_since_epoch().count()}});
  }
  return nlohmann::json{{"household", household}, {"gp", gp_ods}, {"noshows", list}}.dump();
}

result<patient_record> patient_record::from_json(const std::string& text) {
  try {
    const auto j = nlohmann::json::parse(text);
    patient_record r;
    r.seen = true;
    r.household = j.at("household").get<std::string>();
    r.gp_ods = j.at("gp").get<std::string>();
    for (const auto& ns : j.at("noshows")) {
      noshow n{ns.at("id").get<std::string>(), ns.at("service").get<std::string>(),
               seconds_time(std::chrono::seconds(ns.at("start").get<std::int64_t>()))};
      r.noshows[n.id] = n;
    }
    return r;
  } catch (const nlohmann::json::exception& e) {
    return make_error(std::string("corrupt patient state: ") + e.what());
  }
}

not_brought worst_window(const patient_record& r, std::uint32_t window_days) {
  std::vector<noshow> sorted;
  for (const auto& [id, ns] : r.noshows) sorted.push_back(ns);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const noshow& a, const noshow& b) { return a.start < b.start; });
  not_brought best;
  std::size_t best_from = 0, best_to = 0;
  for (std::size_t from = 0, to = 0; to < sorted.size(); ++to) {
    while (days_between(sorted[from].start, sorted[to].start) > window_days) ++from;
    const auto count = static_cast<std::uint32_t>(to - from + 1);
    if (count >= best.count) {
      best.count = count;
      best_from = from;
      best_to = to;
    }
  }
  if (best.count > 0) {
    best.appointments.assign(sorted.begin() + static_cast<std::ptrdiff_t>(best_from),
                             sorted.begin() + static_cast<std::ptrdiff_t>(best_to) + 1);
  }
  return best;
}

std::optional<Kind> emergency_kind(const encounter& e, const settings& s) {
  if (e.status == "cancelled" || e.status == "entered-in-error") return std::nullopt;
  auto any_of = [&](const std::set<std::string>& codes) {
    return std::any_of(e.reasons.begin(), e.reasons.end(),
                       [&](const coding& c) { return codes.contains(c.code); });
  };
  if (any_of(s.self_harm_codes)) return HC::EMERGENCY_SELF_HARM;
  if (any_of(s.injury_codes)) return HC::EMERGENCY_INJURY;
  return std::nullopt;
}

std::string household_key(const patient& p) {
  if (p.postcode.empty() || p.address_line1.empty()) return "";
  std::string line;
  bool space = false;
  for (char c : p.address_line1) {
    if (std::isspace(static_cast<unsigned char>(c)) != 0 || c == ',') {
      space = !line.empty();
      continue;
    }
    if (space) line.push_back(' ');
    space = false;
    line.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return p.postcode + "|" + line;
}

std::optional<Kind> household_signal(const patient& p, const patient_record& before,
                                     seconds_time bundle_time, const settings& s) {
  const bool new_here = !before.seen || before.household != household_key(p);
  const auto age_days = (std::chrono::floor<std::chrono::days>(bundle_time) - p.born).count();
  if (new_here && age_days >= 0 && age_days <= s.new_birth_days) {
    return HC::NEW_BIRTH_IN_HOUSEHOLD;
  }
  if (!p.gp_ods.empty() && (new_here || before.gp_ods != p.gp_ods)) {
    return HC::NEW_GP_REGISTRATION;
  }
  return std::nullopt;
}

std::string not_brought_key(const patient& p, std::uint32_t count) {
  return p.nhs_number + "/not_brought/" + std::to_string(count);
}

std::string encounter_key(const encounter& e) { return "encounter/" + e.id; }

std::string household_signal_key(const patient& p, Kind kind) {
  if (kind == HC::NEW_BIRTH_IN_HOUSEHOLD) return p.nhs_number + "/new_birth";
  return p.nhs_number + "/new_gp_registration/" + p.gp_ods + "@" + household_key(p);
}

mab::v1::Notification not_brought_concern(const patient& p, const std::string& area,
                                          const settings& s, const not_brought& w) {
  auto n = about(p, area, s, HC::NOT_BROUGHT);
  auto* h = n.mutable_health_concern();
  h->set_not_brought_count(w.count);
  h->set_window_days(s.not_brought_window_days);
  std::ostringstream text;
  text << "not brought to " << w.count << " appointments within "
       << s.not_brought_window_days << " days:";
  for (const auto& ns : w.appointments) {
    auto* a = h->add_appointments();
    a->set_appointment_id(ns.id);
    a->set_service(ns.service);
    *a->mutable_scheduled_at() = timestamp(ns.start);
    a->set_status("noshow");
    text << " " << date_text(std::chrono::floor<std::chrono::days>(ns.start))
         << (ns.service.empty() ? "" : " " + ns.service) << ";";
  }
  std::string summary = text.str();
  summary.pop_back();
  h->set_summary(summary);
  return n;
}

mab::v1::Notification emergency_concern(const patient& p, const std::string& area,
                                        const settings& s, const encounter& e, Kind kind) {
  auto n = about(p, area, s, kind);
  auto* h = n.mutable_health_concern();
  if (!e.provider_ods.empty()) h->set_organisation_ods_code(e.provider_ods);
  *h->mutable_encounter_at() = timestamp(e.start);
  const auto& codes = kind == HC::EMERGENCY_SELF_HARM ? s.self_harm_codes : s.injury_codes;
  std::string reasons;
  for (const auto& c : e.reasons) {
    if (!codes.contains(c.code)) continue;
    reasons += (reasons.empty() ? "" : ", ") + (c.display.empty() ? "" : c.display + " ") +
               "(SNOMED CT " + c.code + ")";
  }
  h->set_summary(std::string("emergency attendance ") + e.id + " for " +
                 (kind == HC::EMERGENCY_SELF_HARM ? "self-harm" : "injury") + ": " + reasons);
  return n;
}

mab::v1::Notification household_concern(const patient& p, const std::string& area,
                                        const settings& s, Kind kind) {
  auto n = about(p, area, s, kind);
  n.mutable_health_concern()->set_summary(
      kind == HC::NEW_BIRTH_IN_HOUSEHOLD
          ? "born " + p.birth_date + " into a household where a child is already of concern"
          : "registered with GP practice " + p.gp_ods +
                " in a household where a child is already of concern");
  return n;
}

}  // namespace mab::health

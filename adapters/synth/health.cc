// The health export (model.h): one FHIR R4 Bundle of type collection with the Patients it
// mentions, their Appointments (some not brought: noshow) and emergency Encounters (self-harm,
// injury, and ordinary reasons that are not safeguarding signals).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "adapters/synth/model.h"

namespace mab::synth::detail {
namespace {

using namespace std::chrono;
using json = nlohmann::ordered_json;

constexpr const char* nhs_system = "https://fhir.nhs.uk/Id/nhs-number";
constexpr const char* ods_system = "https://fhir.nhs.uk/Id/ods-organization-code";
constexpr const char* act_code_system = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
constexpr const char* snomed_system = "http://snomed.info/sct";

const std::vector<std::string> services = {"Paediatrics",    "Community dental service",
                                           "Audiology",      "Child and adolescent mental health",
                                           "Ophthalmology",  "Speech and language therapy",
                                           "School nursing", "Immunisations"};

struct reason {
  const char* code;
  const char* display;
};
constexpr reason self_harm{"248062006", "Self-injurious behaviour"};
constexpr reason injury{"417746004", "Traumatic injury"};
const std::vector<reason> ordinary = {
    {"195967001", "Asthma"}, {"10509002", "Acute bronchitis"}, {"21522001", "Abdominal pain"}};

std::string numbered(const char* prefix, std::size_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%06zu", prefix, n);
  return buf;
}

class health_writer {
 public:
  explicit health_writer(const world& w)
      : w_(w), r_(w.opts.seed, "health"), stamp_(at_minute(w.opts.to, 23 * 60)) {}

  json bundle() {
    appointments();
    encounters();
    json entries = json::array();
    for (std::size_t c : seen_children_) entries.push_back(entry(child_patient(c)));
    for (std::size_t b = 0; b < w_.babies.size(); ++b) entries.push_back(entry(baby_patient(b)));
    std::stable_sort(appointments_.begin(), appointments_.end(), by_start);
    std::stable_sort(encounters_.begin(), encounters_.end(), by_start);
    for (std::size_t i = 0; i < appointments_.size(); ++i) {
      appointments_[i].second["id"] = numbered("appt-", i + 1);
      entries.push_back(entry(appointments_[i].second));
    }
    for (std::size_t i = 0; i < encounters_.size(); ++i) {
      encounters_[i].second["id"] = numbered("enc-", i + 1);
      entries.push_back(entry(encounters_[i].second));
    }
    json b;
    b["resourceType"] = "Bundle";
    b["type"] = "collection";
    b["timestamp"] = format_time(stamp_);
    b["entry"] = std::move(entries);
    return b;
  }

 private:
  using dated = std::pair<seconds_time, json>;
  static bool by_start(const dated& a, const dated& b) { return a.first < b.first; }

  static json entry(json resource) {
    json e;
    e["fullUrl"] = "https://fhir.example.invalid/" + resource["resourceType"].get<std::string>() +
                   "/" + resource["id"].get<std::string>();
    e["resource"] = std::move(resource);
    return e;
  }

  json patient(const std::string& id, const std::string& nhs, const std::string& given,
               const std::string& family, date born, std::size_t household,
               const std::string& gp) const {
    const address& a = w_.households[household].at(w_.opts.to);
    json p;
    p["resourceType"] = "Patient";
    p["id"] = id;
    p["identifier"] = json::array({{{"system", nhs_system}, {"value", nhs}}});
    p["name"] = json::array({{{"use", "official"}, {"family", family}, {"given", {given}}}});
    p["birthDate"] = format_date(born);
    p["address"] =
        json::array({{{"line", {a.line1}}, {"city", a.town}, {"postalCode", a.postcode}}});
    if (!gp.empty()) {
      p["generalPractitioner"] =
          json::array({{{"identifier", {{"system", ods_system}, {"value", gp}}}}});
    }
    return p;
  }

  json child_patient(std::size_t i) const {
    const child& c = w_.children[i];
    return patient(numbered("pat-c", i + 1), c.nhs_number, c.given_name, c.family_name,
                   c.date_of_birth, c.household, c.gp);
  }
  json baby_patient(std::size_t i) const {
    const baby& b = w_.babies[i];
    return patient(numbered("pat-b", i + 1), b.nhs_number, b.given_name, b.family_name,
                   b.date_of_birth, b.household, b.gp);
  }

  void appointment(const std::string& patient_id, const std::string& service, date d,
                   double noshow) {
    const seconds_time start = at_minute(d, 510 + 15 * r_.between(0, 32));
    json a;
    a["resourceType"] = "Appointment";
    a["id"] = "";
    a["status"] = start > stamp_      ? "booked"
                  : r_.chance(0.05)   ? "cancelled"
                  : r_.chance(noshow) ? "noshow"
                                      : "fulfilled";
    a["serviceType"] = r_.chance(0.8) ? json::array({{{"text", service}}})
                                      : json::array({{{"coding", {{{"display", service}}}}}});
    a["start"] = format_time(start);
    a["end"] = format_time(start + minutes{30});
    a["participant"] = json::array(
        {{{"actor", {{"reference", "Patient/" + patient_id}}}, {"status", "accepted"}}});
    appointments_.emplace_back(start, std::move(a));
  }

  date weekday_between(date lo, date hi) {
    date d = lo + days{r_.between(0, (hi - lo).count())};
    while (weekday{d} == Saturday || weekday{d} == Sunday) d += days{1};
    return d;
  }

  void appointments() {
    const std::size_t n = w_.children.size();
    std::vector<bool> not_brought(n);
    std::vector<std::size_t> frequent;
    for (std::size_t i = 0; i < n; ++i) {
      not_brought[i] = w_.children[i].vulnerable || r_.chance(0.03);
      if (not_brought[i]) frequent.push_back(i);
    }
    const date last = w_.opts.to + days{14};  // some are still booked when the export is taken
    for (std::size_t k = std::max<std::size_t>(20, n / 4); k > 0; --k) {
      const std::size_t i = !frequent.empty() && r_.chance(0.3) ? r_.pick(frequent) : r_.below(n);
      seen_children_.insert(i);
      // One draw per statement: the order of a call's arguments is unspecified, and the same
      // seed must give the same files whichever compiler built the program.
      const std::string service = r_.pick(services);
      const date d = weekday_between(w_.opts.from, last);
      appointment(numbered("pat-c", i + 1), service, d, not_brought[i] ? 0.5 : 0.05);
    }
    for (std::size_t b = 0; b < w_.babies.size(); ++b) {
      const baby& bb = w_.babies[b];
      const double noshow = w_.households[bb.household].vulnerable ? 0.5 : 0.08;
      const std::string id = numbered("pat-b", b + 1);
      const std::vector<std::pair<int, std::string>> schedule = {
          {10, "Health visiting: new birth visit"},
          {42, "6-8 week baby check"},
          {56, "Immunisations"},
          {84, "Immunisations"},
          {112, "Immunisations"}};
      for (const auto& [age, service] : schedule) {
        const date d = bb.date_of_birth + days{age};
        if (d <= last) appointment(id, service, weekday_between(d, d + days{4}), noshow);
      }
    }
  }

  void encounter(const std::string& patient_id, const reason& why, bool emergency, date earliest) {
    const date lo = std::max(earliest, w_.opts.from), hi = std::max(lo, w_.opts.to);
    const date d = lo + days{r_.between(0, (hi - lo).count())};
    const seconds_time start = at_minute(d, r_.between(0, 1439));
    json e;
    e["resourceType"] = "Encounter";
    e["id"] = "";
    e["status"] = "finished";
    e["class"] = {{"system", act_code_system},
                  {"code", emergency ? "EMER" : "AMB"},
                  {"display", emergency ? "emergency" : "ambulatory"}};
    e["period"] = {{"start", format_time(start)},
                   {"end", format_time(start + hours{r_.between(1, 6)})}};
    e["subject"] = {{"reference", "Patient/" + patient_id}};
    e["reasonCode"] = json::array(
        {{{"coding",
           {{{"system", snomed_system}, {"code", why.code}, {"display", why.display}}}}}});
    if (r_.chance(0.8)) e["serviceProvider"] = {{"identifier", {{"value", "RXZ01"}}}};
    encounters_.emplace_back(start, std::move(e));
  }

  void encounters() {
    const std::size_t n = w_.children.size();
    std::vector<std::size_t> teenagers, vulnerable;
    for (std::size_t i = 0; i < n; ++i) {
      if (w_.children[i].date_of_birth > w_.opts.from - days{4018}) continue;  // under eleven
      teenagers.push_back(i);
      if (w_.children[i].vulnerable) vulnerable.push_back(i);
    }
    if (teenagers.empty()) teenagers.push_back(0);
    auto child_id = [&](std::size_t i) {
      seen_children_.insert(i);
      return numbered("pat-c", i + 1);
    };
    const std::size_t count = std::max<std::size_t>(6, n * 3 / 100);
    for (std::size_t k = 0; k < count; ++k) {
      // The first two are always a self-harm and an injury, so a small run has both.
      const double x = k == 0 ? 0.0 : k == 1 ? 0.5 : r_.real();
      if (x < 0.4) {
        const auto& pool = !vulnerable.empty() && r_.chance(0.5) ? vulnerable : teenagers;
        encounter(child_id(r_.pick(pool)), self_harm, true, w_.opts.from);
      } else if (x < 0.75) {
        if (!w_.babies.empty() && r_.chance(0.15)) {
          const std::size_t b = r_.below(w_.babies.size());
          encounter(numbered("pat-b", b + 1), injury, true, w_.babies[b].date_of_birth);
        } else {
          encounter(child_id(r_.below(n)), injury, true, w_.opts.from);
        }
      } else {
        const std::string id = child_id(r_.below(n));
        const reason& why = r_.pick(ordinary);
        encounter(id, why, r_.chance(0.7), w_.opts.from);
      }
    }
  }

  const world& w_;
  random_source r_;
  seconds_time stamp_;
  std::set<std::size_t> seen_children_;
  std::vector<dated> appointments_, encounters_;
};

}  // namespace

result<std::uint64_t> write_health(const world& w, const std::filesystem::path& file) {
  std::ofstream out(file, std::ios::binary);
  const json b = health_writer(w).bundle();
  out << b.dump(1) << '\n';
  out.flush();
  if (!out) return make_error("could not write " + file.string());
  return static_cast<std::uint64_t>(b["entry"].size());
}

}  // namespace mab::synth::detail

// Reading one FHIR R4 Bundle (see rules.h). Only the elements the rules use are read; every
// problem in an entry is reported at once, each naming its field and rule, so a trust's IT
// fixes an export once.
#include <algorithm>
#include <cctype>
#include <map>

#include <google/protobuf/util/time_util.h>
#include <nlohmann/json.hpp>

#include "adapters/health/rules.h"
#include "daemon/validate/validate.h"

namespace mab::health {
namespace {

using json = nlohmann::json;

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// obj[key] when obj is an object holding a non-null key.
const json* member(const json* obj, const char* key) {
  if (obj == nullptr || !obj->is_object()) return nullptr;
  const auto it = obj->find(key);
  return it == obj->end() || it->is_null() ? nullptr : &*it;
}

// obj[key][0]: FHIR's repeating elements, of which the adapter reads the first.
const json* first(const json* obj, const char* key) {
  const json* a = member(obj, key);
  return a != nullptr && a->is_array() && !a->empty() ? &(*a)[0] : nullptr;
}

std::string text_of(const json* v) {
  return v != nullptr && v->is_string() ? trim(v->get<std::string>()) : "";
}

class problems {
 public:
  void add(const std::string& field, const std::string& rule) {
    text_ += (text_.empty() ? "" : "; ") + field + ": " + rule;
  }
  bool empty() const { return text_.empty(); }
  const std::string& text() const { return text_; }

  // A string element; absent, null or "" is empty (an error when required).
  std::string text(const json& obj, const char* key, bool required) {
    const json* v = member(&obj, key);
    if (v != nullptr && !v->is_string()) {
      add(key, "must be a string");
      return "";
    }
    std::string s = text_of(v);
    if (s.empty() && required) add(key, "is required");
    return s;
  }

  std::optional<seconds_time> time(const std::string& field, const std::string& value) {
    google::protobuf::Timestamp ts;
    if (!google::protobuf::util::TimeUtil::FromString(value, &ts)) {
      add(field, "must be an RFC 3339 time such as 2026-03-01T22:15:00Z, not '" + value + "'");
      return std::nullopt;
    }
    return seconds_time(std::chrono::seconds(ts.seconds()));
  }

 private:
  std::string text_;
};

days_time parse_date(const std::string& d) {  // after validate::valid_iso_date
  using namespace std::chrono;
  return sys_days(year_month_day(year(std::stoi(d.substr(0, 4))),
                                 month(static_cast<unsigned>(std::stoi(d.substr(5, 2)))),
                                 day(static_cast<unsigned>(std::stoi(d.substr(8, 2))))));
}

// Patients by every way an entry may refer to them: "Patient/<id>" and the entry's fullUrl.
using patient_index = std::map<std::string, std::size_t>;

void read_nhs_number(const json& r, patient& p, problems& pr) {
  const json* ids = member(&r, "identifier");
  if (ids != nullptr && ids->is_array()) {
    for (const auto& i : *ids) {
      if (text_of(member(&i, "system")) != nhs_system) continue;
      for (char c : text_of(member(&i, "value"))) {
        if (c != ' ') p.nhs_number.push_back(c);  // "943 476 5919" as printed on letters
      }
      break;
    }
  }
  if (p.nhs_number.empty()) {
    pr.add("identifier", std::string("no NHS number (system ") + nhs_system + ")");
  } else if (!validate::valid_nhs_number(p.nhs_number)) {
    pr.add("identifier", "NHS number '" + p.nhs_number +
                             "' is not 10 digits with a valid modulus 11 check digit");
  }
}

void read_name(const json& r, patient& p) {
  const json* names = member(&r, "name");
  if (names == nullptr || !names->is_array() || names->empty()) return;
  const json* chosen = &(*names)[0];
  for (const auto& n : *names) {
    if (text_of(member(&n, "use")) == "official") chosen = &n;
  }
  p.family_name = text_of(member(chosen, "family"));
  p.given_name = text_of(first(chosen, "given"));
}

void read_birth_date(const json& r, seconds_time timestamp, patient& p, problems& pr) {
  p.birth_date = pr.text(r, "birthDate", true);
  if (p.birth_date.empty()) return;
  if (!validate::valid_iso_date(p.birth_date)) {
    pr.add("birthDate", "must be a date YYYY-MM-DD, not '" + p.birth_date + "'");
    return;
  }
  p.born = parse_date(p.birth_date);
  if (p.born > std::chrono::floor<std::chrono::days>(timestamp)) {
    pr.add("birthDate", "is after the bundle timestamp");
  }
}

void read_gp(const json& r, patient& p) {
  const json* gps = member(&r, "generalPractitioner");
  if (gps == nullptr || !gps->is_array()) return;
  for (const auto& g : *gps) {
    const json* id = member(&g, "identifier");
    if (text_of(member(id, "system")) != ods_system) continue;
    p.gp_ods = text_of(member(id, "value"));
    for (auto& c : p.gp_ods) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!p.gp_ods.empty()) return;
  }
}

patient read_patient(const json& r, seconds_time timestamp, problems& pr) {
  patient p;
  p.id = pr.text(r, "id", true);
  read_nhs_number(r, p, pr);
  read_name(r, p);
  read_birth_date(r, timestamp, p, pr);
  if (const json* a = first(&r, "address")) {
    p.address_line1 = text_of(first(a, "line"));
    p.town = text_of(member(a, "city"));
    p.postcode = normalise_postcode(text_of(member(a, "postalCode")));
  }
  read_gp(r, p);
  return p;
}

// The Patient a reference names; the problem quotes what could not be resolved.
std::optional<std::size_t> resolve(const std::vector<std::string>& refs, const patient_index& idx,
                                   const char* field, problems& pr) {
  for (const auto& ref : refs) {
    if (auto it = idx.find(ref); it != idx.end()) return it->second;
  }
  std::string rule = "no Patient with an NHS number";
  if (!refs.empty()) rule += " ('" + refs.front() + "' is not a valid Patient in this bundle)";
  pr.add(field, rule);
  return std::nullopt;
}

appointment read_appointment(const json& r, const patient_index& idx, problems& pr) {
  appointment a;
  a.id = pr.text(r, "id", true);
  a.status = pr.text(r, "status", true);
  const std::string start = pr.text(r, "start", a.status == "noshow");
  if (!start.empty()) a.start = pr.time("start", start);
  if (const json* st = first(&r, "serviceType")) {
    a.service = text_of(member(st, "text"));
    if (a.service.empty()) a.service = text_of(member(first(st, "coding"), "display"));
  }
  std::vector<std::string> refs;
  if (const json* ps = member(&r, "participant"); ps != nullptr && ps->is_array()) {
    for (const auto& p : *ps) {
      std::string ref = text_of(member(member(&p, "actor"), "reference"));
      if (!ref.empty()) refs.push_back(std::move(ref));
    }
  }
  // Practitioners and locations are participants too: quote the patient-looking one.
  std::stable_partition(refs.begin(), refs.end(),
                        [](const std::string& s) { return s.starts_with("Patient/"); });
  if (auto i = resolve(refs, idx, "participant", pr)) a.patient = *i;
  return a;
}

// R4 has class as one Coding; R5-style exports send a list of CodeableConcepts.
bool emergency_class(const json& r) {
  const json* c = member(&r, "class");
  if (c == nullptr) return false;
  auto is_emer = [](const json& coding) {
    const std::string system = text_of(member(&coding, "system"));
    return text_of(member(&coding, "code")) == "EMER" &&
           (system.empty() || system == act_code_system);
  };
  if (c->is_object()) return is_emer(*c);
  if (!c->is_array()) return false;
  for (const auto& cc : *c) {
    if (is_emer(cc)) return true;
    if (const json* codings = member(&cc, "coding"); codings != nullptr && codings->is_array()) {
      for (const auto& coding : *codings) {
        if (is_emer(coding)) return true;
      }
    }
  }
  return false;
}

encounter read_encounter(const json& r, const patient_index& idx, problems& pr) {
  encounter e;
  e.id = pr.text(r, "id", true);
  e.status = pr.text(r, "status", true);
  const std::string start = text_of(member(member(&r, "period"), "start"));
  if (start.empty()) pr.add("period.start", "is required");
  else if (auto t = pr.time("period.start", start)) e.start = *t;
  std::vector<std::string> refs;
  if (auto ref = text_of(member(member(&r, "subject"), "reference")); !ref.empty()) {
    refs.push_back(ref);
  }
  if (auto i = resolve(refs, idx, "subject", pr)) e.patient = *i;
  if (const json* reasons = member(&r, "reasonCode"); reasons != nullptr && reasons->is_array()) {
    for (const auto& rc : *reasons) {
      const json* codings = member(&rc, "coding");
      if (codings == nullptr || !codings->is_array()) continue;
      for (const auto& c : *codings) {
        if (text_of(member(&c, "system")) != snomed_system) continue;
        e.reasons.push_back({text_of(member(&c, "code")), text_of(member(&c, "display"))});
      }
    }
  }
  e.provider_ods = text_of(member(member(member(&r, "serviceProvider"), "identifier"), "value"));
  return e;
}

std::string label(std::uint64_t entry, const std::string& type, const json* resource) {
  std::string l = "entry " + std::to_string(entry);
  if (type.empty()) return l;
  const std::string id = text_of(member(resource, "id"));
  return l + " (" + type + (id.empty() ? "" : " " + id) + ")";
}

// The file-level checks; an error rejects the whole file.
result<seconds_time> read_envelope(const json& j) {
  if (!j.is_object() || text_of(member(&j, "resourceType")) != "Bundle") {
    return make_error("resourceType: must be \"Bundle\" (one FHIR R4 Bundle per file)");
  }
  if (const json* e = member(&j, "entry"); e != nullptr && !e->is_array()) {
    return make_error("entry: must be an array");
  }
  const std::string ts = text_of(member(&j, "timestamp"));
  if (ts.empty()) return make_error("timestamp: is required (the time of the export)");
  problems pr;
  auto t = pr.time("timestamp", ts);
  if (!t) return make_error(pr.text());
  return *t;
}

// The entries a second pass reads: appointments and emergency encounters.
using deferred = std::vector<std::pair<std::uint64_t, const json*>>;

// Reads the Patients and sorts the other entries into deferred, ignored or problems.
deferred read_patients(const json& entries, bundle& b, patient_index& idx) {
  deferred later;
  for (std::uint64_t n = 1; n <= b.entries; ++n) {
    const json& entry = entries[n - 1];
    const json* r = member(&entry, "resource");
    const std::string type = text_of(member(r, "resourceType"));
    problems pr;
    if (r == nullptr || !r->is_object()) {
      pr.add("resource", "is required (an object)");
    } else if (type.empty()) {
      pr.add("resourceType", "is required");
    } else if (type == "Patient") {
      patient p = read_patient(*r, b.timestamp, pr);
      p.entry = n;
      const std::string url = text_of(member(&entry, "fullUrl"));
      if (pr.empty()) {
        idx["Patient/" + p.id] = b.patients.size();
        if (!url.empty()) idx[url] = b.patients.size();
        b.patients.push_back(std::move(p));
      }
    } else if (type == "Appointment" || (type == "Encounter" && emergency_class(*r))) {
      later.emplace_back(n, r);
    } else {
      b.ignored.push_back(n);
    }
    if (!pr.empty()) b.problems.push_back({n, label(n, type, r) + ": " + pr.text()});
  }
  return later;
}

void read_events(const deferred& later, const patient_index& idx, bundle& b) {
  for (const auto& [n, r] : later) {
    const std::string type = text_of(member(r, "resourceType"));
    problems pr;
    if (type == "Appointment") {
      appointment a = read_appointment(*r, idx, pr);
      a.entry = n;
      if (pr.empty()) b.appointments.push_back(std::move(a));
    } else {
      encounter e = read_encounter(*r, idx, pr);
      e.entry = n;
      if (pr.empty()) b.encounters.push_back(std::move(e));
    }
    if (!pr.empty()) b.problems.push_back({n, label(n, type, r) + ": " + pr.text()});
  }
}

}  // namespace

std::string normalise_postcode(std::string_view postcode) {
  std::string compact;
  for (char c : postcode) {
    if (std::isspace(static_cast<unsigned char>(c)) == 0) {
      compact.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
  }
  if (compact.size() <= 3) return compact;
  return compact.substr(0, compact.size() - 3) + " " + compact.substr(compact.size() - 3);
}

result<bundle> parse_bundle(std::string_view text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    if (auto p = what.find("] "); p != std::string::npos) what.erase(0, p + 2);
    return make_error("not a JSON document: " + what);
  }
  auto timestamp = read_envelope(j);
  if (!timestamp) return timestamp.err();
  bundle b;
  b.timestamp = *timestamp;
  const json empty = json::array();
  const json* entries = member(&j, "entry");
  if (entries == nullptr) entries = &empty;
  b.entries = entries->size();

  // Patients first: appointments and encounters refer to them wherever they sit in the bundle.
  patient_index idx;
  const auto later = read_patients(*entries, b, idx);
  read_events(later, idx, b);
  std::sort(b.problems.begin(), b.problems.end(),
            [](const entry_problem& x, const entry_problem& y) { return x.entry < y.entry; });
  return b;
}

}  // namespace mab::health

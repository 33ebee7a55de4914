// FHIR R4 resources as a trust's export holds them (format 4 in the README), for the health
// adapter's tests. Each builder returns the resource; fhir_bundle() wraps them as entries.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mab::health::test {

using json = nlohmann::json;

// Valid NHS numbers (modulus 11); the last has a wrong check digit.
inline constexpr const char* nhs_child = "9434765919";
inline constexpr const char* nhs_sibling = "4010232137";
inline constexpr const char* nhs_baby = "4857773457";
inline constexpr const char* nhs_adult = "9000000017";
inline constexpr const char* nhs_other = "9000000025";
inline constexpr const char* nhs_bad_check = "9434765918";

inline json fhir_patient(const std::string& id, const std::string& nhs, const std::string& born,
                         const std::string& line1 = "12 Acacia Avenue",
                         const std::string& postcode = "SW1A 1AA", const std::string& gp = "") {
  json p = {{"resourceType", "Patient"},
            {"id", id},
            {"identifier", {{{"system", "https://fhir.nhs.uk/Id/nhs-number"}, {"value", nhs}}}},
            {"name", {{{"family", "Example"}, {"given", {"Ava", "Grace"}}}}},
            {"birthDate", born}};
  if (!line1.empty() || !postcode.empty()) {
    p["address"] = {{{"line", {line1}}, {"city", "London"}, {"postalCode", postcode}}};
  }
  if (!gp.empty()) {
    p["generalPractitioner"] = {
        {{"identifier",
          {{"system", "https://fhir.nhs.uk/Id/ods-organization-code"}, {"value", gp}}}}};
  }
  return p;
}

inline json fhir_appointment(const std::string& id, const std::string& status,
                             const std::string& start, const std::string& patient_id,
                             const std::string& service = "Paediatrics") {
  return {{"resourceType", "Appointment"},
          {"id", id},
          {"status", status},
          {"start", start},
          {"serviceType", {{{"text", service}}}},
          {"participant",
           {{{"actor", {{"reference", "Practitioner/dr-1"}}}},
            {{"actor", {{"reference", "Patient/" + patient_id}}}}}}};
}

inline json fhir_encounter(const std::string& id, const std::string& start,
                           const std::string& patient_id, const std::string& code,
                           const std::string& display = "", const std::string& cls = "EMER",
                           const std::string& status = "finished") {
  return {
      {"resourceType", "Encounter"},
      {"id", id},
      {"status", status},
      {"class", {{"system", "http://terminology.hl7.org/CodeSystem/v3-ActCode"}, {"code", cls}}},
      {"period", {{"start", start}}},
      {"subject", {{"reference", "Patient/" + patient_id}}},
      {"reasonCode",
       {{{"coding",
          {{{"system", "http://snomed.info/sct"}, {"code", code}, {"display", display}}}}}}},
      {"serviceProvider", {{"identifier", {{"value", "RQM01"}}}}}};
}

inline std::string fhir_bundle(const std::string& timestamp, const std::vector<json>& resources) {
  json entries = json::array();
  for (const auto& r : resources) {
    const std::string type = r.value("resourceType", "");
    const std::string id = r.value("id", "");
    entries.push_back(
        {{"fullUrl", "https://trust.example/fhir/" + type + "/" + id}, {"resource", r}});
  }
  return json{{"resourceType", "Bundle"},
              {"type", "collection"},
              {"timestamp", timestamp},
              {"entry", entries}}
      .dump(1);
}

}  // namespace mab::health::test

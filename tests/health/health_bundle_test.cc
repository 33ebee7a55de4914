#include <gtest/gtest.h>

#include "adapters/health/rules.h"
#include "tests/health/fhir.h"

namespace mab::health {
namespace {

using namespace test;
constexpr const char* ts = "2026-03-01T22:15:00Z";

std::string reasons(const bundle& b) {
  std::string all;
  for (const auto& p : b.problems) all += std::to_string(p.entry) + ": " + p.reason + "\n";
  return all;
}

TEST(parse_bundle, reads_patients_appointments_and_emergency_encounters) {
  auto text = fhir_bundle(
      ts,
      {fhir_appointment("a-1", "noshow", "2026-02-10T09:30:00+01:00", "p-1"),
       fhir_patient("p-1", "943 476 5919", "2015-05-17", "12  acacia avenue", "sw1a1aa", "a81001"),
       fhir_encounter("e-1", "2026-02-20T23:10:00Z", "p-1", "248062006",
                      "Self-injurious behaviour"),
       json{{"resourceType", "Organization"}, {"id", "o-1"}}});
  auto b = parse_bundle(text);
  ASSERT_TRUE(b) << b.message();
  EXPECT_TRUE(b->problems.empty()) << reasons(*b);
  EXPECT_EQ(b->entries, 4u);
  EXPECT_EQ(b->timestamp.time_since_epoch().count(), 1772403300);
  ASSERT_EQ(b->patients.size(), 1u);
  const auto& p = b->patients[0];
  EXPECT_EQ(p.entry, 2u);
  EXPECT_EQ(p.nhs_number, "9434765919");  // spaces as printed on letters are dropped
  EXPECT_EQ(p.given_name, "Ava");
  EXPECT_EQ(p.family_name, "Example");
  EXPECT_EQ(p.birth_date, "2015-05-17");
  EXPECT_EQ(p.postcode, "SW1A 1AA");
  EXPECT_EQ(p.gp_ods, "A81001");
  EXPECT_EQ(household_key(p), "SW1A 1AA|12 ACACIA AVENUE");
  ASSERT_EQ(b->appointments.size(), 1u);
  const auto& a = b->appointments[0];
  EXPECT_EQ(a.entry, 1u);  // before its Patient in the bundle, still resolved
  EXPECT_EQ(a.status, "noshow");
  EXPECT_EQ(a.service, "Paediatrics");
  EXPECT_EQ(a.start->time_since_epoch().count(), 1770712200);  // 08:30Z
  EXPECT_EQ(a.patient, 0u);
  ASSERT_EQ(b->encounters.size(), 1u);
  EXPECT_EQ(b->encounters[0].reasons.size(), 1u);
  EXPECT_EQ(b->encounters[0].reasons[0].code, "248062006");
  EXPECT_EQ(b->encounters[0].provider_ods, "RQM01");
  EXPECT_EQ(b->ignored, (std::vector<std::uint64_t>{4}));
}

TEST(parse_bundle, references_by_full_url_and_service_from_coding) {
  auto a = fhir_appointment("a-1", "fulfilled", "2026-02-10T09:30:00Z", "p-1");
  a["participant"] = {{{"actor", {{"reference", "https://trust.example/fhir/Patient/p-1"}}}}};
  a["serviceType"] = {{{"coding", {{{"display", "Dental"}}}}}};
  auto b = parse_bundle(fhir_bundle(ts, {fhir_patient("p-1", nhs_child, "2015-05-17"), a}));
  ASSERT_TRUE(b);
  ASSERT_EQ(b->appointments.size(), 1u) << reasons(*b);
  EXPECT_EQ(b->appointments[0].service, "Dental");
}

TEST(parse_bundle, non_emergency_encounters_are_ignored_not_checked) {
  auto outpatient = fhir_encounter("e-2", "", "nobody", "248062006", "", "AMB");
  auto b = parse_bundle(fhir_bundle(ts, {outpatient}));
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->problems.empty()) << reasons(*b);
  EXPECT_TRUE(b->encounters.empty());
  EXPECT_EQ(b->ignored, (std::vector<std::uint64_t>{1}));
}

TEST(parse_bundle, whole_file_errors) {
  EXPECT_NE(parse_bundle("{\"resourceType\": ").message().find("not a JSON document"),
            std::string::npos);
  EXPECT_NE(parse_bundle("").message().find("not a JSON document"), std::string::npos);
  EXPECT_NE(parse_bundle(R"({"resourceType":"Patient"})").message().find("resourceType: must be"),
            std::string::npos);
  EXPECT_NE(parse_bundle("[1,2]").message().find("resourceType"), std::string::npos);
  EXPECT_NE(parse_bundle(R"({"resourceType":"Bundle","entry":[]})")
                .message()
                .find("timestamp: is required"),
            std::string::npos);
  EXPECT_NE(parse_bundle(R"({"resourceType":"Bundle","timestamp":"yesterday"})")
                .message()
                .find("timestamp: must be an RFC 3339 time"),
            std::string::npos);
  EXPECT_NE(parse_bundle(R"({"resourceType":"Bundle","timestamp":"2026-03-01T00:00:00Z",)"
                         R"("entry":{}})")
                .message()
                .find("entry: must be an array"),
            std::string::npos);
  auto empty = parse_bundle(R"({"resourceType":"Bundle","timestamp":"2026-03-01T00:00:00Z"})");
  ASSERT_TRUE(empty) << empty.message();
  EXPECT_EQ(empty->entries, 0u);
}

TEST(parse_bundle, bad_entries_are_problems_naming_resource_and_field) {
  auto no_birth = fhir_patient("p-2", nhs_sibling, "");
  no_birth.erase("birthDate");
  auto no_nhs = fhir_patient("p-3", nhs_other, "2015-01-01");
  no_nhs["identifier"] = json::array();
  auto bad_status = fhir_appointment("a-4", "noshow", "2026-02-10T09:30:00Z", "p-1");
  bad_status["status"] = 7;
  bad_status.erase("start");
  auto no_subject = fhir_encounter("e-1", "2026-02-20T23:10:00Z", "p-1", "248062006");
  no_subject.erase("subject");
  auto doc = json::parse(fhir_bundle(
      ts,
      {fhir_patient("p-1", nhs_child, "2015-05-17"),
       fhir_patient("p-9", nhs_bad_check, "2015-05-17"), no_birth, no_nhs,
       fhir_patient("p-4", nhs_adult, "2026-03-02"), fhir_patient("p-5", nhs_adult, "2026-02-30"),
       fhir_appointment("a-19", "noshow", "2026-02-10T09:30:00Z", "p-9"), bad_status,
       fhir_appointment("a-5", "booked", "next tuesday", "p-1"), no_subject,
       json{{"resourceType", "Appointment"}, {"status", "noshow"}}, json{{"id", "x"}}}));
  // Entries without a resource object.
  doc["entry"].insert(doc["entry"].end() - 1, json{{"fullUrl", "x"}});
  auto b = parse_bundle(doc.dump());
  ASSERT_TRUE(b) << b.message();
  ASSERT_EQ(b->problems.size(), 12u) << reasons(*b);
  const auto& p = b->problems;
  EXPECT_EQ(p[0].entry, 2u);
  EXPECT_EQ(p[0].reason,
            "entry 2 (Patient p-9): identifier: NHS number '9434765918' is not 10 "
            "digits with a valid modulus 11 check digit");
  EXPECT_EQ(p[1].reason, "entry 3 (Patient p-2): birthDate: is required");
  EXPECT_EQ(p[2].reason,
            "entry 4 (Patient p-3): identifier: no NHS number (system "
            "https://fhir.nhs.uk/Id/nhs-number)");
  EXPECT_EQ(p[3].reason, "entry 5 (Patient p-4): birthDate: is after the bundle timestamp");
  EXPECT_EQ(p[4].reason,
            "entry 6 (Patient p-5): birthDate: must be a date YYYY-MM-DD, not "
            "'2026-02-30'");
  // The Patient it names was rejected: the appointment cannot be placed either.
  EXPECT_EQ(p[5].reason,
            "entry 7 (Appointment a-19): participant: no Patient with an NHS number "
            "('Patient/p-9' is not a valid Patient in this bundle)");
  EXPECT_EQ(p[6].reason, "entry 8 (Appointment a-4): status: must be a string");
  EXPECT_EQ(p[7].reason,
            "entry 9 (Appointment a-5): start: must be an RFC 3339 time such as "
            "2026-03-01T22:15:00Z, not 'next tuesday'");
  EXPECT_EQ(p[8].reason, "entry 10 (Encounter e-1): subject: no Patient with an NHS number");
  EXPECT_EQ(p[9].reason,
            "entry 11 (Appointment): id: is required; start: is required; participant: no "
            "Patient with an NHS number");
  EXPECT_EQ(p[10].reason, "entry 12: resource: is required (an object)");
  EXPECT_EQ(p[11].reason, "entry 13: resourceType: is required");
  EXPECT_EQ(b->patients.size(), 1u);
  EXPECT_TRUE(b->appointments.empty());
  EXPECT_TRUE(b->encounters.empty());
}

TEST(parse_bundle, a_noshow_needs_its_start_other_statuses_do_not) {
  auto noshow = fhir_appointment("a-1", "noshow", "", "p-1");
  noshow.erase("start");
  auto booked = fhir_appointment("a-2", "booked", "", "p-1");
  booked.erase("start");
  auto b =
      parse_bundle(fhir_bundle(ts, {fhir_patient("p-1", nhs_child, "2015-05-17"), noshow, booked}));
  ASSERT_TRUE(b);
  ASSERT_EQ(b->problems.size(), 1u);
  EXPECT_EQ(b->problems[0].reason, "entry 2 (Appointment a-1): start: is required");
  ASSERT_EQ(b->appointments.size(), 1u);
  EXPECT_FALSE(b->appointments[0].start.has_value());
}

TEST(normalise_postcode, upper_case_and_one_space_before_the_inward_code) {
  EXPECT_EQ(normalise_postcode("sw1a1aa"), "SW1A 1AA");
  EXPECT_EQ(normalise_postcode(" SW1A   1AA "), "SW1A 1AA");
  EXPECT_EQ(normalise_postcode("m11ae"), "M1 1AE");
  EXPECT_EQ(normalise_postcode(""), "");
}

}  // namespace
}  // namespace mab::health

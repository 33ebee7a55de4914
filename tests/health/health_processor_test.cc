#include <gtest/gtest.h>

#include "adapters/health/rules.h"
#include "tests/health/fhir.h"
#include "tests/kit/tmpdir.h"

namespace mab::health {
namespace {

using namespace test;
using HC = mab::v1::HealthConcern;

constexpr const char* ts = "2026-03-01T22:15:00Z";

struct run_fixture : ::testing::Test {
  kit::test::tmpdir dir;
  kit::summary sum;
  std::vector<std::string> keys;
  std::vector<mab::v1::Notification> sent;
  std::vector<std::uint64_t> lines;
  settings rules = [] {
    settings s;
    s.ods_code = "RQM01";
    return s;
  }();

  // A fresh state object each time: every call is a restart. The fake broker accepts
  // everything; already-sent keys are skipped as the kit's sender does.
  status run_once(const std::string& text, bool persist = true) {
    auto st = kit::state::open(dir / "s.db");
    auto rj = kit::rejects::open(dir / "r.txt");
    if (!st || !rj) return make_error("open");
    kit::state& state = **st;
    processor proc(
        rules, "E09000001", state, **rj, sum,
        [&](const std::string& key, mab::v1::Notification n, const std::string&,
            std::uint64_t line) -> result<kit::outcome> {
          if (state.sent(key)->has_value()) {
            ++sum.skipped;
            return kit::outcome::skipped;
          }
          keys.push_back(key);
          sent.push_back(std::move(n));
          lines.push_back(line);
          if (persist) (void)state.record_sent(key, {"id", "ACCEPTED"});
          ++sum.sent;
          return kit::outcome::sent;
        },
        persist);
    return proc.process("in.json", text);
  }

  void clear() {
    keys.clear();
    sent.clear();
    lines.clear();
    sum = {};
  }
};

json child_patient() { return fhir_patient("p-1", nhs_child, "2015-05-17"); }

TEST_F(run_fixture, two_noshows_send_not_brought_with_count_and_appointments) {
  ASSERT_TRUE(run_once(fhir_bundle(
      ts, {child_patient(), fhir_appointment("a-1", "noshow", "2026-01-10T09:00:00Z", "p-1"),
           fhir_appointment("a-2", "fulfilled", "2026-01-20T09:00:00Z", "p-1"),
           fhir_appointment("a-3", "noshow", "2026-02-10T09:00:00Z", "p-1", "Dental")})));
  ASSERT_EQ(keys, (std::vector<std::string>{std::string(nhs_child) + "/not_brought/2"}));
  EXPECT_EQ(lines[0], 4u);  // the latest noshow's entry
  const auto& h = sent[0].health_concern();
  EXPECT_EQ(h.kind(), HC::NOT_BROUGHT);
  EXPECT_EQ(h.not_brought_count(), 2u);
  ASSERT_EQ(h.appointments_size(), 2);
  EXPECT_EQ(h.appointments(1).service(), "Dental");
  EXPECT_EQ(sent[0].subject().nhs_number(), nhs_child);
  EXPECT_EQ(sent[0].subject().area(), "E09000001");
  EXPECT_EQ(sum.rows_read, 4u);
  EXPECT_EQ(sum.rejected, 0u);
}

TEST_F(run_fixture, one_noshow_and_cancelled_ones_send_nothing) {
  ASSERT_TRUE(run_once(fhir_bundle(
      ts, {child_patient(), fhir_appointment("a-1", "noshow", "2026-01-10T09:00:00Z", "p-1"),
           fhir_appointment("a-2", "cancelled", "2026-01-20T09:00:00Z", "p-1"),
           fhir_appointment("a-3", "booked", "2026-03-20T09:00:00Z", "p-1")})));
  EXPECT_TRUE(keys.empty());
}

TEST_F(run_fixture, adults_are_excluded_by_age_on_the_appointment_date) {
  // 18 on 2026-02-01: the first noshow is a child's, the second an adult's.
  ASSERT_TRUE(run_once(
      fhir_bundle(ts, {fhir_patient("p-1", nhs_adult, "2008-02-01"),
                       fhir_appointment("a-1", "noshow", "2026-01-31T09:00:00Z", "p-1"),
                       fhir_appointment("a-2", "noshow", "2026-02-01T09:00:00Z", "p-1")})));
  EXPECT_TRUE(keys.empty());
  EXPECT_EQ(sum.skipped, 1u);
}

TEST_F(run_fixture, noshows_accumulate_across_files_and_restarts_within_the_window) {
  const auto sibling = [] { return fhir_patient("p-2", nhs_sibling, "2016-04-01"); };
  ASSERT_TRUE(run_once(fhir_bundle(
      "2025-09-02T00:00:00Z",
      {child_patient(), sibling(), fhir_appointment("a-1", "noshow", "2025-09-01T09:00:00Z", "p-1"),
       fhir_appointment("b-1", "noshow", "2025-09-01T09:00:00Z", "p-2")})));
  EXPECT_TRUE(keys.empty());
  // 184 days later for one child (outside the window), 183 for the other (inside).
  ASSERT_TRUE(run_once(fhir_bundle(
      "2026-03-05T00:00:00Z",
      {child_patient(), sibling(), fhir_appointment("a-2", "noshow", "2026-03-04T09:00:00Z", "p-1"),
       fhir_appointment("b-2", "noshow", "2026-03-03T09:00:00Z", "p-2")})));
  ASSERT_EQ(keys, (std::vector<std::string>{std::string(nhs_sibling) + "/not_brought/2"}));
  const auto& h = sent[0].health_concern();
  EXPECT_EQ(h.not_brought_count(), 2u);
  ASSERT_EQ(h.appointments_size(), 2);
  EXPECT_EQ(h.appointments(0).appointment_id(), "b-1");  // from the earlier file
  EXPECT_EQ(h.appointments(1).appointment_id(), "b-2");
}

TEST_F(run_fixture, rerun_sends_nothing_and_a_growing_count_sends_again) {
  const auto first = fhir_bundle(
      ts, {child_patient(), fhir_appointment("a-1", "noshow", "2026-01-10T09:00:00Z", "p-1"),
           fhir_appointment("a-2", "noshow", "2026-02-10T09:00:00Z", "p-1")});
  ASSERT_TRUE(run_once(first));
  ASSERT_EQ(keys.size(), 1u);
  clear();
  ASSERT_TRUE(run_once(first));  // the same export again, after a restart
  EXPECT_TRUE(keys.empty());
  EXPECT_EQ(sum.skipped, 1u);
  clear();
  ASSERT_TRUE(run_once(fhir_bundle(
      ts, {child_patient(), fhir_appointment("a-2", "noshow", "2026-02-10T09:00:00Z", "p-1"),
           fhir_appointment("a-4", "noshow", "2026-02-24T09:00:00Z", "p-1")})));
  ASSERT_EQ(keys, (std::vector<std::string>{std::string(nhs_child) + "/not_brought/3"}));
  EXPECT_EQ(sent[0].health_concern().appointments_size(), 3);
}

TEST_F(run_fixture, a_corrected_appointment_no_longer_counts) {
  ASSERT_TRUE(run_once(fhir_bundle(
      ts, {child_patient(), fhir_appointment("a-1", "noshow", "2026-01-10T09:00:00Z", "p-1")})));
  ASSERT_TRUE(run_once(fhir_bundle(
      ts,
      {child_patient(), fhir_appointment("a-1", "entered-in-error", "2026-01-10T09:00:00Z", "p-1"),
       fhir_appointment("a-2", "noshow", "2026-02-10T09:00:00Z", "p-1")})));
  EXPECT_TRUE(keys.empty());
}

TEST_F(run_fixture, emergency_attendances_once_per_encounter) {
  const auto text = fhir_bundle(
      ts,
      {child_patient(), fhir_patient("p-2", nhs_adult, "1990-01-01"),
       fhir_encounter("e-1", "2026-02-20T23:10:00Z", "p-1", "248062006",
                      "Self-injurious behaviour"),
       fhir_encounter("e-2", "2026-02-21T10:00:00Z", "p-1", "125605004", "Fracture of bone"),
       fhir_encounter("e-3", "2026-02-22T10:00:00Z", "p-1", "22298006", "Myocardial infarction"),
       fhir_encounter("e-4", "2026-02-23T10:00:00Z", "p-1", "248062006", "", "AMB"),
       fhir_encounter("e-5", "2026-02-24T10:00:00Z", "p-1", "417746004", "", "EMER", "cancelled"),
       fhir_encounter("e-6", "2026-02-25T10:00:00Z", "p-2", "248062006")});
  ASSERT_TRUE(run_once(text));
  ASSERT_EQ(keys, (std::vector<std::string>{"encounter/e-1", "encounter/e-2"}));
  EXPECT_EQ(sent[0].health_concern().kind(), HC::EMERGENCY_SELF_HARM);
  EXPECT_EQ(sent[1].health_concern().kind(), HC::EMERGENCY_INJURY);
  EXPECT_EQ(lines, (std::vector<std::uint64_t>{3, 4}));
  EXPECT_EQ(sum.skipped, 4u);  // other reason, not an emergency, cancelled, adult
  clear();
  ASSERT_TRUE(run_once(text));
  EXPECT_TRUE(keys.empty());
}

// A household becomes known when this adapter sends a concern about a child living there.
std::string concern_about_the_child() {
  return fhir_bundle("2026-01-05T12:00:00Z",
                     {fhir_patient("p-1", nhs_child, "2015-05-17", "12 Acacia Avenue", "SW1A 1AA"),
                      fhir_encounter("e-1", "2026-01-04T23:10:00Z", "p-1", "248062006")});
}

TEST_F(run_fixture, new_birth_in_a_known_household) {
  ASSERT_TRUE(run_once(concern_about_the_child()));
  clear();
  // Same household, written differently; the baby born 10 days before the export.
  const auto text = fhir_bundle(
      ts, {fhir_patient("p-7", nhs_baby, "2026-02-19", "12 ACACIA AVENUE", "sw1a1aa", "A81001")});
  ASSERT_TRUE(run_once(text));
  ASSERT_EQ(keys, (std::vector<std::string>{std::string(nhs_baby) + "/new_birth"}));
  EXPECT_EQ(sent[0].health_concern().kind(), HC::NEW_BIRTH_IN_HOUSEHOLD);
  EXPECT_EQ(sent[0].subject().nhs_number(), nhs_baby);
  EXPECT_EQ(sent[0].subject().date_of_birth(), "2026-02-19");
  EXPECT_EQ(lines[0], 1u);
  clear();
  ASSERT_TRUE(run_once(text));  // seen now: not new again
  EXPECT_TRUE(keys.empty());
}

TEST_F(run_fixture, new_gp_registration_in_a_known_household) {
  ASSERT_TRUE(run_once(concern_about_the_child()));
  clear();
  ASSERT_TRUE(run_once(fhir_bundle(
      ts, {fhir_patient("p-8", nhs_sibling, "2019-06-01", "12 Acacia Avenue", "SW1A 1AA", "A81001"),
           fhir_patient("p-9", nhs_other, "2019-06-01", "12 Acacia Avenue", "SW1A 1AA")})));
  ASSERT_EQ(keys.size(), 1u);  // the one without a GP registration is not a signal
  EXPECT_EQ(sent[0].health_concern().kind(), HC::NEW_GP_REGISTRATION);
  EXPECT_EQ(sent[0].subject().nhs_number(), nhs_sibling);
}

TEST_F(run_fixture, nothing_for_an_unknown_household) {
  ASSERT_TRUE(run_once(concern_about_the_child()));
  clear();
  ASSERT_TRUE(run_once(fhir_bundle(ts, {fhir_patient("p-7", nhs_baby, "2026-02-19",
                                                     "14 Acacia Avenue", "SW1A 1AA", "A81001")})));
  EXPECT_TRUE(keys.empty());
}

TEST_F(run_fixture, household_members_seen_with_the_first_concern_are_not_news) {
  // The household becomes known through this bundle's concern; the baby was already there
  // when the adapter first saw it, so nothing about it is new to this adapter.
  ASSERT_TRUE(run_once(fhir_bundle(
      ts, {fhir_patient("p-7", nhs_baby, "2026-02-19", "12 Acacia Avenue", "SW1A 1AA", "A81001"),
           fhir_patient("p-1", nhs_child, "2015-05-17"),
           fhir_encounter("e-1", "2026-02-20T23:10:00Z", "p-1", "248062006")})));
  EXPECT_EQ(keys, (std::vector<std::string>{"encounter/e-1"}));
  clear();
  ASSERT_TRUE(run_once(fhir_bundle(ts, {fhir_patient("p-7", nhs_baby, "2026-02-19",
                                                     "12 Acacia Avenue", "SW1A 1AA", "A81001")})));
  EXPECT_TRUE(keys.empty());
}

TEST_F(run_fixture, dry_run_records_nothing) {
  const auto text = fhir_bundle(
      ts, {child_patient(), fhir_appointment("a-1", "noshow", "2026-01-10T09:00:00Z", "p-1"),
           fhir_appointment("a-2", "noshow", "2026-02-10T09:00:00Z", "p-1")});
  ASSERT_TRUE(run_once(text, false));
  EXPECT_EQ(keys.size(), 1u);
  auto st = kit::state::open(dir / "s.db");
  ASSERT_TRUE(st);
  EXPECT_FALSE((*st)->entity(std::string("patient/") + nhs_child)->has_value());
  st->reset();
  clear();
  ASSERT_TRUE(run_once(text));  // the real run still sends
  EXPECT_EQ(keys.size(), 1u);
}

TEST_F(run_fixture, bad_entries_are_rejected_by_entry_and_the_rest_goes_on) {
  ASSERT_TRUE(run_once(fhir_bundle(
      ts, {child_patient(), fhir_appointment("a-1", "noshow", "2026-01-10T09:00:00Z", "p-1"),
           fhir_appointment("a-19", "noshow", "2026-01-12T09:00:00Z", "p-404"),
           fhir_patient("p-2", nhs_bad_check, "2015-05-17"),
           json{{"resourceType", "Practitioner"}, {"id", "dr-1"}},
           fhir_appointment("a-3", "noshow", "2026-02-10T09:00:00Z", "p-1")})));
  EXPECT_EQ(keys.size(), 1u);
  EXPECT_EQ(sum.rows_read, 6u);
  EXPECT_EQ(sum.rejected, 2u);
  EXPECT_EQ(sum.skipped, 1u);  // the Practitioner
  const auto rejects = kit::test::read(dir / "r.txt");
  EXPECT_NE(rejects.find("in.json:3: entry 3 (Appointment a-19): participant: no Patient with an "
                         "NHS number ('Patient/p-404' is not a valid Patient in this bundle)"),
            std::string::npos)
      << rejects;
  EXPECT_NE(rejects.find("in.json:4: entry 4 (Patient p-2): identifier: NHS number"),
            std::string::npos)
      << rejects;
}

TEST_F(run_fixture, an_unreadable_bundle_is_one_reject_for_the_file) {
  ASSERT_TRUE(run_once("{\"resourceType\": \"Bundle\", \"entry\": ["));
  ASSERT_TRUE(run_once(R"({"resourceType":"Bundle","entry":[]})"));
  EXPECT_EQ(sum.rejected, 2u);
  EXPECT_EQ(sum.rows_read, 0u);
  const auto rejects = kit::test::read(dir / "r.txt");
  EXPECT_NE(rejects.find("in.json: not a JSON document: "), std::string::npos) << rejects;
  EXPECT_NE(rejects.find("in.json: timestamp: is required (the time of the export); file skipped"),
            std::string::npos)
      << rejects;
}

TEST_F(run_fixture, process_file_reads_from_disk_and_rejects_a_missing_file) {
  kit::test::write(
      dir / "b.json",
      fhir_bundle(
          ts, {child_patient(), fhir_appointment("a-1", "noshow", "2026-01-10T09:00:00Z", "p-1"),
               fhir_appointment("a-2", "noshow", "2026-02-10T09:00:00Z", "p-1")}));
  auto st = kit::state::open(dir / "s.db");
  auto rj = kit::rejects::open(dir / "r.txt");
  ASSERT_TRUE(st && rj);
  std::uint64_t sends = 0;
  processor proc(
      rules, "E09000001", **st, **rj, sum,
      [&](const std::string&, mab::v1::Notification, const std::string& file,
          std::uint64_t) -> result<kit::outcome> {
        EXPECT_EQ(file, dir / "b.json");
        ++sends;
        return kit::outcome::sent;
      },
      true);
  ASSERT_TRUE(proc.process_file(dir / "b.json"));
  EXPECT_EQ(sends, 1u);
  ASSERT_TRUE(proc.process_file(dir / "missing.json"));
  EXPECT_NE(kit::test::read(dir / "r.txt").find("missing.json: cannot read the file"),
            std::string::npos);
}

TEST_F(run_fixture, a_broken_connection_stops_the_run_and_saves_nothing) {
  auto st = kit::state::open(dir / "s.db");
  auto rj = kit::rejects::open(dir / "r.txt");
  ASSERT_TRUE(st && rj);
  processor proc(
      rules, "E09000001", **st, **rj, sum,
      [&](const std::string&, mab::v1::Notification, const std::string&,
          std::uint64_t) -> result<kit::outcome> { return make_error("no broker"); },
      true);
  auto done = proc.process(
      "in.json",
      fhir_bundle(
          ts, {child_patient(), fhir_appointment("a-1", "noshow", "2026-01-10T09:00:00Z", "p-1"),
               fhir_appointment("a-2", "noshow", "2026-02-10T09:00:00Z", "p-1")}));
  ASSERT_FALSE(done);
  EXPECT_EQ(done.message(), "no broker");
  EXPECT_FALSE((*st)->entity(std::string("patient/") + nhs_child)->has_value());
}

}  // namespace
}  // namespace mab::health

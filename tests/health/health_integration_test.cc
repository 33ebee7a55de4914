// mab-health end to end: the adapter binary against a real mabd, and what the front door gets.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/health/fhir.h"
#include "tests/integration/scenario.h"

namespace mab::testing {
namespace {

using namespace mab::health::test;

class health_adapter_test : public ::testing::Test {
 protected:
  void SetUp() override {
    standard_agencies(sb);
    sb.add_agency("health-a", "health", area_a, {"health_concern"});
    sb.add_agency("health-x", "health", area_a, {"attendance_concern"});  // not health_concern
    ASSERT_NO_FATAL_FAILURE(sb.start());
  }

  // Two noshows for a child, one appointment naming no Patient in the bundle.
  std::string write_export(const std::string& agency) {
    const std::string path = sb.kit_dir(agency) + "/export.json";
    std::ofstream(path) << fhir_bundle(
        "2026-03-01T22:15:00Z",
        {fhir_patient("p-1", nhs_child, "2015-05-17"),
         fhir_appointment("a-1", "noshow", "2026-01-10T09:00:00Z", "p-1"),
         fhir_appointment("a-19", "noshow", "2026-01-12T09:00:00Z", "p-404"),
         fhir_appointment("a-3", "noshow", "2026-02-10T09:00:00Z", "p-1", "Dental")});
    return path;
  }

  run_result run_adapter(const std::string& config, const std::string& file, bool dry_run = false) {
    std::vector<std::string> args = {"--config", config};
    if (dry_run) args.emplace_back("--dry-run");
    args.push_back(file);
    return sb.run(MAB_HEALTH_PATH, args);
  }

  std::string rejects(const std::string& agency) {
    std::ifstream in(sb.kit_dir(agency) + "/rejects.txt");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  sandbox sb;
};

TEST_F(health_adapter_test, two_noshows_reach_the_front_door_once) {
  const auto config = sb.kit_config("health-a", "[health]\nods_code = \"RQM01\"\n");
  const auto file = write_export("health-a");
  auto csc = sb.client("csc-a");

  auto dry = run_adapter(config, file, true);
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("\"kind\":\"NOT_BROUGHT\""), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("\"not_brought_count\":2"), std::string::npos) << dry.out;

  auto first = run_adapter(config, file);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("rows_read=4 sent=1 duplicates=0 skipped=0 rejected=1"),
            std::string::npos)
      << first.err;

  auto events = receive_for(*csc, event_timeout, 1);
  ASSERT_EQ(events.size(), 1u);
  const auto* d = as_delivery(events[0]);
  ASSERT_NE(d, nullptr);
  const auto& n = d->notification;
  EXPECT_EQ(n.sender(), "health-a");
  EXPECT_EQ(n.subject().nhs_number(), nhs_child);
  EXPECT_EQ(n.subject().date_of_birth(), "2015-05-17");
  EXPECT_EQ(n.subject().area(), area_a);
  ASSERT_TRUE(n.has_health_concern());
  const auto& h = n.health_concern();
  EXPECT_EQ(h.kind(), mab::v1::HealthConcern::NOT_BROUGHT);
  EXPECT_EQ(h.organisation_ods_code(), "RQM01");
  EXPECT_EQ(h.not_brought_count(), 2u);
  EXPECT_EQ(h.window_days(), 183u);
  ASSERT_EQ(h.appointments_size(), 2);
  EXPECT_EQ(h.appointments(0).appointment_id(), "a-1");
  EXPECT_EQ(h.appointments(1).service(), "Dental");
  ASSERT_TRUE(csc->ack(*d));

  // The same export again: nothing new is sent, and the dry run sent nothing either.
  auto again = run_adapter(config, file);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("sent=0 duplicates=0 skipped=1 rejected=1"), std::string::npos)
      << again.err;
  EXPECT_TRUE(receive_for(*csc, std::chrono::milliseconds(1500), 1).empty());

  EXPECT_NE(rejects("health-a")
                .find(file + ":3: entry 3 (Appointment a-19): participant: no Patient with an NHS "
                             "number ('Patient/p-404' is not a valid Patient in this bundle)"),
            std::string::npos)
      << rejects("health-a");
}

TEST_F(health_adapter_test, a_broker_rejection_goes_to_the_reject_file) {
  const auto config = sb.kit_config("health-x", "[health]\nods_code = \"RQM01\"\n");
  const auto file = write_export("health-x");
  auto result = run_adapter(config, file);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("sent=0 duplicates=0 skipped=0 rejected=2"), std::string::npos)
      << result.err;
  // Reported against the entry of the latest noshow the concern was built from.
  EXPECT_NE(rejects("health-x").find(file + ":4: rejected by the broker: BODY_KIND_NOT_ALLOWED"),
            std::string::npos)
      << rejects("health-x");
}

TEST_F(health_adapter_test, dry_run_watch_reads_the_drop_folder_once) {
  const auto config = sb.kit_config("health-a", "[health]\nods_code = \"RQM01\"\n");
  std::filesystem::rename(write_export("health-a"), sb.kit_dir("health-a") + "/drop/export.json");
  auto result = sb.run(MAB_HEALTH_PATH, {"--config", config, "--dry-run", "--watch"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("\"not_brought_count\":2"), std::string::npos) << result.out;
  EXPECT_NE(result.err.find("sent=1"), std::string::npos) << result.err;
}

TEST_F(health_adapter_test, configuration_errors_name_the_field_and_usage_is_64) {
  const auto config = sb.kit_config("health-a", "[thresholds]\nnot_brought_threshold = 0\n");
  auto bad = run_adapter(config, "x.json");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("health.ods_code: is required"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("thresholds.not_brought_threshold: must be a whole number"),
            std::string::npos)
      << bad.err;
  EXPECT_EQ(sb.run(MAB_HEALTH_PATH, {"--config", config}).exit_code, 64);
  auto help = sb.run(MAB_HEALTH_PATH, {"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--dry-run"), std::string::npos);
}

}  // namespace
}  // namespace mab::testing

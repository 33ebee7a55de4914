// The Sonia story (shared/seeds: a 13-year-old from central Europe, isolated by language, who
// missed school, went missing with an older peer group at risk of sexual exploitation, was not
// brought to health appointments, and whose family moved) told through the four reference
// adapters against a real mabd, each reading its agency's own export. Each agency saw one part;
// the end of the test is what the ledger shows when the parts are put together: one child, the
// notifications each front door received, the flags raised and to whom, and the transfer that
// the move opened with the parts still owed by the old area.
#include <algorithm>
#include <ctime>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/scenario.h"

namespace mab::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* upn = "P207000016049";
constexpr const char* nhs = "9434765919";

std::string rfc3339(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
  }
  return rows;
}

class sonia_test : public ::testing::Test {
 protected:
  void SetUp() override {
    sb.add_agency("school-a", "school", area_a, {"attendance_concern"});
    sb.add_agency("police-a", "police", area_a, {"missing_episode"});
    sb.add_agency("health-a", "health", area_a, {"health_concern"});
    sb.add_agency("housing-a", "housing", area_a, {"housing_change"});
    sb.add_agency("csc-a", "csc", area_a, {"transfer_notice", "record_part"});
    sb.add_agency("csc-b", "csc", area_b, {"transfer_notice", "record_part"});
    sb.routes = R"(
[[route]]
name = "signals to the front door where the child lives"
bodies = ["attendance_concern", "missing_episode", "health_concern", "housing_change"]
to_kinds = ["csc"]

[[route]]
name = "transfers"
bodies = ["transfer_notice", "record_part"]
to_kinds = ["csc"]
allow_explicit = true

[policy]
return_interview_due = "3s"
transfer_part_due = "4s"
acknowledgement_due = "30s"
ack_required = ["transfer_notice", "record_part"]
expected_parts = []
due_soon_fraction = 0.9
flag_resend = "1 hour"

[[area]]
code = "E09000001"
front_door = "csc-a"

[[area]]
code = "E08000025"
front_door = "csc-b"
)";
    ASSERT_NO_FATAL_FAILURE(sb.start());
    for (const auto& id : {"csc-a", "csc-b", "police-a"}) clients[id] = sb.client(id);
    configs["school-a"] = sb.kit_config("school-a", "[school]\nurn = \"100000\"\n");
    configs["police-a"] = sb.kit_config("police-a", "[police]\nforce = \"E01\"\n");
    configs["health-a"] = sb.kit_config("health-a", "[health]\nods_code = \"RQM01\"\n");
    configs["housing-a"] = sb.kit_config(
        "housing-a", "[housing]\npostcode_table = \"housing-a/postcodes.csv\"\n");
  }

  // Runs an adapter on its export files; ASSERTs it ran and sent `sent` notifications.
  void adapter(const char* exe, const std::string& agency, const std::vector<std::string>& files,
               int sent) {
    std::vector<std::string> args = {"--config", configs.at(agency)};
    args.insert(args.end(), files.begin(), files.end());
    const auto r = sb.run(exe, args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find(" sent=" + std::to_string(sent) + " "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("rejected=0"), std::string::npos)
        << r.err << read_file(sb.kit_dir(agency) + "/rejects.txt");
  }

  std::string in(const std::string& agency, const std::string& name) {
    return sb.kit_dir(agency) + "/" + name;
  }

  // Every notification delivered to `agency` until it has been quiet for `quiet`, acknowledged.
  std::vector<mab::v1::Notification> drain(const std::string& agency,
                                           std::chrono::milliseconds quiet = 1500ms) {
    return testing::drain(*clients[agency], quiet);
  }


  static std::set<std::string> flags_in(const std::vector<mab::v1::Notification>& ns) {
    std::set<std::string> out;
    for (const auto& n : ns) {
      if (n.has_flag()) {
        out.insert(n.flag().flag_type() + ":" + n.flag().state() +
                   (n.flag().owed_by().empty() ? "" : ":" + n.flag().owed_by()));
      }
    }
    return out;
  }

  nlohmann::json ctl_json(const std::vector<std::string>& args) {
    std::vector<std::string> a = args;
    a.insert(a.end(), {"--json", "--mabd-config", sb.config_path()});
    const auto r = sb.mabctl(a);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json_lines(r.out);
  }

  sandbox sb;
  std::map<std::string, std::unique_ptr<sdk::client>> clients;
  std::map<std::string, std::string> configs;  // agency -> its adapter's configuration file
};

TEST_F(sonia_test, four_agencies_exports_become_one_childs_ledger) {
  const auto now = std::chrono::system_clock::now();

  // School: Sonia speaks Polish and needs an interpreter; she misses six of twenty sessions.
  write_file(in("school-a", "pupils.csv"),
             std::string("upn,given_name,family_name,date_of_birth,preferred_language,"
                         "interpreter_required,leaving_date,destination,penalty_notice_paid_date\n") +
                 upn + ",Sonia,Example,2012-04-12,pl,yes,,,\n");
  std::string reg = "upn,date,session,code\n";
  for (int d : {3, 4, 5, 6, 7, 10, 11, 12, 13, 14}) {
    const std::string date = "2025-11-" + std::string(d < 10 ? "0" : "") + std::to_string(d);
    const bool absent = d >= 12;  // the last three days, no reason given
    reg += std::string(upn) + "," + date + ",AM," + (absent ? "O" : "/") + "\n";
    reg += std::string(upn) + "," + date + ",PM," + (absent ? "O" : "/") + "\n";
  }
  write_file(in("school-a", "register.csv"), reg);
  ASSERT_NO_FATAL_FAILURE(adapter(
      MAB_SCHOOL_PATH, "school-a", {in("school-a", "register.csv"), in("school-a", "pupils.csv")},
      1));

  // Police: reported missing overnight, graded high risk with exploitation indicators. The
  // record carries both identifiers, which is what lets the ledger see one child.
  const std::string report =
      std::string("{\"police_reference\":\"MP/25/000777\",\"upn\":\"") + upn +
      "\",\"nhs_number\":\"" + nhs +
      "\",\"given_name\":\"Sonia\",\"family_name\":\"Example\",\"date_of_birth\":\"2012-04-12\","
      "\"last_seen_at\":\"" + rfc3339(now - 6h) + "\",\"reported_at\":\"" + rfc3339(now - 5h) +
      "\",\"risk\":\"high\",\"cse_indicators\":[\"older associates\",\"alcohol\"]";
  write_file(in("police-a", "missing-1.jsonl"), report + "}\n");
  ASSERT_NO_FATAL_FAILURE(
      adapter(MAB_POLICE_PATH, "police-a", {in("police-a", "missing-1.jsonl")}, 1));

  // Health: two appointments she was not brought to.
  write_file(in("health-a", "bundle.json"), nlohmann::json{
      {"resourceType", "Bundle"}, {"type", "collection"}, {"timestamp", rfc3339(now)},
      {"entry", {
          {{"fullUrl", "urn:uuid:p1"}, {"resource", {
              {"resourceType", "Patient"}, {"id", "p1"},
              {"identifier", {{{"system", "https://fhir.nhs.uk/Id/nhs-number"}, {"value", nhs}}}},
              {"name", {{{"family", "Example"}, {"given", {"Sonia"}}}}},
              {"birthDate", "2012-04-12"},
              {"address", {{{"line", {"1 Example Road"}}, {"city", "Northtown"},
                            {"postalCode", "XA1 1AA"}}}}}}},
          {{"resource", {{"resourceType", "Appointment"}, {"id", "a1"}, {"status", "noshow"},
              {"start", "2025-09-15T10:00:00Z"}, {"serviceType", {{{"text", "paediatrics"}}}},
              {"participant", {{{"actor", {{"reference", "Patient/p1"}}}}}}}}},
          {{"resource", {{"resourceType", "Appointment"}, {"id", "a2"}, {"status", "noshow"},
              {"start", "2025-11-10T14:30:00Z"}, {"serviceType", {{{"text", "paediatrics"}}}},
              {"participant", {{{"actor", {{"reference", "Patient/p1"}}}}}}}}}}}}.dump());
  ASSERT_NO_FATAL_FAILURE(
      adapter(MAB_HEALTH_PATH, "health-a", {in("health-a", "bundle.json")}, 1));

  // The front door of the area she lives in hears every agency, about one child.
  const auto at_a = drain("csc-a");
  const mab::v1::Notification *school = nullptr, *missing = nullptr, *health = nullptr;
  for (const auto& n : at_a) {
    if (n.has_attendance_concern()) school = &n;
    if (n.has_missing_episode()) missing = &n;
    if (n.has_health_concern()) health = &n;
  }
  ASSERT_NE(school, nullptr);
  EXPECT_EQ(school->attendance_concern().kind(), mab::v1::AttendanceConcern::PERSISTENT_ABSENCE);
  EXPECT_EQ(school->attendance_concern().absence_rate_percent(), 30.0);
  EXPECT_EQ(school->subject().preferred_language(), "pl");
  EXPECT_TRUE(school->subject().interpreter_required());
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->missing_episode().risk_grade(), mab::v1::MissingEpisode::HIGH);
  EXPECT_TRUE(missing->missing_episode().cse_considered());
  const std::string episode = missing->missing_episode().episode_id();
  ASSERT_NE(health, nullptr);
  EXPECT_EQ(health->health_concern().kind(), mab::v1::HealthConcern::NOT_BROUGHT);
  EXPECT_EQ(health->health_concern().not_brought_count(), 2u);
  const auto raised = flags_in(at_a);
  EXPECT_TRUE(raised.contains("HIGH_RISK_MISSING:RAISED")) << ::testing::PrintToString(raised);
  EXPECT_TRUE(raised.contains("CSE_CONSIDERATION:RAISED")) << ::testing::PrintToString(raised);

  // She is found; no return interview follows within the (test-short) deadline.
  write_file(in("police-a", "missing-2.jsonl"),
             report + ",\"found_at\":\"" + rfc3339(now - 1h) +
                 "\",\"location_found\":\"an older man's flat\"}\n");
  ASSERT_NO_FATAL_FAILURE(
      adapter(MAB_POLICE_PATH, "police-a", {in("police-a", "missing-2.jsonl")}, 1));

  // Housing: the family moves across the boundary, to the second area.
  write_file(in("housing-a", "postcodes.csv"), "postcode,la_code\nXA1,E09000001\nXB2 3BB,E08000025\n");
  write_file(in("housing-a", "events.csv"),
             std::string("event_id,event_type,effective_date,household_id,upn,nhs_number,"
                         "given_name,family_name,date_of_birth,previous_line1,previous_town,"
                         "previous_postcode,new_line1,new_town,new_postcode\n") +
                 "HX-SONIA,move,2025-11-20,HH-1," + upn + "," + nhs +
                 ",Sonia,Example,2012-04-12,1 Example Road,Northtown,XA1 1AA,"
                 "\"Flat 2, 9 Example Street\",Southford,XB2 3BB\n");
  ASSERT_NO_FATAL_FAILURE(
      adapter(MAB_HOUSING_PATH, "housing-a", {in("housing-a", "events.csv")}, 1));

  std::this_thread::sleep_for(5s);  // the interview and the records are now overdue
  const auto later_a = drain("csc-a");
  const auto at_b = drain("csc-b");
  bool returned = false;
  for (const auto& n : later_a) {
    if (n.has_missing_episode() && n.missing_episode().status() == mab::v1::MissingEpisode::RETURNED) {
      returned = true;
      EXPECT_EQ(n.missing_episode().episode_id(), episode);
    }
  }
  EXPECT_TRUE(returned);
  const bool moved = std::any_of(at_b.begin(), at_b.end(), [](const auto& n) {
    return n.has_housing_change() && n.housing_change().new_area() == area_b &&
           n.housing_change().previous_area() == area_a;
  });
  EXPECT_TRUE(moved) << "the new front door hears of the move";
  const auto a_flags = flags_in(later_a);
  const auto b_flags = flags_in(at_b);
  // The front door owes the return interview; it is told it is late.
  EXPECT_TRUE(a_flags.contains("RETURN_INTERVIEW_OVERDUE:RAISED:csc-a"))
      << ::testing::PrintToString(a_flags);
  for (const char* owes : {"school-a", "police-a", "health-a"}) {
    EXPECT_TRUE(b_flags.contains(std::string("INCOMPLETE:RAISED:") + owes))
        << owes << " " << ::testing::PrintToString(b_flags);
  }

  // The ledger: one child (one pseudonymous key on every flag), one open transfer from the old
  // area to the new one with the parts still owed, and no identifier anywhere on it.
  const auto flags = ctl_json({"flags", "list"});
  std::set<std::string> types, subjects;
  for (const auto& f : flags) {
    types.insert(f.value("flag_type", ""));
    subjects.insert(f.value("subject_key", ""));
  }
  for (const char* t : {"HIGH_RISK_MISSING", "CSE_CONSIDERATION", "RETURN_INTERVIEW_OVERDUE",
                        "INCOMPLETE"}) {
    EXPECT_TRUE(types.contains(t)) << t << " " << ::testing::PrintToString(types);
  }
  EXPECT_EQ(subjects.size(), 1u) << ::testing::PrintToString(subjects);

  const auto transfers = ctl_json({"transfers", "list"});
  ASSERT_EQ(transfers.size(), 1u);
  EXPECT_EQ(transfers[0].value("from_area", ""), area_a);
  EXPECT_EQ(transfers[0].value("to_area", ""), area_b);
  EXPECT_EQ(transfers[0].value("state", ""), "open");
  const std::string id = transfers[0].value("transfer_id", "");
  const auto shown = sb.mabctl({"transfers", "show", id, "--json", "--mabd-config", sb.config_path()});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  for (const char* owes : {"school-a", "police-a", "health-a"}) {
    EXPECT_NE(shown.out.find(std::string("\"owed_by\":\"") + owes + "\""), std::string::npos)
        << owes << shown.out;
  }
  for (const char* secret : {upn, nhs, "Sonia"}) {
    EXPECT_EQ(shown.out.find(secret), std::string::npos) << secret << " on the ledger";
  }

  ASSERT_EQ(sb.stop(), 0);
  const auto verify = sb.mabctl({"audit", "verify", "--mabd-config", sb.config_path()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

}  // namespace
}  // namespace mab::testing

// mab-housing against a real mabd: a family known in the City of London moves to Birmingham; the
// housing department's export reaches the new area's front door, the ledger opens a transfer for
// the child, and running the same export again sends nothing.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "adapters/kit/kit.h"
#include "tests/integration/scenario.h"

namespace mab::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* child = "P207000016049";  // known to school-a in area_a
constexpr const char* sibling = "4010232137";   // NHS number only, never seen before

class housing_test : public ::testing::Test {
 protected:
  void SetUp() override {
    standard_agencies(sb);
    sb.add_agency("housing-a", "housing", area_a, {"housing_change"});
    ASSERT_NO_FATAL_FAILURE(sb.start());
    for (const auto& id : {"school-a", "csc-a", "csc-b"}) clients[id] = sb.client(id);
    config =
        sb.kit_config("housing-a", "[housing]\npostcode_table = \"housing-a/postcodes.csv\"\n");
    write_file(sb.kit_dir("housing-a") + "/postcodes.csv",
          "postcode,la_code\nEC2V,E09000001\nEC1A 1BB,E09000001\nB1,E08000025\n");
    events = sb.kit_dir("housing-a") + "/events.csv";
    write_file(events,
          std::string(
              "event_id,event_type,effective_date,household_id,upn,nhs_number,given_name,"
              "family_name,date_of_birth,previous_line1,previous_town,previous_postcode,new_line1,"
              "new_town,new_postcode\n") +
              "HX-1,move,2026-03-02,HH-7," + child +
              ",,Ava,Example,2015-05-17,\"Flat 3, 12 Gresham Street\",London,ec2v 7hh,"
              "\"4 Colmore Row, Floor 2\",Birmingham,B1 1BB\n"
              "HX-1,move,2026-03-02,HH-7,," + sibling +
              ",Ben,Example,2019-01-09,\"Flat 3, 12 Gresham Street\",London,EC2V 7HH,"
              "\"4 Colmore Row, Floor 2\",Birmingham,B1 1BB\n"
              "HX-2,move,2026-03-02,HH-8,J209000012345,,,,,,,EC2V 7HH,,,ZZ9 9ZZ\n");
  }

  run_result adapter(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"--config", config};
    args.insert(args.end(), extra.begin(), extra.end());
    return sb.run(MAB_HOUSING_PATH, args);
  }

  // Every notification delivered to `agency` until it has been quiet for `quiet`, acknowledged.
  std::vector<mab::v1::Notification> drain(const std::string& agency,
                                           std::chrono::milliseconds quiet = 1500ms) {
    return testing::drain(*clients[agency], quiet);
  }


  static std::vector<mab::v1::Notification> housing_changes(std::vector<mab::v1::Notification> ns) {
    std::erase_if(ns, [](const auto& n) { return !n.has_housing_change(); });
    return ns;
  }

  std::vector<nlohmann::json> transfers() {
    auto r = sb.mabctl({"transfers", "list", "--json", "--mabd-config", sb.config_path()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<nlohmann::json> rows;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
    }
    return rows;
  }

  sandbox sb;
  std::map<std::string, std::unique_ptr<sdk::client>> clients;
  std::string config;
  std::string events;
};

TEST_F(housing_test, cross_border_move_reaches_the_new_front_door_and_opens_a_transfer) {
  // The school in the old area knows the child: that is where the ledger places them.
  auto known = clients["school-a"]->send(attendance_concern("school-a", area_a), receipt_timeout);
  ASSERT_TRUE(known) << known.message();
  ASSERT_EQ(known->status(), mab::v1::Receipt::ACCEPTED) << known->detail();
  EXPECT_EQ(drain("csc-a").size(), 1u);

  const auto run = adapter({events});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("rows_read=3 sent=2 duplicates=0 skipped=0 rejected=1"), std::string::npos)
      << run.err;
  const auto rejects = read_file(sb.kit_dir("housing-a") + "/rejects.txt");
  EXPECT_NE(rejects.find("events.csv:4: new_postcode: 'ZZ9 9ZZ' is not in the postcode table"),
            std::string::npos)
      << rejects;

  // Routed by where the child now lives: the new area's front door, not the old one's.
  const auto at_b = housing_changes(drain("csc-b"));
  ASSERT_EQ(at_b.size(), 2u);
  EXPECT_TRUE(housing_changes(drain("csc-a", 500ms)).empty());
  const mab::v1::Notification* moved = nullptr;
  for (const auto& n : at_b) {
    EXPECT_EQ(n.sender(), "housing-a");
    EXPECT_EQ(n.subject().area(), area_b);
    const auto& h = n.housing_change();
    EXPECT_EQ(h.kind(), mab::v1::HousingChange::MOVE);
    EXPECT_EQ(h.previous_area(), area_a);
    EXPECT_EQ(h.new_area(), area_b);
    EXPECT_EQ(h.previous_address().postcode(), "EC2V 7HH");
    EXPECT_EQ(h.new_address().line1(), "4 Colmore Row, Floor 2");
    EXPECT_EQ(h.effective_date(), "2026-03-02");
    if (n.subject().upn() == child) moved = &n;
  }
  ASSERT_NE(moved, nullptr);
  EXPECT_EQ(moved->message_id(),
            kit::message_id_for("housing:housing-a", "HX-1/upn:" + std::string(child)));

  // A move across the boundary opens a transfer for each child: from the area the ledger knew
  // the child in, or, for the sibling mab never heard of, the previous area housing gave.
  const auto rows = transfers();
  ASSERT_EQ(rows.size(), 2u) << ::testing::PrintToString(rows.size());
  bool child_transfer = false;
  for (const auto& row : rows) {
    EXPECT_EQ(row.value("from_area", ""), area_a);
    EXPECT_EQ(row.value("to_area", ""), area_b);
    EXPECT_EQ(row.value("state", ""), "open");
    EXPECT_EQ(row.value("reason", ""), "area_change");
    child_transfer = child_transfer || row.value("transfer_id", "") == "auto-" + moved->message_id();
  }
  EXPECT_TRUE(child_transfer);

  // The same export again (a new process, the same state file): nothing new is sent.
  const auto again = adapter({events});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("rows_read=3 sent=0 duplicates=0 skipped=2 rejected=1"),
            std::string::npos)
      << again.err;
  EXPECT_TRUE(drain("csc-b", 1000ms).empty());
  EXPECT_EQ(transfers().size(), 2u);
}

TEST_F(housing_test, dry_run_prints_json_and_sends_nothing) {
  const auto run = adapter({"--dry-run", events});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::istringstream out(run.out);
  std::vector<nlohmann::json> printed;
  for (std::string line; std::getline(out, line);) printed.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(printed.size(), 2u) << run.out;
  EXPECT_EQ(printed[0]["housing_change"]["new_area"], area_b);
  EXPECT_EQ(printed[0]["housing_change"]["kind"], "MOVE");
  EXPECT_EQ(printed[1]["subject"]["nhs_number"], sibling);
  EXPECT_TRUE(drain("csc-b", 1000ms).empty());
  // Nothing was recorded: a real run afterwards sends both.
  const auto real = adapter({events});
  ASSERT_EQ(real.exit_code, 0) << real.err;
  EXPECT_NE(real.err.find("sent=2"), std::string::npos) << real.err;
}

TEST_F(housing_test, watch_mode_processes_the_drop_folder) {
  write_file(sb.kit_dir("housing-a") + "/drop/daily.csv", read_file(events));
  const auto run = adapter({"--watch", "--dry-run"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("rows_read=3 sent=2"), std::string::npos) << run.err;
}

TEST_F(housing_test, configuration_errors_and_usage) {
  write_file(sb.kit_dir("housing-a") + "/postcodes.csv", "postcode,la_code\nEC2V,E09000001\nB1,B'ham\n");
  const auto bad_table = adapter({events});
  EXPECT_EQ(bad_table.exit_code, 1);
  EXPECT_NE(
      bad_table.err.find("postcodes.csv:3: la_code: 'B'ham' is not an ONS local authority code"),
      std::string::npos)
      << bad_table.err;
  const auto usage = sb.run(MAB_HOUSING_PATH, {"--config", config});
  EXPECT_EQ(usage.exit_code, 64);
  const auto help = sb.run(MAB_HOUSING_PATH, {"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("event_id,event_type,effective_date"), std::string::npos) << help.out;
}

}  // namespace
}  // namespace mab::testing

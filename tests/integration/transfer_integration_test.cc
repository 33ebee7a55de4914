// The Child MD story against a real mabd, with deadlines of seconds: a child known to three
// agencies in one area moves to another; two send their records, one never does.
#include <thread>

#include <gtest/gtest.h>

#include "tests/integration/scenario.h"

namespace mab::testing {
namespace {

using namespace std::chrono_literals;

class transfer_test : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::vector<std::string> sends = {"attendance_concern", "missing_episode",
                                            "health_concern", "record_part", "transfer_notice"};
    sb.add_agency("school-a", "school", area_a, sends);
    sb.add_agency("police-a", "police", area_a, sends);
    sb.add_agency("health-a", "health", area_a, sends);
    sb.add_agency("csc-a", "csc", area_a, sends);
    sb.add_agency("csc-b", "csc", area_b, sends);
    sb.routes = R"(
[[route]]
name = "concerns to the front door"
bodies = ["attendance_concern", "missing_episode", "health_concern"]
to_kinds = ["csc"]

[[route]]
name = "transfers"
bodies = ["transfer_notice", "record_part"]
to_kinds = ["csc"]
allow_explicit = true

[policy]
transfer_part_due = "4s"
acknowledgement_due = "3s"
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
    for (const auto& id : {"school-a", "police-a", "health-a", "csc-a", "csc-b"}) {
      clients[id] = sb.client(id);
    }
  }

  // The child as each agency knows them: school by UPN, health by NHS number, police by both.
  mab::v1::Notification about(const std::string& sender, const std::string& area) {
    auto n = attendance_concern(sender, area);
    auto* s = n.mutable_subject();
    s->clear_upn();
    if (sender == "school-a" || sender == "police-a") s->set_upn("P207000016049");
    if (sender != "school-a") s->set_nhs_number("9434765919");
    return n;
  }

  void send(const std::string& sender, mab::v1::Notification n) {
    auto r = clients[sender]->send(std::move(n), receipt_timeout);
    ASSERT_TRUE(r) << r.message();
    ASSERT_EQ(r->status(), mab::v1::Receipt::ACCEPTED) << r->detail();
  }

  void history() {
    send("school-a", about("school-a", area_a));
    auto m = about("police-a", area_a);
    auto* e = m.mutable_missing_episode();
    e->set_police_reference("MP-1");
    e->set_status(mab::v1::MissingEpisode::REPORTED_MISSING);
    e->set_risk_grade(mab::v1::MissingEpisode::MEDIUM);
    send("police-a", m);
    auto h = about("health-a", area_a);
    h.mutable_health_concern()->set_kind(mab::v1::HealthConcern::EMERGENCY_INJURY);
    send("health-a", h);
  }

  void notice() {
    auto n = about("csc-a", area_b);
    auto* t = n.mutable_transfer_notice();
    t->set_transfer_id("T-MD");
    t->set_from_area(area_a);
    t->set_to_area(area_b);
    t->set_reason("family moved");
    send("csc-a", n);
  }

  void part(const std::string& sender) {
    auto n = about(sender, area_b);
    auto* p = n.mutable_record_part();
    p->set_transfer_id("T-MD");
    p->set_kind(mab::v1::RecordPart::CASE_SUMMARY);
    p->set_sequence(1);
    p->set_total(1);
    p->set_content_type("text/plain");
    p->set_content("summary of involvement from " + sender);
    send(sender, n);
  }

  // Drains `agency`'s deliveries and notices, acknowledging unless told not to; returns the
  // notifications that arrived.
  std::vector<mab::v1::Notification> drain(const std::string& agency, bool ack = true,
                                           std::chrono::milliseconds quiet = 800ms) {
    return testing::drain(*clients[agency], quiet, ack);
  }


  std::string ctl(const std::vector<std::string>& args) {
    std::vector<std::string> a = args;
    a.push_back("--mabd-config");
    a.push_back(sb.config_path());
    auto r = sb.mabctl(a);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  static std::vector<std::string> flag_types(const std::vector<mab::v1::Notification>& ns) {
    std::vector<std::string> out;
    for (const auto& n : ns) {
      if (n.has_flag()) out.push_back(n.flag().flag_type() + ":" + n.flag().state() + ":" + n.flag().owed_by());
    }
    return out;
  }

  sandbox sb;
  std::map<std::string, std::unique_ptr<sdk::client>> clients;
};

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

TEST_F(transfer_test, child_md_one_agency_never_sends_is_flagged_then_completes_when_it_does) {
  history();
  drain("csc-a");
  notice();
  drain("csc-b");
  // Every agency of the old area that was involved owes its part: the three that knew, and the
  // front door that sent the notice.
  const auto shown = ctl({"transfers", "show", "T-MD", "--json"});
  for (const char* a : {"school-a", "police-a", "health-a", "csc-a"}) {
    EXPECT_NE(shown.find(std::string("\"owed_by\":\"") + a + "\""), std::string::npos) << a << shown;
  }
  EXPECT_NE(shown.find("history: involved"), std::string::npos) << shown;
  EXPECT_EQ(shown.find("P207000016049"), std::string::npos) << "identifiers on the ledger";

  part("school-a");
  part("police-a");
  part("csc-a");
  const auto received = drain("csc-b");
  EXPECT_EQ(received.size(), 3u);

  std::this_thread::sleep_for(4500ms);  // the parts' deadline passes; health never sent
  const auto a_flags = flag_types(drain("csc-a"));
  const auto b_flags = flag_types(drain("csc-b"));
  EXPECT_TRUE(contains(a_flags, "INCOMPLETE:RAISED:health-a")) << ::testing::PrintToString(a_flags);
  EXPECT_TRUE(contains(b_flags, "INCOMPLETE:RAISED:health-a")) << ::testing::PrintToString(b_flags);
  EXPECT_NE(ctl({"transfers", "list", "--flag", "INCOMPLETE", "--json"}).find("T-MD"),
            std::string::npos);

  part("health-a");  // late
  drain("csc-b");    // received and acknowledged
  std::this_thread::sleep_for(1500ms);
  const auto cleared = flag_types(drain("csc-a"));
  EXPECT_TRUE(contains(cleared, "INCOMPLETE:CLEARED:health-a")) << ::testing::PrintToString(cleared);
  const auto done = ctl({"transfers", "show", "T-MD", "--json"});
  EXPECT_NE(done.find("\"state\":\"complete\""), std::string::npos) << done;
  EXPECT_NE(done.find("\"parts_acknowledged\":4"), std::string::npos) << done;

  // Information is not a one-off event: health, in the old area, reports again; the new front
  // door hears it too, and it goes on the transfer's timeline.
  auto later = about("health-a", area_a);
  later.mutable_health_concern()->set_kind(mab::v1::HealthConcern::EMERGENCY_SELF_HARM);
  send("health-a", later);
  bool heard = false;
  for (const auto& n : drain("csc-b")) heard = heard || n.has_health_concern();
  EXPECT_TRUE(heard);
  EXPECT_NE(ctl({"transfers", "show", "T-MD"}).find("after completion"), std::string::npos);

  ASSERT_EQ(sb.stop(), 0);
  auto verify = sb.mabctl({"audit", "verify", "--mabd-config", sb.config_path()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
}

TEST_F(transfer_test, part_delivered_and_never_acknowledged_is_unacknowledged) {
  history();
  drain("csc-a");
  notice();
  drain("csc-b");
  part("school-a");
  EXPECT_EQ(drain("csc-b", /*ack=*/false).size(), 1u);
  EXPECT_NE(ctl({"transfers", "show", "T-MD", "--json"}).find("\"state\":\"delivered\""),
            std::string::npos);
  std::this_thread::sleep_for(3500ms);
  const auto flags = flag_types(drain("school-a", true, 1500ms));
  EXPECT_TRUE(contains(flags, "UNACKNOWLEDGED:RAISED:csc-b")) << ::testing::PrintToString(flags);
}

TEST_F(transfer_test, part_never_collected_is_undelivered) {
  history();
  drain("csc-a");
  clients.erase("csc-b");  // the new front door's adapter is down: nothing is collected
  notice();
  part("school-a");
  std::this_thread::sleep_for(3500ms);
  const auto flags = flag_types(drain("school-a", true, 1500ms));
  EXPECT_TRUE(contains(flags, "UNDELIVERED:RAISED:csc-b")) << ::testing::PrintToString(flags);
  const auto shown = ctl({"transfers", "show", "T-MD", "--json"});
  EXPECT_NE(shown.find("UNDELIVERED"), std::string::npos) << shown;
}

TEST_F(transfer_test, identifiers_known_to_different_agencies_meet_and_conflicts_are_flagged) {
  // School knows a UPN, health an NHS number; police carries both and links them. A later
  // health notification with a different date of birth is a data-quality flag.
  history();
  drain("csc-a");
  auto h = about("health-a", area_a);
  h.mutable_subject()->set_date_of_birth("2015-05-18");
  h.mutable_health_concern()->set_kind(mab::v1::HealthConcern::EMERGENCY_INJURY);
  send("health-a", h);
  const auto flags = flag_types(drain("csc-a"));
  bool dq = false;
  for (const auto& f : flags) dq = dq || f.rfind("DATA_QUALITY:RAISED", 0) == 0;
  EXPECT_TRUE(dq) << ::testing::PrintToString(flags);
  // One subject, not two: the transfer expects the school's part although the school only
  // ever knew the UPN and the notice only carries the NHS number... via police's link.
  notice();
  const auto shown = ctl({"transfers", "show", "T-MD", "--json"});
  EXPECT_NE(shown.find("\"owed_by\":\"school-a\""), std::string::npos) << shown;
}

}  // namespace
}  // namespace mab::testing

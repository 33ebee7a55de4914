// The ledger's test fixture: a real configuration with two areas, a real SQLite store in a
// temporary folder and a fake clock starting on Friday 20 November 2026 at 10:00 UTC.
#pragma once

#include <filesystem>

#include <gtest/gtest.h>

#include "daemon/ledger/ledger.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/test_config.h"

namespace mab::ledger {

using namespace std::chrono_literals;

class ledger_test : public ::testing::Test {
 protected:
  ledger_test() {
    testing::test_config tc;
    tc.agency("school-a", "school", "E1", {"referral"})
        .agency("police-a", "police", "E1", {"missing_episode"})
        .agency("csc-a", "csc", "E1", {"referral_outcome"})
        .agency("mash-a", "mash", "E1", {})
        .agency("health-a", "health", "E1", {})
        .agency("housing-b", "housing", "E2", {})
        .agency("csc-b", "csc", "E2", {})
        .routes(R"(
[[route]]
bodies = ["referral", "missing_episode"]
to_kinds = ["csc"]

[policy]
referral_outcome_due = "1 working day"
return_interview_due = "72 hours"
acknowledgement_due = "10s"
ack_required = ["record_part"]
due_soon_fraction = 0.5
transfer_part_due = "1 day"
expected_parts = [["HEALTH_RECORD", "health", "always"]]

[[area]]
code = "E1"
front_door = "csc-a"
escalation = ["mash-a"]

[[area]]
code = "E2"
front_door = "csc-b"
)");
    cfg = tc.build();
    cal = std::make_unique<calendar::calendar>(
        std::move(calendar::calendar::make(cfg.ledger.calendar_settings)).value());
    char tmpl[] = "/tmp/mab-ledger-test-XXXXXX";
    dir = mkdtemp(tmpl);
    st = std::move(store::open_sqlite({dir + "/mab.db", false})).value();
    l = std::make_unique<ledger>(cfg, *cal, *st, keyer);
    // Friday 2026-11-20 10:00 UTC: one working day later is the end of Monday.
    clk.set(std::chrono::sys_days(std::chrono::year{2026} / 11 / 20) + 10h);
  }
  ~ledger_test() override {
    l.reset();
    st.reset();
    std::filesystem::remove_all(dir);
  }

  mab::v1::Notification referral(const std::string& id, std::vector<std::string> concerns) {
    mab::v1::Notification n;
    n.set_message_id(id);
    n.set_sender("school-a");
    n.mutable_subject()->set_area("E1");
    auto* r = n.mutable_referral();
    r->set_referral_id("R-" + id);
    for (const auto& c : concerns) r->add_concerns()->set_concern_id(c);
    return n;
  }
  mab::v1::Notification outcome(const std::string& answers, std::vector<std::string> decided) {
    mab::v1::Notification n;
    n.set_message_id("out-" + answers);
    n.set_sender("csc-a");
    n.set_correlation_id(answers);
    auto* o = n.mutable_referral_outcome();
    for (const auto& c : decided) {
      auto* d = o->add_decisions();
      d->set_concern_id(c);
      d->set_decision(mab::v1::ConcernDecision::EARLY_HELP);
    }
    return n;
  }
  mab::v1::Notification missing(mab::v1::MissingEpisode::Status status,
                                mab::v1::MissingEpisode::RiskGrade risk) {
    mab::v1::Notification n;
    n.set_message_id("m-" + std::to_string(static_cast<int>(status)));
    n.set_sender("police-a");
    n.mutable_subject()->set_area("E1");
    auto* m = n.mutable_missing_episode();
    m->set_episode_id("EP-1");
    m->set_police_reference("EP-1");
    m->set_status(status);
    m->set_risk_grade(risk);
    return n;
  }
  effects accept(const mab::v1::Notification& n, std::vector<std::string> recipients) {
    auto fx = l->on_accepted(n, recipients, clk.now());
    EXPECT_TRUE(fx) << fx.message();
    return fx ? std::move(*fx) : effects{};
  }
  effects tick() {
    auto fx = l->on_tick(clk.now());
    EXPECT_TRUE(fx) << fx.message();
    return fx ? std::move(*fx) : effects{};
  }
  static std::vector<std::string> types(const std::vector<store::flag_record>& flags) {
    std::vector<std::string> out;
    for (const auto& f : flags) out.push_back(f.flag_type);
    return out;
  }

  config::config cfg;
  std::unique_ptr<calendar::calendar> cal;
  std::string dir;
  testing::fake_clock clk;
  subjects::keyer keyer = std::move(subjects::keyer::from_secret(std::string(32, 's'))).value();
  std::unique_ptr<store::store> st;
  std::unique_ptr<ledger> l;
};

}  // namespace mab::ledger

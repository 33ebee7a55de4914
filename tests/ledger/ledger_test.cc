// The deadline engine with a fake clock and a real SQLite store: what each notification owes,
// what answers it, and which flags a missed deadline raises, to whom, once.
#include "daemon/ledger/ledger.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "tests/fakes/fake_clock.h"
#include "tests/fakes/test_config.h"

namespace mab::ledger {
namespace {

using namespace std::chrono_literals;

class ledger_test : public ::testing::Test {
 protected:
  ledger_test() {
    testing::test_config tc;
    tc.agency("school-a", "school", "E1", {"referral"})
        .agency("police-a", "police", "E1", {"missing_episode"})
        .agency("csc-a", "csc", "E1", {"referral_outcome"})
        .agency("mash-a", "mash", "E1", {})
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

[[area]]
code = "E1"
front_door = "csc-a"
escalation = ["mash-a"]
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

TEST_F(ledger_test, referral_owes_an_outcome_by_the_end_of_the_next_working_day) {
  accept(referral("r1", {"c1"}), {"csc-a"});
  auto o = st->find_obligation("referral_outcome", "r1/csc-a");
  ASSERT_TRUE(o && o->has_value());
  EXPECT_EQ((*o)->owed_by, "csc-a");
  EXPECT_EQ((*o)->owed_to, "school-a");
  // Friday 10:00 + 1 working day = end of Monday 23 November.
  EXPECT_EQ((*o)->due_at, std::chrono::sys_days(std::chrono::year{2026} / 11 / 24));
}

TEST_F(ledger_test, no_outcome_raises_no_feedback_to_referrer_and_its_front_door_once) {
  accept(referral("r1", {"c1"}), {"csc-a"});
  clk.advance(24h * 4);
  auto fx = tick();
  ASSERT_EQ(types(fx.raised), (std::vector<std::string>{"NO_FEEDBACK"}));
  EXPECT_EQ(fx.raised[0].recipients, (std::vector<std::string>{"school-a", "csc-a", "mash-a"}));
  EXPECT_EQ(fx.raised[0].owed_by, "csc-a");
  EXPECT_TRUE(tick().raised.empty()) << "a missed deadline raises its flag once";
}

TEST_F(ledger_test, due_soon_warns_the_agency_that_owes_and_clears_when_answered) {
  accept(referral("r1", {"c1"}), {"csc-a"});
  clk.advance(44h);  // past half (43h) of Friday 10:00 -> Tuesday 00:00
  auto fx = tick();
  ASSERT_EQ(types(fx.raised), (std::vector<std::string>{"DUE_SOON"}));
  EXPECT_EQ(fx.raised[0].recipients, (std::vector<std::string>{"csc-a"}));
  fx = accept(outcome("r1", {"c1"}), {"school-a"});
  ASSERT_EQ(types(fx.cleared), (std::vector<std::string>{"DUE_SOON"}));
  clk.advance(24h * 5);
  EXPECT_TRUE(tick().raised.empty());
}

TEST_F(ledger_test, outcome_that_skips_concerns_raises_concerns_not_addressed_naming_them) {
  accept(referral("r1", {"c1", "c2", "c3"}), {"csc-a"});
  auto fx = accept(outcome("r1", {"c2"}), {"school-a"});
  ASSERT_EQ(types(fx.raised), (std::vector<std::string>{"CONCERNS_NOT_ADDRESSED"}));
  EXPECT_EQ(fx.raised[0].recipients, (std::vector<std::string>{"school-a"}));
  EXPECT_NE(fx.raised[0].detail.find("c1, c3"), std::string::npos) << fx.raised[0].detail;
  auto o = st->find_obligation("referral_outcome", "r1/csc-a");
  EXPECT_EQ((*o)->state, store::obligation_state::fulfilled);
}

TEST_F(ledger_test, late_outcome_clears_no_feedback) {
  accept(referral("r1", {"c1"}), {"csc-a"});
  clk.advance(24h * 4);
  ASSERT_EQ(tick().raised.size(), 1u);
  auto fx = accept(outcome("r1", {"c1"}), {"school-a"});
  ASSERT_EQ(types(fx.cleared), (std::vector<std::string>{"NO_FEEDBACK"}));
}

TEST_F(ledger_test, outcome_from_another_agency_does_not_fulfil) {
  accept(referral("r1", {"c1"}), {"csc-a"});
  auto o = outcome("r1", {"c1"});
  o.set_sender("mash-a");
  accept(o, {"school-a"});
  EXPECT_EQ((*st->find_obligation("referral_outcome", "r1/csc-a"))->state,
            store::obligation_state::open);
}

TEST_F(ledger_test, high_risk_missing_then_return_then_no_interview) {
  auto fx = accept(missing(mab::v1::MissingEpisode::REPORTED_MISSING, mab::v1::MissingEpisode::HIGH),
                   {"csc-a"});
  EXPECT_EQ(types(fx.raised), (std::vector<std::string>{"HIGH_RISK_MISSING", "CSE_CONSIDERATION"}));
  EXPECT_EQ(fx.raised[0].recipients, (std::vector<std::string>{"csc-a", "mash-a"}));
  fx = accept(missing(mab::v1::MissingEpisode::RETURNED, mab::v1::MissingEpisode::HIGH), {"csc-a"});
  EXPECT_EQ(types(fx.cleared), (std::vector<std::string>{"HIGH_RISK_MISSING"}));
  clk.advance(73h);
  fx = tick();
  ASSERT_EQ(types(fx.raised), (std::vector<std::string>{"RETURN_INTERVIEW_OVERDUE"}));
  EXPECT_EQ(fx.raised[0].recipients, (std::vector<std::string>{"csc-a", "police-a", "mash-a"}));
}

TEST_F(ledger_test, low_risk_missing_still_prompts_cse_consideration) {
  auto fx = accept(missing(mab::v1::MissingEpisode::REPORTED_MISSING, mab::v1::MissingEpisode::LOW),
                   {"csc-a"});
  EXPECT_EQ(types(fx.raised), (std::vector<std::string>{"CSE_CONSIDERATION"}));
}

TEST_F(ledger_test, interview_held_fulfils_the_return_obligation) {
  accept(missing(mab::v1::MissingEpisode::RETURNED, mab::v1::MissingEpisode::LOW), {"csc-a"});
  accept(missing(mab::v1::MissingEpisode::RETURN_INTERVIEW_HELD, mab::v1::MissingEpisode::LOW),
         {"csc-a"});
  clk.advance(100h);
  EXPECT_TRUE(tick().raised.empty());
  EXPECT_EQ((*st->find_obligation("return_interview", "EP-1"))->state,
            store::obligation_state::fulfilled);
}

mab::v1::Notification record_part(const std::string& id) {
  mab::v1::Notification n;
  n.set_message_id(id);
  n.set_sender("school-a");
  n.mutable_subject()->set_area("E1");
  n.mutable_record_part()->set_transfer_id("T-1");
  return n;
}

TEST_F(ledger_test, delivery_needing_acknowledgement_is_flagged_unacknowledged) {
  accept(record_part("p1"), {"csc-a"});  // record_part is in this policy's ack_required
  clk.advance(11s);
  auto fx = tick();
  ASSERT_EQ(types(fx.raised), (std::vector<std::string>{"UNACKNOWLEDGED"}));
  EXPECT_EQ(fx.raised[0].owed_by, "csc-a");
  EXPECT_EQ(fx.raised[0].recipients[0], "school-a");
}

TEST_F(ledger_test, acknowledgement_in_time_fulfils) {
  accept(record_part("p1"), {"csc-a"});
  auto fx = l->on_acked("p1", "csc-a", clk.now());
  ASSERT_TRUE(fx);
  clk.advance(11s);
  EXPECT_TRUE(types(tick().raised).empty());
}

}  // namespace
}  // namespace mab::ledger

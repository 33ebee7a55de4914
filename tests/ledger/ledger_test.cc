// The deadline engine with a fake clock and a real SQLite store: what each notification owes,
// what answers it, and which flags a missed deadline raises, to whom, once.
#include "daemon/ledger/ledger.h"

#include "tests/ledger/fixture.h"

namespace mab::ledger {
namespace {

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

// The deadline engine against a real mabd, with deadlines of seconds: referrals owe outcomes,
// returned children are owed interviews, and every miss is flagged to named agencies, once,
// even across a crash.
#include <signal.h>

#include <thread>

#include <gtest/gtest.h>

#include "tests/integration/scenario.h"

namespace mab::testing {
namespace {

using namespace std::chrono_literals;

const char* ledger_config = R"(
[policy]
referral_outcome_due = "3s"
return_interview_due = "3s"
acknowledgement_due = "30s"
due_soon_fraction = 0.5
flag_resend = "1 hour"

[[area]]
code = "E09000001"
front_door = "csc-a"

[[area]]
code = "E08000025"
front_door = "csc-b"
)";

class ledger_test : public ::testing::Test {
 protected:
  void SetUp() override {
    standard_agencies(sb);
    sb.routes += ledger_config;
    ASSERT_NO_FATAL_FAILURE(sb.start());
  }

  mab::v1::Notification referral(std::initializer_list<const char*> concerns) {
    auto n = attendance_concern("school-a", area_a);
    auto* r = n.mutable_referral();
    r->set_referral_id("R-1");
    r->set_referrer_name("Head of Year 6");
    r->set_consent_obtained(true);
    for (const char* c : concerns) {
      auto* x = r->add_concerns();
      x->set_concern_id(c);
      x->set_category(mab::v1::Concern::NEGLECT);
      x->set_description("seen hungry at school");
    }
    return n;
  }

  mab::v1::Notification missing(const std::string& episode, mab::v1::MissingEpisode::Status st) {
    auto n = attendance_concern("police-a", area_a);
    auto* m = n.mutable_missing_episode();
    m->set_police_reference(episode);
    m->set_episode_id(episode);
    m->set_status(st);
    m->set_risk_grade(mab::v1::MissingEpisode::HIGH);
    const auto now = std::chrono::system_clock::now();
    *m->mutable_reported_at() = wire::to_timestamp(now - 1h);
    if (st == mab::v1::MissingEpisode::RETURNED) *m->mutable_returned_at() = wire::to_timestamp(now);
    return n;
  }

  // Receives (and acks) until `want` flags of the given types arrived; returns them in order.
  std::vector<mab::v1::Flag> flags_for(sdk::client& c, std::size_t want,
                                       std::chrono::milliseconds timeout = 15000ms) {
    std::vector<mab::v1::Flag> got;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (got.size() < want && std::chrono::steady_clock::now() < deadline) {
      auto e = c.receive(500ms);
      if (!e || !e->has_value()) continue;
      if (const auto* d = as_delivery(**e)) {
        EXPECT_TRUE(c.ack(*d));
        if (d->notification.has_flag()) {
          EXPECT_EQ(d->notification.sender(), "mab");
          got.push_back(d->notification.flag());
        }
      } else if (const auto* n = as_notice(**e)) {
        EXPECT_TRUE(c.confirm(*n));
      }
    }
    return got;
  }

  std::string flags_json() {
    auto r = sb.mabctl({"flags", "list", "--json", "--mabd-config", sb.config_path()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  static std::size_t count(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
    return n;
  }

  sandbox sb;
};

TEST_F(ledger_test, outcome_deciding_one_of_three_concerns_is_flagged_to_the_referrer) {
  auto school = sb.client("school-a");
  auto csc = sb.client("csc-a");
  const auto ref = referral({"c1", "c2", "c3"});
  ASSERT_EQ(school->send(ref, receipt_timeout)->status(), mab::v1::Receipt::ACCEPTED);
  auto got = receive_for(*csc, event_timeout, 1);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(csc->ack(*as_delivery(got[0])));

  mab::v1::Notification out;
  out.set_correlation_id(ref.message_id());
  out.add_recipients("school-a");
  out.mutable_subject()->set_upn("P207000016049");
  out.mutable_subject()->set_area(area_a);
  auto* o = out.mutable_referral_outcome();
  o->set_referral_id("R-1");
  auto* d = o->add_decisions();
  d->set_concern_id("c1");
  d->set_decision(mab::v1::ConcernDecision::NO_FURTHER_ACTION);
  d->set_rationale("explained by a family bereavement");
  auto r = csc->send(out, receipt_timeout);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status(), mab::v1::Receipt::ACCEPTED) << r->detail();

  auto flags = flags_for(*school, 1);
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].flag_type(), "CONCERNS_NOT_ADDRESSED");
  EXPECT_NE(flags[0].detail().find("c2"), std::string::npos) << flags[0].detail();
  EXPECT_NE(flags[0].detail().find("c3"), std::string::npos) << flags[0].detail();
  EXPECT_EQ(flags[0].detail().find("P207000016049"), std::string::npos);
  EXPECT_EQ(flags[0].subject_key().rfind("sk_", 0), 0u);
  // Answered in time: no NO_FEEDBACK follows.
  std::this_thread::sleep_for(4s);
  EXPECT_EQ(count(flags_json(), "NO_FEEDBACK"), 0u);
}

TEST_F(ledger_test, referral_never_answered_raises_no_feedback_to_referrer_and_its_front_door) {
  auto school = sb.client("school-a");
  auto csc = sb.client("csc-a");
  ASSERT_EQ(school->send(referral({"c1"}), receipt_timeout)->status(), mab::v1::Receipt::ACCEPTED);
  auto school_flags = flags_for(*school, 1);  // DUE_SOON goes to the front door, not the school
  std::vector<std::string> types;
  for (const auto& f : school_flags) types.push_back(f.flag_type());
  ASSERT_FALSE(types.empty());
  EXPECT_EQ(types[0], "NO_FEEDBACK");
  EXPECT_EQ(school_flags[0].owed_by(), "csc-a");
  auto csc_flags = flags_for(*csc, 3);  // DUE_SOON, then (DUE_SOON cleared), then NO_FEEDBACK
  bool no_feedback = false;
  for (const auto& f : csc_flags) no_feedback = no_feedback || f.flag_type() == "NO_FEEDBACK";
  EXPECT_TRUE(no_feedback);
  EXPECT_EQ(count(flags_json(), "\"NO_FEEDBACK\""), 1u);
}

TEST_F(ledger_test, high_risk_missing_then_return_then_no_interview_raises_flags_in_order) {
  auto police = sb.client("police-a");
  auto csc = sb.client("csc-a");
  ASSERT_EQ(police->send(missing("EP-1", mab::v1::MissingEpisode::REPORTED_MISSING), receipt_timeout)->status(),
            mab::v1::Receipt::ACCEPTED);
  ASSERT_EQ(police->send(missing("EP-1", mab::v1::MissingEpisode::RETURNED), receipt_timeout)->status(),
            mab::v1::Receipt::ACCEPTED);
  std::vector<std::string> seen;
  for (const auto& f : flags_for(*csc, 6)) seen.push_back(f.flag_type() + ":" + f.state());
  // The interview's DUE_SOON warning gives way to the overdue flag when the deadline passes.
  const std::vector<std::string> expected = {
      "HIGH_RISK_MISSING:RAISED", "CSE_CONSIDERATION:RAISED", "HIGH_RISK_MISSING:CLEARED",
      "DUE_SOON:RAISED",          "DUE_SOON:CLEARED",         "RETURN_INTERVIEW_OVERDUE:RAISED"};
  EXPECT_EQ(seen, expected);
  // The police, who reported the return, are told too.
  bool told = false;
  for (const auto& f : flags_for(*police, 1)) told = told || f.flag_type() == "RETURN_INTERVIEW_OVERDUE";
  EXPECT_TRUE(told);
}

TEST_F(ledger_test, interview_held_in_time_fulfils_the_obligation) {
  auto police = sb.client("police-a");
  ASSERT_EQ(police->send(missing("EP-2", mab::v1::MissingEpisode::RETURNED), receipt_timeout)->status(),
            mab::v1::Receipt::ACCEPTED);
  auto held = missing("EP-2", mab::v1::MissingEpisode::RETURN_INTERVIEW_HELD);
  ASSERT_EQ(police->send(held, receipt_timeout)->status(), mab::v1::Receipt::ACCEPTED);
  std::this_thread::sleep_for(4s);
  auto r = sb.mabctl({"obligations", "list", "--json", "--mabd-config", sb.config_path()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"fulfilled\""), std::string::npos) << r.out;
  EXPECT_EQ(count(flags_json(), "RETURN_INTERVIEW_OVERDUE"), 0u);
}

TEST_F(ledger_test, deadline_passing_while_mabd_is_down_raises_the_flag_once_at_startup) {
  {
    auto school = sb.client("school-a");
    ASSERT_EQ(school->send(referral({"c1"}), receipt_timeout)->status(), mab::v1::Receipt::ACCEPTED);
  }
  sb.stop(SIGKILL);
  std::this_thread::sleep_for(4s);  // the deadline passes while nobody is watching
  ASSERT_NO_FATAL_FAILURE(sb.start());
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(count(flags_json(), "\"NO_FEEDBACK\""), 1u);
  ASSERT_EQ(sb.stop(), 0);
  ASSERT_NO_FATAL_FAILURE(sb.start());
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(count(flags_json(), "\"NO_FEEDBACK\""), 1u) << "raised again after a restart";
  auto school = sb.client("school-a");
  auto flags = flags_for(*school, 1);
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].flag_type(), "NO_FEEDBACK");
}

TEST_F(ledger_test, operator_acknowledges_a_flag_with_a_note_and_it_is_audited) {
  auto school = sb.client("school-a");
  ASSERT_EQ(school->send(referral({"c1"}), receipt_timeout)->status(), mab::v1::Receipt::ACCEPTED);
  std::this_thread::sleep_for(4s);
  const auto listed = flags_json();
  const auto pos = listed.find("\"NO_FEEDBACK\"");
  ASSERT_NE(pos, std::string::npos) << listed;
  const auto line_start = listed.rfind('\n', pos) == std::string::npos ? 0 : listed.rfind('\n', pos) + 1;
  const auto id_pos = listed.find("\"flag_id\":", line_start);
  const std::string id = std::to_string(std::stoull(listed.substr(id_pos + 10)));
  // Over the operator API: who acknowledged is the token's holder, not a claim on the command line.
  auto ack = sb.mabctl({"flags", "ack", id, "--note",
                        "phoned the front door; outcome promised today", "--mabd-config",
                        sb.config_path()});
  ASSERT_EQ(ack.exit_code, 0) << ack.err << ack.out;
  EXPECT_NE(ack.out.find("by test-operator"), std::string::npos) << ack.out;
  EXPECT_NE(flags_json().find("\"acked_by\":\"test-operator\""), std::string::npos);
  auto missing_note = sb.mabctl({"flags", "ack", id, "--note", "", "--mabd-config",
                                 sb.config_path()});
  EXPECT_NE(missing_note.exit_code, 0);
  // A viewer may read the ledger but not acknowledge: mabd says 403 and mabctl passes it on.
  auto as_viewer = sb.mabctl({"flags", "ack", id, "--note", "again", "--mabd-config",
                              sb.config_path(), "--token-file", sb.token_file("viewer")});
  EXPECT_EQ(as_viewer.exit_code, 1);
  EXPECT_NE(as_viewer.err.find("HTTP 403"), std::string::npos) << as_viewer.err;
  ASSERT_EQ(sb.stop(), 0);
  auto verify = sb.mabctl({"audit", "verify", "--mabd-config", sb.config_path()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
}

}  // namespace
}  // namespace mab::testing

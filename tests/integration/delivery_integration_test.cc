// The core promise end to end against a real mabd: accepted, routed, delivered, verified,
// acknowledged, and the sender told; duplicates and conflicts; refusals to the dead-letter
// store and an operator's replay.
#include <gtest/gtest.h>

#include "tests/integration/scenario.h"

namespace mab::testing {
namespace {

class delivery_test : public ::testing::Test {
 protected:
  void SetUp() override {
    standard_agencies(sb);
    sb.broker_extra = "retry_initial_seconds = 1.0\nretry_max_seconds = 2.0\n";
    ASSERT_NO_FATAL_FAILURE(sb.start());
  }
  sandbox sb;
};

TEST_F(delivery_test, accepted_delivered_acknowledged_and_sender_told) {
  auto school = sb.client("school-a");
  auto csc = sb.client("csc-a");
  auto n = attendance_concern("school-a", area_a);
  auto receipt = school->send(n, receipt_timeout);
  ASSERT_TRUE(receipt) << receipt.message();
  EXPECT_EQ(receipt->status(), mab::v1::Receipt::ACCEPTED) << receipt->detail();
  EXPECT_EQ(receipt->message_id(), n.message_id());
  EXPECT_GT(receipt->store_seq(), 0u);
  ASSERT_EQ(receipt->recipients_size(), 1);
  EXPECT_EQ(receipt->recipients(0), "csc-a");

  auto events = receive_for(*csc, event_timeout, 1);
  ASSERT_EQ(events.size(), 1u);
  const auto* d = as_delivery(events[0]);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->notification.message_id(), n.message_id());
  EXPECT_EQ(d->notification.subject().upn(), "P207000016049");
  EXPECT_EQ(d->attempt, 1u);
  // The envelope is the school's own signature over the exact bytes.
  EXPECT_TRUE(wire::verify_envelope(d->envelope, sb.agency("school-a").sign.public_key));
  ASSERT_TRUE(csc->ack(*d));

  auto notices = receive_for(*school, event_timeout, 1);
  ASSERT_EQ(notices.size(), 1u);
  const auto* notice = as_notice(notices[0]);
  ASSERT_NE(notice, nullptr);
  const auto* ack = std::get_if<mab::v1::AckNotice>(&notice->body);
  ASSERT_NE(ack, nullptr);
  EXPECT_EQ(ack->message_id(), n.message_id());
  EXPECT_EQ(ack->recipient(), "csc-a");
  // The notice carries the recipient's own signed ack, verifiable with its key.
  mab::v1::Ack inner;
  EXPECT_TRUE(wire::open_sealed(ack->ack(), wire::sealed_type::ack,
                                sb.agency("csc-a").sign.public_key, inner));
  EXPECT_EQ(inner.message_id(), n.message_id());
  ASSERT_TRUE(school->confirm(*notice));

  // Acknowledged and confirmed: nothing comes round again.
  EXPECT_TRUE(receive_for(*csc, std::chrono::milliseconds(1500), 1).empty());
  EXPECT_TRUE(receive_for(*school, std::chrono::milliseconds(500), 1).empty());
}

TEST_F(delivery_test, same_bytes_again_is_duplicate_and_delivered_once) {
  auto school = sb.client("school-a");
  auto csc = sb.client("csc-a");
  auto env = school->sign(attendance_concern("school-a", area_a));
  auto first = school->submit(env, receipt_timeout);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status(), mab::v1::Receipt::ACCEPTED);
  auto again = school->submit(env, receipt_timeout);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status(), mab::v1::Receipt::DUPLICATE);
  EXPECT_EQ(again->store_seq(), first->store_seq());

  auto events = receive_for(*csc, event_timeout, 1);
  ASSERT_EQ(events.size(), 1u);
  ASSERT_TRUE(csc->ack(*as_delivery(events[0])));
  EXPECT_TRUE(receive_for(*csc, std::chrono::milliseconds(1500), 1).empty());
}

TEST_F(delivery_test, same_id_with_other_bytes_is_a_conflict) {
  auto school = sb.client("school-a");
  auto n = attendance_concern("school-a", area_a);
  ASSERT_EQ(school->send(n, receipt_timeout)->status(), mab::v1::Receipt::ACCEPTED);
  n.mutable_attendance_concern()->set_summary("changed");
  auto r = school->send(n, receipt_timeout);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), mab::v1::Receipt::REJECTED);
  EXPECT_EQ(r->reason(), mab::v1::DUPLICATE_CONFLICT);
  EXPECT_EQ(r->field(), "message_id");
}

TEST_F(delivery_test, refused_until_dead_letter_then_sender_told_and_operator_replays) {
  auto school = sb.client("school-a");
  auto csc = sb.client("csc-a");
  auto n = attendance_concern("school-a", area_a);
  ASSERT_EQ(school->send(n, receipt_timeout)->status(), mab::v1::Receipt::ACCEPTED);
  // Default max_refusals is 3; retry_initial_seconds is short in this sandbox (see SetUp).
  for (int i = 0; i < 3; ++i) {
    auto events = receive_for(*csc, std::chrono::milliseconds(15000), 1);
    ASSERT_EQ(events.size(), 1u) << "refusal round " << i;
    ASSERT_TRUE(csc->refuse(*as_delivery(events[0]), "schema not supported by our case system"));
  }
  auto notices = receive_for(*school, event_timeout, 1);
  ASSERT_EQ(notices.size(), 1u);
  const auto* dead = std::get_if<mab::v1::DeadLetterNotice>(&as_notice(notices[0])->body);
  ASSERT_NE(dead, nullptr);
  EXPECT_EQ(dead->message_id(), n.message_id());
  EXPECT_EQ(dead->refusals(), 3u);
  EXPECT_EQ(dead->last_reason(), "schema not supported by our case system");
  // Dead letters are not retried on their own.
  EXPECT_TRUE(receive_for(*csc, std::chrono::milliseconds(2500), 1).empty());

  auto listed = sb.mabctl({"deadletters", "list", "--mabd-config", sb.config_path(), "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find(n.message_id()), std::string::npos) << listed.out;
  const auto pos = listed.out.find("\"delivery_id\":");
  ASSERT_NE(pos, std::string::npos) << listed.out;
  const std::string id = std::to_string(std::stoull(listed.out.substr(pos + 14)));
  auto replayed = sb.mabctl({"deadletters", "replay", id, "--mabd-config", sb.config_path()});
  ASSERT_EQ(replayed.exit_code, 0) << replayed.err << replayed.out;

  auto events = receive_for(*csc, event_timeout, 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(as_delivery(events[0])->notification.message_id(), n.message_id());
  ASSERT_TRUE(csc->ack(*as_delivery(events[0])));
}

TEST_F(delivery_test, unanswered_delivery_is_retried) {
  auto school = sb.client("school-a");
  auto csc = sb.client("csc-a");
  ASSERT_EQ(school->send(attendance_concern("school-a", area_a), receipt_timeout)->status(),
            mab::v1::Receipt::ACCEPTED);
  auto first = receive_for(*csc, event_timeout, 1);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(as_delivery(first[0])->attempt, 1u);
  auto second = receive_for(*csc, std::chrono::milliseconds(15000), 1);  // no ack: retried
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(as_delivery(second[0])->attempt, 2u);
  EXPECT_EQ(as_delivery(second[0])->notification.message_id(),
            as_delivery(first[0])->notification.message_id());
}

}  // namespace
}  // namespace mab::testing

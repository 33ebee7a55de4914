// Nothing accepted is lost: not while a recipient is offline, not across a restart, not when
// mabd is killed outright the moment after it said ACCEPTED.
#include <signal.h>

#include <set>

#include <gtest/gtest.h>

#include "tests/integration/scenario.h"

namespace mab::testing {
namespace {

class durability_test : public ::testing::Test {
 protected:
  void SetUp() override {
    standard_agencies(sb);
    ASSERT_NO_FATAL_FAILURE(sb.start());
  }

  std::vector<std::string> send_many(int count) {
    auto school = sb.client("school-a");
    std::vector<std::string> ids;
    for (int i = 0; i < count; ++i) {
      auto n = attendance_concern("school-a", area_a);
      auto r = school->send(n, receipt_timeout);
      EXPECT_TRUE(r) << r.message();
      if (!r) break;
      EXPECT_EQ(r->status(), mab::v1::Receipt::ACCEPTED) << r->detail();
      ids.push_back(n.message_id());
    }
    return ids;
  }

  // Receives and acknowledges until every id in `want` arrived; fails on a stranger.
  void receive_all(const std::vector<std::string>& want) {
    auto csc = sb.client("csc-a");
    std::set<std::string> missing(want.begin(), want.end());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!missing.empty() && std::chrono::steady_clock::now() < deadline) {
      auto e = csc->receive(std::chrono::milliseconds(1000));
      ASSERT_TRUE(e) << e.message();
      if (!e->has_value()) continue;
      const auto* d = as_delivery(**e);
      ASSERT_NE(d, nullptr);
      // At-least-once: a redelivery of one already seen is fine; an unknown one is not.
      ASSERT_TRUE(std::find(want.begin(), want.end(), d->notification.message_id()) != want.end());
      missing.erase(d->notification.message_id());
      ASSERT_TRUE(csc->ack(*d));
    }
    EXPECT_TRUE(missing.empty()) << missing.size() << " of " << want.size() << " never arrived";
  }

  sandbox sb;
};

TEST_F(durability_test, offline_recipient_receives_on_reconnect_oldest_first) {
  const auto ids = send_many(5);
  ASSERT_EQ(ids.size(), 5u);
  auto csc = sb.client("csc-a");  // comes online only now
  std::vector<std::string> order;
  while (order.size() < ids.size()) {
    auto events = receive_for(*csc, event_timeout, 1);
    ASSERT_EQ(events.size(), 1u) << "after " << order.size();
    const auto* d = as_delivery(events[0]);
    ASSERT_NE(d, nullptr);
    order.push_back(d->notification.message_id());
    ASSERT_TRUE(csc->ack(*d));
  }
  EXPECT_EQ(order, ids);
}

TEST_F(durability_test, restart_keeps_undelivered_messages) {
  const auto ids = send_many(3);
  ASSERT_EQ(ids.size(), 3u);
  ASSERT_EQ(sb.stop(SIGTERM), 0) << sb.log();
  ASSERT_NO_FATAL_FAILURE(sb.start());
  receive_all(ids);
}

TEST_F(durability_test, sigkill_right_after_accepted_loses_nothing) {
  auto ids = send_many(19);
  ASSERT_EQ(ids.size(), 19u);
  auto school = sb.client("school-a");
  const auto last = school->sign(attendance_concern("school-a", area_a));
  auto r = school->submit(last, receipt_timeout);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status(), mab::v1::Receipt::ACCEPTED);
  sb.stop(SIGKILL);  // the moment after ACCEPTED: no chance to flush anything
  ids.push_back(r->message_id());
  ASSERT_NO_FATAL_FAILURE(sb.start());
  receive_all(ids);
  // The store still knows it: re-sending is a duplicate with the original seq, not a new message.
  auto again = sb.client("school-a")->submit(last, receipt_timeout);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status(), mab::v1::Receipt::DUPLICATE);
  EXPECT_EQ(again->store_seq(), r->store_seq());
}

TEST_F(durability_test, sigterm_exits_cleanly) {
  send_many(1);
  EXPECT_EQ(sb.stop(SIGTERM), 0);
  EXPECT_NE(sb.log().find("mabd stopped"), std::string::npos) << sb.log();
}

}  // namespace
}  // namespace mab::testing

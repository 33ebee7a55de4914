// The live feed behind /api/v1/events: from the audit head on, ledger entries only, in order,
// each once, at most 200 a poll.
#include "tests/api/fixture.h"

namespace mab::api {
namespace {

class events_test : public api_test {
 protected:
  std::vector<json> drain(event_feed& feed, std::size_t& polls) {
    std::vector<json> out;
    for (polls = 0; polls < 100; ++polls) {
      const auto got = feed.poll();
      EXPECT_LE(got.size(), 200u);
      if (got.empty()) break;
      for (const auto& [event, data] : got) {
        EXPECT_EQ(event, "ledger");
        EXPECT_EQ(data.find('\n'), std::string::npos) << "one line per event";
        out.push_back(json::parse(data));
      }
    }
    return out;
  }
};

TEST_F(events_test, a_new_feed_starts_at_the_head_and_shows_ledger_changes_only) {
  ready("csc-a");
  ASSERT_TRUE(submit(concern("school-a", "E1")));
  event_feed feed(*b);
  EXPECT_TRUE(feed.poll().empty()) << "no replay of history";
  EXPECT_TRUE(feed.poll().empty());

  ASSERT_TRUE(submit(transfer_notice(concern("school-a", "E1"), "T-1")));
  std::size_t polls = 0;
  const auto events = drain(feed, polls);
  ASSERT_FALSE(events.empty());
  std::set<std::string> kinds;
  std::uint64_t previous = 0;
  for (const auto& e : events) {
    kinds.insert(e["kind"].get<std::string>());
    EXPECT_GT(e["seq"].get<std::uint64_t>(), previous);
    previous = e["seq"];
    EXPECT_TRUE(e["data"].is_object());
    EXPECT_EQ(e["at"].get<std::string>().size(), 20u);
  }
  EXPECT_EQ(kinds.count("message.accepted"), 0u) << "not a ledger change";
  EXPECT_EQ(kinds.count("transfer.opened"), 1u);
  EXPECT_EQ(kinds.count("obligation.opened"), 1u);
  EXPECT_EQ(events.front()["kind"], "transfer.opened");
  EXPECT_EQ(events.front()["data"]["transfer_id"], "T-1");
  EXPECT_EQ(events.front()["subject_key"].get<std::string>().rfind("sk_", 0), 0u);

  // A day on, the parts are overdue: flags are raised, and their sending is a ledger change too.
  clk.advance(25h);
  cycle();
  kinds.clear();
  for (const auto& e : drain(feed, polls)) kinds.insert(e["kind"].get<std::string>());
  EXPECT_EQ(kinds, (std::set<std::string>{"flag.raised", "flag.sent", "obligation.overdue"}));
}

TEST_F(events_test, a_burst_arrives_in_polls_of_at_most_200_each_entry_once) {
  event_feed feed(*b);
  EXPECT_TRUE(feed.poll().empty());
  ready("csc-b");
  for (int i = 0; i < 80; ++i) {
    ASSERT_TRUE(submit(transfer_notice(other_child("school-a", "M-" + std::to_string(i), "E1"),
                                       "T-" + std::to_string(i))));
  }
  std::size_t polls = 0;
  const auto events = drain(feed, polls);
  EXPECT_GT(events.size(), 200u);
  EXPECT_GE(polls, 2u);
  std::set<std::uint64_t> seqs;
  for (const auto& e : events) seqs.insert(e["seq"].get<std::uint64_t>());
  EXPECT_EQ(seqs.size(), events.size()) << "each entry once";
  std::size_t opened = 0;
  for (const auto& e : events) opened += e["kind"] == "transfer.opened" ? 1u : 0u;
  EXPECT_EQ(opened, 80u);
}

TEST_F(events_test, a_feed_that_cannot_read_the_trail_loses_nothing) {
  event_feed feed(*b);
  EXPECT_TRUE(feed.poll().empty());
  ASSERT_TRUE(submit(transfer_notice(concern("school-a", "E1"), "T-1")));
  st->unreadable = true;
  EXPECT_TRUE(feed.poll().empty());
  st->unreadable = false;
  std::size_t polls = 0;
  EXPECT_FALSE(drain(feed, polls).empty());
}

}  // namespace
}  // namespace mab::api

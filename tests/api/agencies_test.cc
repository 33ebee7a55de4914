// Agency scorecards after real traffic: what each sent and was sent, its acknowledgement times
// by nearest rank, its queue, and what it owes late.
#include "tests/api/fixture.h"

namespace mab::api {
namespace {

class agencies_test : public api_test {
 protected:
  json card(const json& items, const std::string& id) {
    for (const auto& a : items) {
      if (a["id"] == id) return a["scorecard"];
    }
    ADD_FAILURE() << "no agency " << id;
    return json();
  }
  // How many flags told `agency`.
  std::size_t flags_to(const std::string& agency) {
    std::size_t n = 0;
    for (const auto& f : page_items("/api/v1/flags?limit=500")) {
      for (const auto& r : f["recipients"]) n += r == agency ? 1u : 0u;
    }
    return n;
  }
};

TEST_F(agencies_test, every_configured_agency_in_configuration_order) {
  const auto items = page_items("/api/v1/agencies");
  ASSERT_EQ(items.size(), cfg.agencies.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ(items[i]["id"], cfg.agencies[i].id);
    EXPECT_EQ(items[i]["kind"], cfg.agencies[i].kind);
    EXPECT_EQ(items[i]["area"], cfg.agencies[i].area);
    EXPECT_EQ(items[i]["scorecard"]["sent"], 0);
    EXPECT_TRUE(items[i]["scorecard"]["ack_median_seconds"].is_null()) << "no ack yet";
  }
  const auto first = ok(get("/api/v1/agencies?limit=3"));
  EXPECT_EQ(first["items"].size(), 3u);
  EXPECT_EQ(first["next_offset"], 3);
  const auto rest = ok(get("/api/v1/agencies?limit=3&offset=3"));
  EXPECT_EQ(rest["items"].size(), cfg.agencies.size() - 3);
  EXPECT_TRUE(rest["next_offset"].is_null());
  EXPECT_EQ(page_items("/api/v1/agencies?offset=100").size(), 0u);
  EXPECT_NE(error(get("/api/v1/agencies?limit=0"), 400).find("limit"), std::string::npos);
}

TEST_F(agencies_test, scorecards_after_a_busy_day) {
  ASSERT_NO_FATAL_FAILURE(busy_ledger());
  const auto items = page_items("/api/v1/agencies");
  const auto school = card(items, "school-a");
  EXPECT_EQ(school["sent"], 3);
  EXPECT_EQ(school["received"], 0);
  EXPECT_EQ(school["overdue"], 3) << "its part of each of three transfers";
  const auto health = card(items, "health-a");
  EXPECT_EQ(health["sent"], 1);
  EXPECT_EQ(health["overdue"], 3);

  // csc-a: four concerns plus every flag told to it; two acknowledged, after 30 s and 90 s.
  const auto front = card(items, "csc-a");
  EXPECT_EQ(front["sent"], 3) << "three transfer notices";
  EXPECT_EQ(front["received"], 4 + flags_to("csc-a"));
  EXPECT_EQ(front["acknowledged"], 2);
  EXPECT_EQ(front["pending"], front["received"].get<int>() - 2);
  EXPECT_EQ(front["ack_median_seconds"], 30.0);
  EXPECT_EQ(front["ack_p90_seconds"], 90.0);
  EXPECT_EQ(front["overdue"], 3);

  // csc-b owes three acknowledgements that are only due soon: nothing overdue yet.
  const auto receiving = card(items, "csc-b");
  EXPECT_EQ(receiving["received"], 3 + flags_to("csc-b"));
  EXPECT_EQ(receiving["acknowledged"], 0);
  EXPECT_EQ(receiving["overdue"], 0);
  EXPECT_TRUE(receiving["ack_p90_seconds"].is_null());
  EXPECT_EQ(card(items, "mash-a")["received"], flags_to("mash-a"));
}

TEST_F(agencies_test, median_and_90th_percentile_are_nearest_rank) {
  ready("csc-a");
  // Ten concerns acknowledged after 10, 20, ... 100 seconds.
  for (int i = 1; i <= 10; ++i) {
    const auto n = other_child("school-a", "K-" + std::to_string(i), "E1");
    ASSERT_TRUE(submit(n));
    clk.advance(std::chrono::seconds(10 * i));
    ack("csc-a", n.message_id());
  }
  const auto front = card(page_items("/api/v1/agencies"), "csc-a");
  EXPECT_EQ(front["acknowledged"], 10);
  EXPECT_EQ(front["ack_median_seconds"], 50.0);
  EXPECT_EQ(front["ack_p90_seconds"], 90.0);
  EXPECT_EQ(front["pending"], 0);
}

}  // namespace
}  // namespace mab::api

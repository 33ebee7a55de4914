// The audit trail over HTTP: verification against the store with the broker's key (and what it
// says after someone edits a row behind mab's back), and reading entries page by page.
#include <sqlite3.h>

#include "tests/api/fixture.h"

namespace mab::api {
namespace {

class audit_routes_test : public api_test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(busy_ledger()); }

  json verify() { return ok(get("/api/v1/audit/verify", http::role::auditor)); }

  // Runs `sql` on the database file with a connection of its own, as an intruder would.
  void tamper(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir + "/mab.db").c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    EXPECT_EQ(sqlite3_changes(db), 1);
    sqlite3_close(db);
  }
};

TEST_F(audit_routes_test, an_untouched_trail_verifies) {
  ASSERT_TRUE(b->seal_audit());
  const auto v = verify();
  EXPECT_EQ(v["ok"], true);
  EXPECT_TRUE(v["findings"].empty());
  EXPECT_GT(v["entries"].get<int>(), 20);
  EXPECT_GE(v["checkpoints"].get<int>(), 1);
  EXPECT_NE(v["summary"].get<std::string>().find("OK"), std::string::npos);
  EXPECT_EQ(ok(get("/api/v1/audit/verify", http::role::admin))["ok"], true);
}

TEST_F(audit_routes_test, an_altered_row_is_found_and_named) {
  ASSERT_TRUE(b->seal_audit());
  tamper("UPDATE audit_log SET data = replace(data, 'school-a', 'school-z') WHERE seq = 1");
  const auto v = verify();
  EXPECT_EQ(v["ok"], false);
  ASSERT_FALSE(v["findings"].empty());
  EXPECT_EQ(v["findings"][0]["what"], "altered");
  EXPECT_EQ(v["findings"][0]["seq"], 1);
  EXPECT_NE(v["findings"][0]["detail"].get<std::string>().find("entry 1"), std::string::npos);
}

TEST_F(audit_routes_test, a_removed_row_is_found) {
  ASSERT_TRUE(b->seal_audit());
  tamper("DELETE FROM audit_log WHERE seq = 3");
  const auto v = verify();
  EXPECT_EQ(v["ok"], false);
  bool removed = false;
  for (const auto& f : v["findings"]) removed = removed || f["what"] == "removed";
  EXPECT_TRUE(removed) << v.dump();
}

TEST_F(audit_routes_test, entries_page_by_seq_and_cover_the_trail_once) {
  const auto total = verify()["entries"].get<std::uint64_t>();
  std::uint64_t after = 0, expected = 1, pages = 0;
  for (;;) {
    const auto page = ok(get("/api/v1/audit/entries?limit=7&after=" + std::to_string(after),
                             http::role::auditor));
    EXPECT_EQ(page["after"], after);
    for (const auto& e : page["items"]) {
      EXPECT_EQ(e["seq"], expected++);
      EXPECT_TRUE(e["data"].is_object());
      EXPECT_EQ(e["hash"].get<std::string>().size(), 64u);
    }
    ++pages;
    if (page["next_after"].is_null()) break;
    after = page["next_after"].get<std::uint64_t>();
    ASSERT_LT(pages, 1000u);
  }
  EXPECT_EQ(expected - 1, total);
  EXPECT_EQ(pages, (total + 6) / 7);
  const auto first = ok(get("/api/v1/audit/entries?limit=1", http::role::auditor))["items"][0];
  EXPECT_EQ(first["kind"], "message.accepted");
  EXPECT_EQ(first["data"]["sender"], "school-a");
  EXPECT_EQ(first.dump().find(k_upn), std::string::npos) << "subjects only by key";
}

TEST_F(audit_routes_test, entry_parameters_are_checked) {
  for (const std::string q : {"after=-1", "after=x", "after=1.0", "limit=0", "limit=501",
                              "offset=5"}) {
    SCOPED_TRACE(q);
    EXPECT_EQ(get("/api/v1/audit/entries?" + q, http::role::auditor).status, 400u);
  }
  EXPECT_TRUE(ok(get("/api/v1/audit/entries?after=100000", http::role::auditor))["items"].empty());
}

}  // namespace
}  // namespace mab::api

// The ledger over HTTP after real work: the overview's counts and oldest items, transfers with
// every filter and paging, one transfer's timeline, obligations, flags, and acknowledging a flag.
#include <algorithm>
#include <set>

#include "daemon/audit/audit.h"
#include "tests/api/fixture.h"

namespace mab::api {
namespace {

class ledger_routes_test : public api_test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(busy_ledger()); }

  std::vector<std::string> ids(const json& items, const char* field) {
    std::vector<std::string> out;
    for (const auto& i : items) {
      out.push_back(i[field].is_string() ? i[field].get<std::string>() : i[field].dump());
    }
    return out;
  }
  // Every item of a list, walking its pages of `limit` by next_offset.
  json walk(const std::string& base, int limit) {
    json all = json::array();
    std::size_t offset = 0;
    for (int pages = 0; pages < 100; ++pages) {
      const auto sep = base.find('?') == std::string::npos ? "?" : "&";
      auto page = ok(get(base + sep + "limit=" + std::to_string(limit) + "&offset=" +
                         std::to_string(offset)));
      EXPECT_LE(page["items"].size(), static_cast<std::size_t>(limit));
      for (auto& i : page["items"]) all.push_back(i);
      if (page["next_offset"].is_null()) return all;
      offset = page["next_offset"].get<std::size_t>();
    }
    ADD_FAILURE() << "paging never ended";
    return all;
  }
};

TEST_F(ledger_routes_test, overview_counts_what_the_ledger_holds) {
  const auto o = ok(get("/api/v1/overview"));
  EXPECT_EQ(o["open_transfers"], 3);
  // Each transfer owes three parts (school and front door by history, health by policy), all a
  // day late; each transfer notice owes csc-b an acknowledgement that is now due soon.
  EXPECT_EQ(o["overdue_obligations"], 9);
  EXPECT_EQ(o["due_soon"], 3);
  EXPECT_EQ(o["raised_flags_by_type"], (json{{"DUE_SOON", 3}, {"INCOMPLETE", 9}}));
  EXPECT_EQ(o["raised_flags"], 12);
  // Every child now lives in E2, the area the transfer notices gave.
  EXPECT_EQ(o["raised_flags_by_area"], (json{{"E2", 12}}));
  const auto& oldest = o["oldest_overdue"];
  ASSERT_EQ(oldest.size(), 9u);
  std::string previous;
  for (const auto& item : oldest) {
    EXPECT_EQ(item["kind"], "transfer_part");
    EXPECT_EQ(item["flag_type"], "INCOMPLETE");
    EXPECT_TRUE(item["flag_id"].is_number());
    EXPECT_EQ(item["subject_key"].get<std::string>().rfind("sk_", 0), 0u);
    EXPECT_TRUE(std::set<std::string>({"T-1", "T-2", "T-3"}).count(item["transfer_id"]));
    EXPECT_GE(item["overdue_seconds"].get<std::int64_t>(), 3600);
    EXPECT_LE(previous, item["due_at"].get<std::string>()) << "oldest first";
    previous = item["due_at"];
  }
  EXPECT_EQ(oldest[0]["transfer_id"], "T-1") << "the first transfer opened is the most overdue";
}

TEST_F(ledger_routes_test, overview_ranks_an_older_overdue_item_first) {
  // A fourth transfer opened later is due later, so it comes after the three.
  ASSERT_TRUE(submit(transfer_notice(other_child("school-a", "D-1", "E1"), "T-4")));
  clk.advance(25h);
  cycle();
  const auto oldest = ok(get("/api/v1/overview"))["oldest_overdue"];
  ASSERT_EQ(oldest.size(), 10u) << "at most ten";
  for (const auto& item : oldest) EXPECT_NE(item["transfer_id"], "T-4");
}

TEST_F(ledger_routes_test, transfers_are_newest_first_with_their_part_counts) {
  const auto items = page_items("/api/v1/transfers");
  EXPECT_EQ(ids(items, "transfer_id"), (std::vector<std::string>{"T-3", "T-2", "T-1"}));
  for (const auto& t : items) {
    EXPECT_EQ(t["from_area"], "E1");
    EXPECT_EQ(t["to_area"], "E2");
    EXPECT_EQ(t["state"], "open");
    EXPECT_EQ(t["parts_expected"], 3);
    EXPECT_EQ(t["parts_acknowledged"], 0);
    EXPECT_EQ(t["open_flags"], (json{"INCOMPLETE", "INCOMPLETE", "INCOMPLETE"}));
  }
}

TEST_F(ledger_routes_test, transfers_filter_by_state_flag_area_and_agency) {
  EXPECT_EQ(page_items("/api/v1/transfers?state=open").size(), 3u);
  EXPECT_EQ(page_items("/api/v1/transfers?state=complete").size(), 0u);
  EXPECT_EQ(page_items("/api/v1/transfers?flag=INCOMPLETE").size(), 3u);
  EXPECT_EQ(page_items("/api/v1/transfers?flag=UNACKNOWLEDGED").size(), 0u);
  EXPECT_EQ(page_items("/api/v1/transfers?area=E1").size(), 3u);
  EXPECT_EQ(page_items("/api/v1/transfers?area=E2").size(), 3u);
  EXPECT_EQ(page_items("/api/v1/transfers?area=E3").size(), 0u);
  // Owes a part in every transfer.
  EXPECT_EQ(page_items("/api/v1/transfers?agency=health-a").size(), 3u);
  // The new area's front door is the receiving side of all three; the old area's escalation
  // agency neither owes nor receives.
  EXPECT_EQ(page_items("/api/v1/transfers?agency=csc-b").size(), 3u);
  EXPECT_EQ(page_items("/api/v1/transfers?agency=mash-a").size(), 0u);
  EXPECT_EQ(page_items("/api/v1/transfers?agency=nobody").size(), 0u);
  EXPECT_EQ(page_items("/api/v1/transfers?state=open&flag=INCOMPLETE&area=E1&agency=school-a").size(),
            3u);
}

TEST_F(ledger_routes_test, a_transfer_whose_flag_cleared_no_longer_matches_the_flag_filter) {
  // school-a sends its part of T-2 late: its INCOMPLETE clears, the other two stay raised.
  auto part = other_child("school-a", "B-1", "E2");
  auto* p = part.mutable_record_part();
  p->set_transfer_id("T-2");
  p->set_kind(mab::v1::RecordPart::SCHOOL_TRANSFER_FILE);
  p->set_sequence(1);
  p->set_total(1);
  p->set_content_type("text/plain");
  p->set_content("attendance history");
  ASSERT_TRUE(submit(part));
  const auto t2 = ok(get("/api/v1/transfers/T-2"));
  EXPECT_EQ(t2["open_flags"].size(), 2u);
  std::size_t cleared = 0;
  for (const auto& f : t2["flags"]) cleared += f["state"] == "cleared" ? 1u : 0u;
  EXPECT_EQ(cleared, 1u);
}

TEST_F(ledger_routes_test, two_pages_cover_every_transfer_once) {
  const auto first = ok(get("/api/v1/transfers?limit=2"));
  EXPECT_EQ(first["limit"], 2);
  EXPECT_EQ(first["offset"], 0);
  EXPECT_EQ(first["next_offset"], 2);
  EXPECT_EQ(first["items"].size(), 2u);
  const auto second = ok(get("/api/v1/transfers?limit=2&offset=2"));
  EXPECT_TRUE(second["next_offset"].is_null());
  EXPECT_EQ(second["items"].size(), 1u);
  auto all = ids(first["items"], "transfer_id");
  for (const auto& id : ids(second["items"], "transfer_id")) all.push_back(id);
  EXPECT_EQ(all, (std::vector<std::string>{"T-3", "T-2", "T-1"}));
  EXPECT_TRUE(ok(get("/api/v1/transfers?limit=3"))["next_offset"].is_null());
  EXPECT_EQ(page_items("/api/v1/transfers?offset=3").size(), 0u);
}

TEST_F(ledger_routes_test, paging_flags_and_obligations_sees_each_once) {
  const auto flags = walk("/api/v1/flags", 5);
  ASSERT_EQ(flags.size(), 12u);
  std::set<std::uint64_t> seen;
  for (const auto& f : flags) seen.insert(f["flag_id"].get<std::uint64_t>());
  EXPECT_EQ(seen.size(), 12u);
  EXPECT_EQ(walk("/api/v1/flags", 500).size(), 12u);

  const auto obligations = walk("/api/v1/obligations", 4);
  std::set<std::uint64_t> obligation_ids;
  for (const auto& o : obligations) obligation_ids.insert(o["obligation_id"].get<std::uint64_t>());
  EXPECT_EQ(obligation_ids.size(), obligations.size());
  EXPECT_EQ(obligations.size(), 12u);  // nine parts, three acknowledgements
}

TEST_F(ledger_routes_test, one_transfer_with_parts_timeline_and_flags) {
  const auto t = ok(get("/api/v1/transfers/T-1"));
  EXPECT_EQ(t["transfer_id"], "T-1");
  EXPECT_EQ(t["reason"], "transfer_notice");
  std::set<std::string> owing;
  for (const auto& p : t["parts"]) {
    owing.insert(p["owed_by"].get<std::string>() + ":" + p["kind"].get<std::string>());
    EXPECT_EQ(p["state"], "expected");
    EXPECT_TRUE(p["sent_at"].is_null());
  }
  EXPECT_EQ(owing, (std::set<std::string>{"csc-a:ANY", "health-a:HEALTH_RECORD", "school-a:ANY"}));
  ASSERT_FALSE(t["timeline"].empty());
  EXPECT_NE(t["timeline"][0]["what"].get<std::string>().find("opened"), std::string::npos);
  bool told = false;
  for (const auto& e : t["timeline"]) {
    told = told || e["what"].get<std::string>().find("INCOMPLETE raised") != std::string::npos;
  }
  EXPECT_TRUE(told);
  ASSERT_EQ(t["flags"].size(), 3u);
  for (const auto& f : t["flags"]) {
    EXPECT_EQ(f["flag_type"], "INCOMPLETE");
    EXPECT_EQ(f["transfer_id"], "T-1");
    EXPECT_EQ(f["recipients"].get<std::set<std::string>>(),
              (std::set<std::string>{"csc-a", "csc-b", "mash-a"}));
  }
  EXPECT_EQ(t.dump().find(k_upn), std::string::npos) << "no identifier on the transfer";
  EXPECT_EQ(t.dump().find("Ava"), std::string::npos);
}

TEST_F(ledger_routes_test, transfer_ids_are_checked_and_unknown_ones_are_404) {
  EXPECT_NE(error(get("/api/v1/transfers/T-9"), 404).find("no such transfer"), std::string::npos);
  const std::vector<std::string> bad_ids = {"T%201", "T%3B1", "%3Cscript%3E", "T%221",
                                            std::string(129, 'T')};
  for (const auto& bad : bad_ids) {
    SCOPED_TRACE(bad);
    const auto e = error(get("/api/v1/transfers/" + bad), 400);
    EXPECT_NE(e.find("transfer id: must be"), std::string::npos) << e;
  }
  const auto huge = get("/api/v1/transfers/" + std::string(100000, 'x'));
  EXPECT_EQ(huge.status, 400u);
  EXPECT_LT(huge.body.size(), 500u) << "the id is not echoed";
  EXPECT_EQ(error(get("/api/v1/transfers/auto-" + crypto::uuid_v4()), 404).rfind("not_found", 0),
            0u)
      << "the shape of a transfer opened by a move is a valid id";
}

TEST_F(ledger_routes_test, list_parameters_are_checked) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/api/v1/transfers?limit=0", "limit: must be a whole number 1..500"},
      {"/api/v1/transfers?limit=501", "limit: must be a whole number 1..500"},
      {"/api/v1/transfers?limit=abc", "limit: must be a whole number 1..500"},
      {"/api/v1/transfers?limit=-1", "limit: must be a whole number 1..500"},
      {"/api/v1/transfers?limit=", "limit: must be a whole number 1..500"},
      {"/api/v1/flags?limit=99999999999999999999999", "limit: must be a whole number 1..500"},
      {"/api/v1/flags?offset=-1", "offset: must be a whole number"},
      {"/api/v1/obligations?offset=1e3", "offset: must be a whole number"},
      {"/api/v1/transfers?state=closed", "state: must be one of open, complete"},
      {"/api/v1/obligations?state=raised", "state: must be one of open, overdue, fulfilled"},
      {"/api/v1/flags?state=open", "state: must be one of raised, cleared"},
      {"/api/v1/flags?type=incomplete", "type: must be a flag type"},
      {"/api/v1/transfers?flag=DROP%20TABLE", "flag: must be a flag type"},
      {"/api/v1/transfers?area=E1%27--", "area: must be an area code"},
      {"/api/v1/transfers?agency=School-A", "agency: must be an agency id"},
      {"/api/v1/flags?limit=1&limit=2", "repeats a parameter"},
  };
  for (const auto& [target, rule] : cases) {
    SCOPED_TRACE(target);
    const auto e = error(get(target), 400);
    EXPECT_NE(e.find(rule), std::string::npos) << e;
  }
  EXPECT_EQ(page_items("/api/v1/flags?limit=500").size(), 12u);
  EXPECT_EQ(page_items("/api/v1/flags?limit=1").size(), 1u);
}

TEST_F(ledger_routes_test, flags_filter_by_state_and_type) {
  EXPECT_EQ(page_items("/api/v1/flags?type=INCOMPLETE").size(), 9u);
  EXPECT_EQ(page_items("/api/v1/flags?type=DUE_SOON&state=raised").size(), 3u);
  EXPECT_EQ(page_items("/api/v1/flags?state=cleared").size(), 0u);
  for (const auto& f : page_items("/api/v1/flags?type=DUE_SOON")) {
    EXPECT_EQ(f["owed_by"], "csc-b");
    EXPECT_TRUE(f["transfer_id"].is_null()) << "an acknowledgement warning is not keyed by transfer";
    EXPECT_TRUE(f["obligation_id"].is_number());
  }
  EXPECT_EQ(page_items("/api/v1/obligations?state=overdue").size(), 9u);
  EXPECT_EQ(page_items("/api/v1/obligations?state=open").size(), 3u);
  for (const auto& o : page_items("/api/v1/obligations?state=open")) {
    EXPECT_EQ(o["kind"], "acknowledgement");
    EXPECT_EQ(o["owed_by"], "csc-b");
    EXPECT_EQ(o["warned"], true);
    EXPECT_TRUE(o["message_id"].is_string());
    EXPECT_FALSE(o.contains("ref"));
  }
}

TEST_F(ledger_routes_test, an_operator_acknowledges_a_flag_and_the_trail_says_who) {
  const auto flag = page_items("/api/v1/flags?type=INCOMPLETE&limit=1").at(0);
  const std::string id = std::to_string(flag["flag_id"].get<std::uint64_t>());
  const auto r = ok(post("/api/v1/flags/" + id + "/ack", R"({"note": "  phoned the school  "})"));
  EXPECT_EQ(r["acked_by"], token_name(http::role::operator_role));
  EXPECT_EQ(r["ack_note"], "phoned the school");
  EXPECT_FALSE(r["acked_at"].is_null());
  EXPECT_EQ(r["state"], "raised") << "it stays raised until its cause is resolved";
  // The audit trail names the token's holder and holds the note's hash.
  auto entries = ok(get("/api/v1/audit/entries?limit=500", http::role::auditor))["items"];
  ASSERT_FALSE(entries.empty());
  const auto& last = entries.back();
  EXPECT_EQ(last["kind"], "flag.acknowledged");
  EXPECT_EQ(last["data"]["by"], token_name(http::role::operator_role));
  EXPECT_EQ(last["data"]["flag_id"], flag["flag_id"]);
  EXPECT_EQ(last["data"]["note_sha256"], crypto::to_hex(crypto::sha256("phoned the school")));
}

TEST_F(ledger_routes_test, acknowledgement_bodies_are_checked) {
  const auto flag = page_items("/api/v1/flags?limit=1").at(0);
  const std::string path = "/api/v1/flags/" + std::to_string(flag["flag_id"].get<std::uint64_t>()) + "/ack";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{", "the body must be a JSON object"},
      {"", "the body must be a JSON object"},
      {"[]", "the body must be a JSON object"},
      {R"("note")", "the body must be a JSON object"},
      {"{}", "note: is required"},
      {R"({"note": ""})", "note: must be 1..2000 characters (got 0)"},
      {R"({"note": "   "})", "note: must be 1..2000 characters (got 0)"},
      {R"({"note": 5})", "note: must be a string"},
      {R"({"note": null})", "note: must be a string"},
      {R"({"note": "ok", "by": "someone else"})", "unknown field 'by'"},
      {R"({"note": "a\u0000b"})", "note: must not contain control characters"},
      {"{\"note\": \"" + std::string(2001, 'x') + "\"}", "note: must be 1..2000 characters (got 2001)"},
  };
  for (const auto& [body, rule] : cases) {
    SCOPED_TRACE(body.substr(0, 40));
    const auto r = call("POST", path, secret_of(http::role::operator_role), body);
    const auto e = error(r, 400);
    EXPECT_NE(e.find(rule), std::string::npos) << e;
  }
  // 2000 characters of a two-byte letter is 4000 bytes and still allowed.
  std::string polish;
  for (int i = 0; i < 2000; ++i) polish += "\xc5\x82";
  EXPECT_EQ(post(path, "{\"note\": \"" + polish + "\"}").status, 200u);
  std::size_t acknowledged = 0;
  for (const auto& f : page_items("/api/v1/flags?limit=500")) {
    acknowledged += f["acked_by"] == "" ? 0u : 1u;
  }
  EXPECT_EQ(acknowledged, 1u) << "no refused body acknowledged anything";
}

TEST_F(ledger_routes_test, acknowledging_an_unknown_or_malformed_flag_id) {
  const std::string note = R"({"note": "checked"})";
  EXPECT_NE(error(post("/api/v1/flags/999999/ack", note), 404).find("no such flag"),
            std::string::npos);
  EXPECT_EQ(error(post("/api/v1/flags/18446744073709551615/ack", note), 404).rfind("not_found", 0),
            0u);
  for (const std::string bad : {"abc", "-1", "1.5", "%2B1", "18446744073709551616", "0x10", "1%20"}) {
    SCOPED_TRACE(bad);
    EXPECT_NE(error(post("/api/v1/flags/" + bad + "/ack", note), 400).find("flag id: must be"),
              std::string::npos);
  }
}

TEST_F(ledger_routes_test, a_failed_acknowledgement_stores_nothing) {
  const auto flag = page_items("/api/v1/flags?limit=1").at(0);
  const std::string path = "/api/v1/flags/" + std::to_string(flag["flag_id"].get<std::uint64_t>()) + "/ack";
  st->full = true;
  EXPECT_NE(error(post(path, R"({"note": "x"})"), 503).find("unavailable"), std::string::npos);
  st->full = false;
  const auto f = page_items("/api/v1/flags?limit=1").at(0);
  EXPECT_EQ(f["acked_by"], "");
}

}  // namespace
}  // namespace mab::api

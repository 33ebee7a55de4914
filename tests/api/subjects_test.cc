// Revealing a subject: the identifiers the agencies sent come back only to an operator, only
// with a reason, and only after "subject.revealed" (who, why) is in the audit trail.
#include "tests/api/fixture.h"

namespace mab::api {
namespace {

class subjects_test : public api_test {
 protected:
  void SetUp() override {
    ready("csc-a");
    first = concern("school-a", "E1");
    ASSERT_TRUE(submit(first));
    keys = subjects::identifier_keys(keyer, first.subject());  // NHS number's, then UPN's
    key = keys.front();
  }

  std::string path(const std::string& k) { return "/api/v1/subjects/" + k + "/reveal"; }
  json trail() {
    return ok(get("/api/v1/audit/entries?limit=500", http::role::auditor))["items"];
  }
  std::size_t reveals() {
    std::size_t n = 0;
    for (const auto& e : trail()) n += e["kind"] == "subject.revealed" ? 1u : 0u;
    return n;
  }

  mab::v1::Notification first;
  std::vector<std::string> keys;
  std::string key;
};

TEST_F(subjects_test, reveal_writes_the_audit_entry_and_returns_the_identifiers) {
  const auto r = ok(post(path(key), R"({"reason": "strategy meeting: need the child's name"})"));
  EXPECT_EQ(r["subject_key"], key);
  const auto& id = r["identity"];
  EXPECT_EQ(id["upn"], k_upn);
  EXPECT_EQ(id["nhs_number"], k_nhs);
  EXPECT_EQ(id["given_name"], "Ava");
  EXPECT_EQ(id["family_name"], "Example");
  EXPECT_EQ(id["date_of_birth"], "2015-05-17");
  EXPECT_EQ(id["preferred_language"], "pl");
  EXPECT_EQ(id["interpreter_required"], true);
  EXPECT_EQ(id["area"], "E1");
  EXPECT_EQ(r["source"]["message_id"], first.message_id());
  EXPECT_EQ(r["source"]["sender"], "school-a");
  EXPECT_EQ(r["revealed_to"], token_name(http::role::operator_role));

  const auto entries = trail();
  const auto& last = entries.back();
  EXPECT_EQ(last["kind"], "subject.revealed");
  EXPECT_EQ(last["seq"], r["audit_seq"]);
  EXPECT_EQ(last["subject_key"], key);
  EXPECT_EQ(last["data"]["by"], token_name(http::role::operator_role));
  EXPECT_EQ(last["data"]["reason"], "strategy meeting: need the child's name");
  EXPECT_EQ(last.dump().find(k_upn), std::string::npos) << "the trail holds who and why, not who the child is";
}

TEST_F(subjects_test, any_key_of_the_child_reveals_the_most_recent_notification) {
  clk.advance(60s);
  auto later = concern("health-a", "E1");
  later.mutable_subject()->clear_upn();
  later.mutable_subject()->set_given_name("Ava-Maria");
  later.clear_attendance_concern();
  later.mutable_health_concern()->set_kind(mab::v1::HealthConcern::EMERGENCY_INJURY);
  ASSERT_TRUE(submit(later));
  // The UPN key (only the school sent it) finds the child the NHS number linked it to.
  const auto r = ok(post(path(keys.at(1)), R"({"reason": "who is this child?"})"));
  EXPECT_EQ(r["source"]["message_id"], later.message_id());
  EXPECT_EQ(r["identity"]["given_name"], "Ava-Maria");
  EXPECT_EQ(r["identity"]["upn"], "");
}

TEST_F(subjects_test, an_unknown_key_reveals_nothing_and_audits_nothing) {
  const auto before = reveals();
  const auto r = post(path("sk_" + std::string(32, '0')), R"({"reason": "just looking"})");
  EXPECT_NE(error(r, 404).find("not_found"), std::string::npos);
  EXPECT_EQ(reveals(), before);
}

TEST_F(subjects_test, when_the_audit_entry_cannot_be_written_nothing_is_revealed) {
  st->full = true;
  const auto r = post(path(key), R"({"reason": "urgent: child missing"})");
  EXPECT_NE(error(r, 503).find("nothing was revealed"), std::string::npos);
  EXPECT_EQ(r.body.find("Ava"), std::string::npos);
  EXPECT_EQ(r.body.find(k_upn), std::string::npos);
  st->full = false;
  EXPECT_EQ(reveals(), 0u);
}

TEST_F(subjects_test, only_an_operator_with_a_reason_may_reveal) {
  for (http::role r : {http::role::viewer, http::role::auditor, http::role::admin}) {
    const auto answer = post(path(key), R"({"reason": "curious about it"})", r);
    EXPECT_EQ(answer.status, 403u) << answer.body;
    EXPECT_EQ(answer.body.find("Ava"), std::string::npos);
  }
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"reason": "why"})", "reason: must be 5..500 characters (got 3)"},
      {R"({})", "reason: is required"},
      {R"({"reason": "a good reason", "by": "someone"})", "unknown field 'by'"},
      {"{\"reason\": \"" + std::string(501, 'r') + "\"}", "reason: must be 5..500 characters"},
      {"not json", "the body must be a JSON object"},
  };
  for (const auto& [body, rule] : cases) {
    SCOPED_TRACE(body.substr(0, 30));
    const auto e = error(post(path(key), body), 400);
    EXPECT_NE(e.find(rule), std::string::npos) << e;
  }
  EXPECT_EQ(reveals(), 0u);
}

TEST_F(subjects_test, malformed_keys_are_400) {
  const std::vector<std::string> bad_keys = {
      "sk_123", "SK_" + std::string(32, 'a'), "sk_" + std::string(32, 'A'),
      "sk_" + std::string(31, 'a') + "g", "sk_" + std::string(33, 'a'), k_upn,
      std::string(5000, 'a')};
  for (const auto& bad : bad_keys) {
    SCOPED_TRACE(bad.substr(0, 40));
    const auto r = post(path(bad), R"({"reason": "checking keys"})");
    EXPECT_NE(error(r, 400).find("subject key: must be"), std::string::npos);
    EXPECT_EQ(r.body.find(k_upn), std::string::npos) << "a pasted identifier is not echoed";
  }
}

TEST_F(subjects_test, a_body_that_is_not_json_by_its_type_is_415) {
  http::request req;
  req.method = "POST";
  req.path = path(key);
  req.body = R"({"reason": "typed as text"})";
  req.content_type = "text/plain";
  const auto r = router.dispatch(req, "Bearer " + secret_of(http::role::operator_role), tokens);
  EXPECT_NE(error(r, 415).find("unsupported_media_type"), std::string::npos);
  req.content_type = "application/json; charset=utf-8";
  EXPECT_EQ(router.dispatch(req, "Bearer " + secret_of(http::role::operator_role), tokens).status,
            200u);
}

}  // namespace
}  // namespace mab::api

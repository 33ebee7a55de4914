// Every route against every caller: no token, an unknown token, and each role, on a ledger with
// real work in it; the probes; and requests that must be a clean 4xx on every route.
#include "tests/api/fixture.h"

namespace mab::api {
namespace {

struct endpoint {
  std::string method;
  std::string target;
  std::set<http::role> roles;  // empty: open
  std::string body;
};

class routes_test : public api_test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(busy_ledger()); }

  std::vector<endpoint> endpoints() {
    const std::set<http::role> any(std::begin(k_roles), std::end(k_roles));
    const auto flags = page_items("/api/v1/flags");
    const auto transfer = ok(get("/api/v1/transfers/T-1"));
    const std::string flag_id = std::to_string(flags.at(0)["flag_id"].get<std::uint64_t>());
    const std::string key = transfer["subject_key"];
    return {
        {"GET", "/healthz", {}, ""},
        {"GET", "/readyz", {}, ""},
        {"GET", "/metrics", any, ""},
        {"GET", "/api/v1/overview", any, ""},
        {"GET", "/api/v1/transfers?state=open&limit=2", any, ""},
        {"GET", "/api/v1/transfers/T-1", any, ""},
        {"GET", "/api/v1/obligations?state=overdue", any, ""},
        {"GET", "/api/v1/flags?type=INCOMPLETE", any, ""},
        {"POST", "/api/v1/flags/" + flag_id + "/ack", {http::role::operator_role, http::role::admin},
         R"({"note": "phoned the school"})"},
        {"GET", "/api/v1/agencies", any, ""},
        {"POST", "/api/v1/subjects/" + key + "/reveal", {http::role::operator_role},
         R"({"reason": "strategy meeting today"})"},
        {"GET", "/api/v1/audit/verify", {http::role::auditor, http::role::admin}, ""},
        {"GET", "/api/v1/audit/entries?after=0&limit=5", {http::role::auditor, http::role::admin},
         ""},
    };
  }
};

TEST_F(routes_test, every_endpoint_for_every_caller) {
  for (const auto& e : endpoints()) {
    SCOPED_TRACE(e.method + " " + e.target);
    const bool open = e.roles.empty();
    const auto none = call(e.method, e.target, "", e.body);
    const auto stranger = call(e.method, e.target, "mab_not-a-token-anyone-holds", e.body);
    if (open) {
      EXPECT_EQ(none.status, 200u) << none.body;
      EXPECT_EQ(stranger.status, 200u) << stranger.body;
    } else {
      EXPECT_EQ(error(none, 401).rfind("unauthenticated", 0), 0u);
      EXPECT_EQ(error(stranger, 401).rfind("unauthenticated", 0), 0u);
    }
    for (http::role r : k_roles) {
      SCOPED_TRACE(std::string(http::name(r)));
      const auto answer = call(e.method, e.target, secret_of(r), e.body);
      if (open || e.roles.count(r) > 0) {
        EXPECT_EQ(answer.status, 200u) << answer.body;
        EXPECT_EQ(answer.body.find("mab_api-test"), std::string::npos) << "a secret leaked";
      } else {
        EXPECT_EQ(error(answer, 403).rfind("forbidden", 0), 0u);
        // Refused before the handler ran: nothing in the answer comes from the ledger.
        EXPECT_EQ(answer.body.find("sk_"), std::string::npos);
      }
    }
  }
}

TEST_F(routes_test, unknown_query_parameters_are_named_on_every_route) {
  for (const auto& e : endpoints()) {
    SCOPED_TRACE(e.target);
    const std::string target =
        e.target + (e.target.find('?') == std::string::npos ? "?" : "&") + "colour=red";
    const auto as = e.roles.empty() ? http::role::viewer : *e.roles.begin();
    const auto r = call(e.method, target, secret_of(as), e.body);
    EXPECT_NE(error(r, 400).find("unknown parameter 'colour'"), std::string::npos);
  }
}

TEST_F(routes_test, an_unknown_parameter_with_a_strange_name_is_not_echoed) {
  const auto r = get("/api/v1/flags?%3Cscript%3E=1");
  const auto e = error(r, 400);
  EXPECT_NE(e.find("unknown query parameter"), std::string::npos) << e;
  EXPECT_EQ(r.body.find("<script>"), std::string::npos);
}

TEST_F(routes_test, readyz_says_503_when_the_store_stops_answering) {
  EXPECT_EQ(ok(call("GET", "/readyz", ""))["status"], "ready");
  st->unreadable = true;
  const auto r = call("GET", "/readyz", "");
  EXPECT_NE(error(r, 503).find("not_ready"), std::string::npos);
  EXPECT_EQ(r.body.find("simulated"), std::string::npos) << "the store's own message stays in the log";
  EXPECT_EQ(ok(call("GET", "/healthz", ""))["status"], "ok") << "the process still serves";
  // Reads behind the API are a 503 too, never a crash.
  EXPECT_NE(error(get("/api/v1/overview"), 503).find("unavailable"), std::string::npos);
  EXPECT_NE(error(get("/api/v1/transfers"), 503).find("unavailable"), std::string::npos);
  EXPECT_NE(error(get("/metrics"), 503).find("unavailable"), std::string::npos);
  st->unreadable = false;
  EXPECT_EQ(ok(call("GET", "/readyz", ""))["status"], "ready");
}

TEST_F(routes_test, unknown_paths_and_methods_are_404_and_405) {
  EXPECT_NE(error(get("/api/v1/nothing-here"), 404).find("not_found"), std::string::npos);
  EXPECT_NE(error(get("/api/v2/transfers"), 404).find("not_found"), std::string::npos);
  const auto r = call("DELETE", "/api/v1/transfers", secret_of(http::role::admin));
  EXPECT_NE(error(r, 405).find("method_not_allowed"), std::string::npos);
  EXPECT_NE(error(call("GET", "/api/v1/flags/1/ack", secret_of(http::role::operator_role)), 405)
                .find("method_not_allowed"),
            std::string::npos);
}

TEST_F(routes_test, path_tricks_are_refused_before_any_route) {
  for (const std::string target :
       {"/api/v1/transfers/..%2f..%2fetc%2fpasswd", "/api/v1/transfers/..", "/api/v1/transfers/%00",
        "/api/v1/transfers/T-1%00", "/api/v1/transfers/%2e%2e", "/api/v1/transfers//T-1",
        "/api/v1/transfers/T-1%5c..", "/api/v1/./transfers", "/api/v1/transfers/%zz"}) {
    SCOPED_TRACE(target);
    const auto r = get(target);
    EXPECT_EQ(r.status, 400u) << r.body;
    EXPECT_EQ(r.body.find("passwd"), std::string::npos);
  }
}

}  // namespace
}  // namespace mab::api

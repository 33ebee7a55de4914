// The router without sockets: target parsing, every authentication outcome for every role,
// parameters, 404/405, and a handler that throws.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "daemon/http/http.h"
#include "daemon/http/target.h"

namespace mab::http {
namespace {

using nlohmann::json;

constexpr role k_all_roles[] = {role::viewer, role::operator_role, role::auditor, role::admin};

std::string secret_for(role r) { return "mab_test-secret-" + std::string(name(r)); }

std::optional<std::string> header(const response& r, std::string_view name_) {
  for (const auto& [k, v] : r.headers) {
    if (k == name_) return v;
  }
  return std::nullopt;
}

std::string error_code_of(const response& r) { return json::parse(r.body)["error"]["code"]; }

class router_test : public ::testing::Test {
 protected:
  void SetUp() override {
    for (role r : k_all_roles) {
      tokens_.push_back(token{"holder-" + std::string(name(r)), hash_token(secret_for(r)), r});
    }
    auto echo = [](const request& req) {
      json j = {{"caller", req.caller},
                {"params", req.params},
                {"query", req.query},
                {"method", req.method}};
      j["role"] = req.caller_role ? std::string(name(*req.caller_role)) : "";
      return json_response(200, j.dump());
    };
    routes_.add("GET", "/healthz", {}, echo);
    routes_.add("GET", "/api/v1/counts", {role::viewer}, echo);
    routes_.add("GET", "/api/v1/ledger", {role::viewer, role::operator_role, role::auditor}, echo);
    routes_.add("POST", "/api/v1/flags/{id}/ack", {role::operator_role}, echo);
    routes_.add("GET", "/api/v1/subjects/{id}", {role::operator_role}, echo);
    routes_.add("GET", "/api/v1/audit", {role::auditor}, echo);
    routes_.add("POST", "/api/v1/agencies", {role::admin}, echo);
    routes_.add("GET", "/api/v1/boom", {role::viewer}, [](const request&) -> response {
      throw std::runtime_error("db at /var/lib/mab/secret.db");
    });
  }

  response call(std::string method, std::string path, std::string authorization) {
    request req;
    req.method = std::move(method);
    req.path = std::move(path);
    return routes_.dispatch(std::move(req), authorization, tokens_);
  }
  response call_as(role r, std::string method, std::string path) {
    return call(std::move(method), std::move(path), "Bearer " + secret_for(r));
  }

  router routes_;
  std::vector<token> tokens_;
};

TEST(roles, names_round_trip) {
  for (role r : k_all_roles) EXPECT_EQ(role_from_name(name(r)), r);
  EXPECT_EQ(name(role::operator_role), "operator");
  EXPECT_FALSE(role_from_name("root"));
  EXPECT_FALSE(role_from_name("Admin"));
}

TEST(tokens, issued_tokens_are_random_url_safe_and_hashed) {
  const issued_token a = issue_token();
  const issued_token b = issue_token();
  EXPECT_NE(a.secret, b.secret);
  EXPECT_EQ(a.secret.rfind("mab_", 0), 0u);
  EXPECT_EQ(a.secret.size(), 4u + 43u);  // 256 bits, base64url without padding
  EXPECT_EQ(a.secret.find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 4),
            std::string::npos);
  EXPECT_EQ(a.sha256_hex, hash_token(a.secret));
  EXPECT_EQ(hash_token("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(responses, error_response_is_the_documented_json) {
  const response r = error_response(400, "bad_query", "limit: must be 1..500");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(
      json::parse(r.body),
      json::parse(
          R"({"error":{"status":400,"code":"bad_query","message":"limit: must be 1..500"}})"));
}

// Each protected route admits exactly its roles: 200 for those, 403 for every other.
TEST_F(router_test, every_role_on_every_route) {
  struct expectation {
    const char* method;
    const char* path;
    std::set<role> admitted;
  };
  const expectation table[] = {
      {"GET", "/api/v1/counts", {role::viewer}},
      {"GET", "/api/v1/ledger", {role::viewer, role::operator_role, role::auditor}},
      {"POST", "/api/v1/flags/F-1/ack", {role::operator_role}},
      {"GET", "/api/v1/subjects/S-1", {role::operator_role}},
      {"GET", "/api/v1/audit", {role::auditor}},
      {"POST", "/api/v1/agencies", {role::admin}},
  };
  for (const expectation& e : table) {
    for (role r : k_all_roles) {
      const response res = call_as(r, e.method, e.path);
      const bool admitted = e.admitted.count(r) == 1;
      EXPECT_EQ(res.status, admitted ? 200u : 403u)
          << e.method << " " << e.path << " as " << name(r);
      if (admitted) {
        EXPECT_EQ(json::parse(res.body)["role"], name(r));
        EXPECT_EQ(json::parse(res.body)["caller"], "holder-" + std::string(name(r)));
      } else {
        EXPECT_EQ(error_code_of(res), "forbidden");
        EXPECT_EQ(res.body.find(secret_for(r)), std::string::npos);
      }
    }
  }
}

TEST_F(router_test, open_route_needs_no_token_and_ignores_a_bad_one) {
  for (const char* auth : {"", "Bearer nonsense", "Basic abc", "\x01garbage"}) {
    const response res = call("GET", "/healthz", auth);
    EXPECT_EQ(res.status, 200u) << auth;
    EXPECT_EQ(json::parse(res.body)["caller"], "");
    EXPECT_EQ(json::parse(res.body)["role"], "");
  }
}

TEST_F(router_test, missing_or_malformed_authorization_is_401_with_challenge) {
  for (const char* auth : {"", "Bearer", "Bearer ", "Bearer    ", "Basic dXNlcjpwYXNz", "Token abc",
                           "Bearer a b", "Bearer tok\"en", "Bearertok", "mab_test-secret-viewer"}) {
    const response res = call("GET", "/api/v1/counts", auth);
    EXPECT_EQ(res.status, 401u) << auth;
    EXPECT_EQ(error_code_of(res), "unauthenticated");
    EXPECT_EQ(header(res, "WWW-Authenticate"), "Bearer") << auth;
  }
}

TEST_F(router_test, unknown_token_is_401_and_never_echoed) {
  const std::string secret = "mab_not-a-configured-token";
  const response res = call("GET", "/api/v1/counts", "Bearer " + secret);
  EXPECT_EQ(res.status, 401u);
  EXPECT_EQ(header(res, "WWW-Authenticate"), R"(Bearer error="invalid_token")");
  EXPECT_EQ(res.body.find(secret), std::string::npos);
  EXPECT_EQ(res.body.find(hash_token(secret)), std::string::npos);
}

TEST_F(router_test, scheme_is_case_insensitive_and_stored_hash_case_does_not_matter) {
  EXPECT_EQ(call("GET", "/api/v1/counts", "bearer " + secret_for(role::viewer)).status, 200u);
  EXPECT_EQ(call("GET", "/api/v1/counts", "  BEARER  " + secret_for(role::viewer) + " ").status,
            200u);
  std::string upper = hash_token(secret_for(role::viewer));
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  tokens_ = {token{"upper", upper, role::viewer}, token{"short", "abc", role::admin}};
  EXPECT_EQ(call_as(role::viewer, "GET", "/api/v1/counts").status, 200u);
}

TEST_F(router_test, no_tokens_configured_means_nobody_gets_in) {
  tokens_.clear();
  EXPECT_EQ(call_as(role::admin, "POST", "/api/v1/agencies").status, 401u);
  EXPECT_EQ(call("GET", "/healthz", "").status, 200u);
}

TEST_F(router_test, params_come_from_the_pattern) {
  const response res = call_as(role::operator_role, "POST", "/api/v1/flags/F 9%/ack");
  ASSERT_EQ(res.status, 200u);
  EXPECT_EQ(json::parse(res.body)["params"], json({{"id", "F 9%"}}));
}

TEST_F(router_test, unknown_path_is_404_for_a_caller_and_401_for_a_stranger) {
  EXPECT_EQ(call_as(role::viewer, "GET", "/api/v1/nothing").status, 404u);
  EXPECT_EQ(error_code_of(call_as(role::viewer, "GET", "/api/v2/counts")), "not_found");
  EXPECT_EQ(call_as(role::viewer, "GET", "/api/v1/counts/").status, 404u);   // trailing slash
  EXPECT_EQ(call_as(role::viewer, "GET", "/api/v1/counts/x").status, 404u);  // extra segment
  EXPECT_EQ(call_as(role::viewer, "GET", "/").status, 404u);
  EXPECT_EQ(call("GET", "/api/v1/nothing", "").status, 401u);  // no route map for strangers
}

TEST_F(router_test, wrong_method_is_405_with_allow) {
  const response res = call_as(role::admin, "GET", "/api/v1/agencies");
  EXPECT_EQ(res.status, 405u);
  EXPECT_EQ(error_code_of(res), "method_not_allowed");
  EXPECT_EQ(header(res, "Allow"), "POST");
  EXPECT_EQ(call("GET", "/api/v1/agencies", "").status, 401u);
  const response open = call("DELETE", "/healthz", "");
  EXPECT_EQ(open.status, 405u);
  EXPECT_EQ(header(open, "Allow"), "GET, HEAD");
}

TEST_F(router_test, head_is_answered_by_the_get_route) {
  const response res = call("HEAD", "/healthz", "");
  EXPECT_EQ(res.status, 200u);
  EXPECT_EQ(json::parse(res.body)["method"], "HEAD");
  EXPECT_EQ(call_as(role::viewer, "HEAD", "/api/v1/counts").status, 200u);
  EXPECT_EQ(call_as(role::admin, "HEAD", "/api/v1/counts").status, 403u);
}

TEST_F(router_test, handler_exception_is_500_without_detail) {
  const response res = call_as(role::viewer, "GET", "/api/v1/boom");
  EXPECT_EQ(res.status, 500u);
  EXPECT_EQ(error_code_of(res), "internal");
  EXPECT_EQ(res.body.find("secret"), std::string::npos);
  EXPECT_EQ(res.body.find("/var/lib"), std::string::npos);
}

TEST_F(router_test, decoded_path_tricks_are_400_even_when_built_by_hand) {
  for (const char* path : {"", "api/v1/counts", "/api/v1/../v1/counts", "/api//v1/counts",
                           "/api/v1/counts\\x", "/./api", "/api/.", "/api/v1/flags/../ack"}) {
    const response res = call_as(role::viewer, "GET", path);
    EXPECT_EQ(res.status, 400u) << path;
    EXPECT_EQ(error_code_of(res), "bad_path") << path;
  }
  EXPECT_EQ(call_as(role::viewer, "GET", std::string("/api/v1/counts\0x", 16)).status, 400u);
}

// ---- targets: what the server hands the router ----

std::optional<response> parse(std::string_view target, request& req) {
  return detail::parse_target(target, req);
}

TEST(target, decodes_path_and_query_once) {
  request req;
  ASSERT_FALSE(parse("/api/v1/transfers/T%2D1%2541?limit=10&q=a+b%2Bc&k%3D=%2F&flag&&", req));
  EXPECT_EQ(req.path, "/api/v1/transfers/T-1%41");  // decoded once: %25 41 stays "%41"
  const std::map<std::string, std::string> want = {
      {"limit", "10"}, {"q", "a b+c"}, {"k=", "/"}, {"flag", ""}};
  EXPECT_EQ(req.query, want);
  ASSERT_FALSE(parse("/healthz", req));
  EXPECT_EQ(req.path, "/healthz");
  EXPECT_TRUE(req.query.empty());
  ASSERT_FALSE(parse("/a?", req));
  EXPECT_TRUE(req.query.empty());
  ASSERT_FALSE(parse("/a+b", req));
  EXPECT_EQ(req.path, "/a+b");  // '+' is a space only in the query
}

TEST(target, path_tricks_are_bad_path) {
  for (const char* target : {"",           "*",           "api/v1",    "http://evil/api/v1",
                             "/a/../b",    "/a/%2e%2e/b", "/a/%2E%2E", "/..",
                             "/a//b",      "//a",         "/a%2Fb",    "/a%2fb",
                             "/a%5Cb",     "/a%5cb",      "/a\\b",     "/a%00b",
                             "/a%0Ab",     "/a%zz",       "/a%4",      "/a%",
                             "/a#frag",    "/a?x=1#frag", "/a/./b",    "/a/%2e/b",
                             "/a%2F..%2Fb"}) {
    request req;
    const auto bad = parse(target, req);
    ASSERT_TRUE(bad) << target;
    EXPECT_EQ(bad->status, 400u) << target;
    EXPECT_EQ(error_code_of(*bad), "bad_path") << target;
  }
}

TEST(target, query_problems_are_bad_query) {
  for (const char* target :
       {"/a?x=1&x=2", "/a?x=1&x", "/a?x&x", "/a?=1", "/a?x=%ZZ", "/a?x=%4", "/a?x=%00",
        "/a?x=%0D%0A", "/a?%zz=1", "/a?a=1&A=2&a=3", "/a?q+=1&q%20=2"}) {
    request req;
    const auto bad = parse(target, req);
    ASSERT_TRUE(bad) << target;
    EXPECT_EQ(bad->status, 400u) << target;
    EXPECT_EQ(error_code_of(*bad), "bad_query") << target;
  }
}

TEST(target, huge_targets_are_parsed_without_trouble) {
  request req;
  std::string many = "/a?";
  for (int i = 0; i < 5000; ++i) many += "k" + std::to_string(i) + "=v&";
  ASSERT_FALSE(parse(many, req));
  EXPECT_EQ(req.query.size(), 5000u);
  ASSERT_FALSE(parse("/" + std::string(100000, 'x'), req));
}

}  // namespace
}  // namespace mab::http

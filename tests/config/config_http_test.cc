// [http] and [[token]]: where the operator API listens, and the tokens it accepts, each rule
// with the line and the words an operator needs to fix it.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "daemon/config/config.h"
#include "tests/config/config_test_support.h"

namespace mab::config {
namespace {

using namespace test_support;

constexpr std::string_view http_section = R"(
[http]
listen = "0.0.0.0:8443"
tls = true
cert_file = "/etc/mab/http.crt"
key_file = "http.key"
max_body_bytes = 131072
max_connections = 64
read_timeout_seconds = 10

[[token]]
name = "duty-officer"
role = "operator"
sha256 = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"

[[token]]
name = "auditor.jb"
role = "auditor"
sha256 = "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9"
)";

class http_test : public config_test {
 protected:
  http_test() : config_test(std::string(valid_template) + std::string(http_section)) {}
};

TEST_F(config_test, http_is_off_without_a_section) {
  const auto r = parse(valid_text(), "mabd.toml");
  ASSERT_TRUE(r.cfg.has_value()) << all_errors(r);
  EXPECT_FALSE(r.cfg->http.enabled);
  EXPECT_TRUE(r.cfg->tokens.empty());
}

TEST_F(http_test, reads_every_setting_and_token) {
  const auto r = parse(valid_text(), "mabd.toml");
  ASSERT_TRUE(r.cfg.has_value()) << all_errors(r);
  const http_settings& h = r.cfg->http;
  EXPECT_TRUE(h.enabled);
  EXPECT_EQ(h.address, "0.0.0.0");
  EXPECT_EQ(h.port, 8443);
  EXPECT_TRUE(h.tls);
  EXPECT_EQ(h.cert_file, "/etc/mab/http.crt");
  EXPECT_EQ(r.cfg->resolve(h.key_file), "/srv/mab/data/http.key");
  EXPECT_EQ(h.max_body_bytes, 131072U);
  EXPECT_EQ(h.max_connections, 64U);
  EXPECT_DOUBLE_EQ(h.read_timeout_seconds, 10);
  ASSERT_EQ(r.cfg->tokens.size(), 2U);
  EXPECT_EQ(r.cfg->tokens[0].name, "duty-officer");
  EXPECT_EQ(r.cfg->tokens[0].role, "operator");
  EXPECT_EQ(r.cfg->tokens[1].name, "auditor.jb");
  EXPECT_EQ(r.cfg->tokens[1].sha256_hex.size(), 64U);
}

TEST_F(http_test, ipv6_loopback_may_use_plain_http) {
  std::string text = edited("listen = \"0.0.0.0:8443\"", "listen = \"[::1]:0\"");
  text = replaced(text, "tls = true", "tls = false");
  const auto r = parse(text, "mabd.toml");
  ASSERT_TRUE(r.cfg.has_value()) << all_errors(r);
  EXPECT_EQ(r.cfg->http.address, "::1");
  EXPECT_EQ(r.cfg->http.port, 0);
  EXPECT_FALSE(r.cfg->http.tls);
}

TEST_F(http_test, enabled_false_turns_it_off_and_then_tokens_are_an_error) {
  const std::string text = edited("tls = true", "enabled = false");
  const auto r = parse(text, "mabd.toml");
  EXPECT_TRUE(has_error(r, line_containing(text, "name = \"duty-officer\"") - 1,
                        "add an [http] section"));
}

class http_rules : public http_test, public ::testing::WithParamInterface<rule_case> {};

TEST_P(http_rules, reports_the_line_and_the_rule) {
  const rule_case& c = GetParam();
  const std::string text = edited(c.from, c.to);
  const auto r = parse(text, "mabd.toml");
  EXPECT_FALSE(r.cfg.has_value());
  EXPECT_TRUE(has_error(r, line_containing(text, c.needle) + c.offset, c.fragment));
}

INSTANTIATE_TEST_SUITE_P(
    each_rule, http_rules,
    ::testing::Values(
        rule_case{"listen_without_port", "listen = \"0.0.0.0:8443\"", "listen = \"0.0.0.0\"",
                  "listen = \"0.0.0.0\"", 0, "must be an IP address and a port"},
        rule_case{"listen_with_hostname", "listen = \"0.0.0.0:8443\"",
                  "listen = \"localhost:8443\"", "localhost:8443", 0, "must be an IP address"},
        rule_case{"listen_port_too_big", "listen = \"0.0.0.0:8443\"",
                  "listen = \"127.0.0.1:70000\"", "70000", 0, "and a port"},
        rule_case{"plain_http_off_loopback", "tls = true", "tls = false", "tls = false", 0,
                  "only on a loopback address"},
        rule_case{"empty_cert_file", "cert_file = \"/etc/mab/http.crt\"", "cert_file = \"\"",
                  "cert_file", 0, "must not be empty"},
        rule_case{"tiny_body_limit", "max_body_bytes = 131072", "max_body_bytes = 10",
                  "max_body_bytes", 0, "must be 1024..16777216"},
        rule_case{"zero_connections", "max_connections = 64", "max_connections = 0",
                  "max_connections", 0, "must be 1..65536"},
        rule_case{"unknown_http_key", "tls = true", "tls = true\nport = 80", "port = 80", 0,
                  "port"},
        rule_case{"unknown_role", "role = \"operator\"", "role = \"superuser\"", "superuser", 0,
                  "is not one of: viewer, operator, auditor, admin"},
        rule_case{"token_name_with_space", "name = \"duty-officer\"", "name = \"duty officer\"",
                  "duty officer", 0, "must be 1-64 of a-z"},
        rule_case{"raw_token_instead_of_hash",
                  "sha256 = \"2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae\"",
                  "sha256 = \"mab_abc\"", "mab_abc", 0, "never the token itself"},
        rule_case{"uppercase_hash",
                  "sha256 = \"2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae\"",
                  "sha256 = \"2C26B46B68FFC68FF99B453C1D30413413422D706483BFA0F98A5E886266E7AE\"",
                  "2C26B4", 0, "64 lowercase hex"},
        rule_case{"missing_role", "role = \"operator\"\n", "", "name = \"duty-officer\"", -1,
                  "role: missing"},
        rule_case{"duplicate_name", "name = \"auditor.jb\"", "name = \"duty-officer\"",
                  "role = \"auditor\"", -1, "is used by another [[token]]"},
        rule_case{"duplicate_hash",
                  "sha256 = \"fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9\"",
                  "sha256 = \"2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae\"",
                  "role = \"auditor\"", 1, "issue each holder their own"}),
    [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace mab::config

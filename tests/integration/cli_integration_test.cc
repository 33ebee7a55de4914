// mabctl and mabd as an adapter developer and an operator use them: real processes only.
#include <csignal>
#include <filesystem>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "tests/integration/scenario.h"

namespace mab::testing {
namespace {

const char* valid_json = R"({
  "subject": {"upn": "P207000016049", "given_name": "Ava", "area": "E09000001"},
  "attendance_concern": {"kind": "PERSISTENT_ABSENCE", "possible_sessions": 108,
                         "attended_sessions": 86, "absence_rate_percent": 20.4}
})";

class cli_test : public ::testing::Test {
 protected:
  void SetUp() override {
    standard_agencies(sb);
    ASSERT_NO_FATAL_FAILURE(sb.start());
  }
  sandbox sb;
};

TEST_F(cli_test, send_then_recv_then_sender_sees_the_ack) {
  auto sent = sb.mabctl({"send", "--config", sb.agency("school-a").adapter_config}, valid_json);
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  EXPECT_NE(sent.out.find("\"ACCEPTED\""), std::string::npos) << sent.out;
  EXPECT_EQ(std::count(sent.out.begin(), sent.out.end(), '\n'), 1) << "one JSON line";

  auto got = sb.mabctl({"recv", "--config", sb.agency("csc-a").adapter_config, "--count", "1",
                        "--timeout", "10"});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  EXPECT_NE(got.out.find("\"delivery\""), std::string::npos) << got.out;
  EXPECT_NE(got.out.find("P207000016049"), std::string::npos) << got.out;

  auto notice = sb.mabctl({"recv", "--config", sb.agency("school-a").adapter_config, "--count",
                           "1", "--timeout", "10"});
  ASSERT_EQ(notice.exit_code, 0) << notice.err;
  EXPECT_NE(notice.out.find("ack_notice"), std::string::npos) << notice.out;
}

TEST_F(cli_test, rejected_send_exits_2_naming_reason_and_field) {
  std::string bad = valid_json;
  bad.replace(bad.find("P207000016049"), 13, "A207000016049");
  auto r = sb.mabctl({"send", "--config", sb.agency("school-a").adapter_config}, bad);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("INVALID_UPN"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("subject.upn"), std::string::npos) << r.err;
}

TEST_F(cli_test, json_that_is_not_a_notification_exits_2) {
  auto r = sb.mabctl({"send", "--config", sb.agency("school-a").adapter_config},
                     R"({"subject": {"upn": 7}, "no_such_field": true})");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(r.err.empty());
}

TEST_F(cli_test, recv_without_enough_messages_exits_1) {
  auto r = sb.mabctl({"recv", "--config", sb.agency("csc-b").adapter_config, "--count", "1",
                      "--timeout", "1"});
  EXPECT_EQ(r.exit_code, 1);
}

TEST_F(cli_test, ping) {
  auto r = sb.mabctl({"ping", "--config", sb.agency("police-a").adapter_config});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("pong"), std::string::npos);
}

TEST_F(cli_test, validate_config_accepts_good_and_names_the_line_of_bad) {
  auto good = sb.mabd({"--config", sb.config_path(), "--validate-config"});
  EXPECT_EQ(good.exit_code, 0) << good.err;
  EXPECT_NE(good.out.find("valid"), std::string::npos);

  sb.broker_extra = "lissen = \"tcp://127.0.0.1:1\"\n";
  sb.write_config();
  auto bad = sb.mabd({"--config", sb.config_path(), "--validate-config"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("mabd.toml:"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("lissen"), std::string::npos) << bad.err;
}

TEST_F(cli_test, validate_config_names_an_unreadable_https_certificate) {
  std::filesystem::remove(sb.http_cert());
  auto r = sb.mabd({"--config", sb.config_path(), "--validate-config"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("[http] cert_file: " + sb.http_cert() + " cannot be read"), std::string::npos)
      << r.err;
}

// Revoking a token is a config edit and a SIGHUP: the next request with it is refused, while
// the other tokens, and mabd itself, carry on.
TEST(cli_tokens, sighup_revokes_a_removed_token_without_a_restart) {
  sandbox sb;
  standard_agencies(sb);
  ASSERT_NO_FATAL_FAILURE(sb.start());
  const std::vector<std::string> as_viewer = {"transfers", "list", "--mabd-config",
                                              sb.config_path(), "--token-file",
                                              sb.token_file("viewer")};
  auto before = sb.mabctl(as_viewer);
  ASSERT_EQ(before.exit_code, 0) << before.err;

  std::string text = read_file(sb.config_path());
  const auto start = text.find("[[token]]\nname = \"test-viewer\"");
  ASSERT_NE(start, std::string::npos);
  text.erase(start, text.find("[[token]]", start + 1) - start);
  write_file(sb.config_path(), text);
  sb.signal(SIGHUP);

  run_result after;
  for (int i = 0; i < 50; ++i) {
    after = sb.mabctl(as_viewer);
    if (after.exit_code != 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(after.exit_code, 1);
  EXPECT_NE(after.err.find("HTTP 401"), std::string::npos) << after.err;
  auto operator_still = sb.mabctl({"transfers", "list", "--mabd-config", sb.config_path()});
  EXPECT_EQ(operator_still.exit_code, 0) << operator_still.err;
  EXPECT_NE(sb.log().find("3 API token(s) now in force"), std::string::npos) << sb.log();
  EXPECT_EQ(sb.stop(), 0);
}

TEST(cli_logging, json_log_format_writes_one_json_object_per_line) {
  sandbox sb;
  standard_agencies(sb);
  sb.broker_extra = "log_format = \"json\"\n";
  ASSERT_NO_FATAL_FAILURE(sb.start());
  auto sent = sb.mabctl({"send", "--config", sb.agency("school-a").adapter_config}, valid_json);
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  ASSERT_EQ(sb.stop(), 0);
  std::istringstream lines(sb.log());
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    ++count;
    EXPECT_EQ(line.rfind("{\"time\":\"", 0), 0u) << line;
    EXPECT_EQ(line.back(), '}') << line;
    EXPECT_NE(line.find("\"msg\":\""), std::string::npos) << line;
  }
  EXPECT_GE(count, 3);
  EXPECT_NE(sb.log().find("accepted message"), std::string::npos);
  // Logs never carry the child's identifiers or names.
  EXPECT_EQ(sb.log().find("P207000016049"), std::string::npos);
  EXPECT_EQ(sb.log().find("Ava"), std::string::npos);
}

TEST_F(cli_test, every_binary_has_help) {
  EXPECT_EQ(sb.mabd({"--help"}).exit_code, 0);
  for (const char* sub : {"keygen", "send", "recv", "ping", "deadletters", "audit", "obligations",
                          "flags"}) {
    auto r = sb.mabctl({sub, "--help"});
    EXPECT_EQ(r.exit_code, 0) << sub;
    EXPECT_FALSE(r.out.empty()) << sub;
  }
}

}  // namespace
}  // namespace mab::testing

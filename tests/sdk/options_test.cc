#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "adapters/sdk/client.h"
#include "daemon/crypto/crypto.h"

namespace mab::sdk {
namespace {

namespace fs = std::filesystem;

class options_test : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mab_options_test_" + crypto::to_hex(crypto::random_bytes(6)));
    fs::create_directories(dir_ / "conf");
    broker_sign_ = crypto::generate_signing_key().public_key;
    broker_curve_ = crypto::generate_curve_key().public_z85;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A valid file, six lines long.
  std::string valid_lines() const {
    return "agency = \"school-1\"\n"
           "endpoint = \"tcp://127.0.0.1:7750\"\n"
           "broker_curve_key = \"" + broker_curve_ + "\"\n"
           "broker_signing_key = \"" + crypto::base64_encode(broker_sign_) + "\"\n"
           "signing_key_file = \"keys/school-1.sign.key\"\n"
           "curve_secret_key_file = \"/abs/school-1.curve.key\"\n";
  }

  std::string write(const std::string& text) const {
    const auto path = (dir_ / "conf" / "adapter.toml").string();
    std::ofstream(path) << text;
    return path;
  }

  // Removes the line for `key` and appends `replacement` (if any) as the last line, so the
  // replacement is always on line 6.
  std::string with_line(const std::string& key, const std::string& replacement) const {
    std::string text = valid_lines();
    const auto start = text.find(key + " =");
    const auto end = text.find('\n', start);
    text.erase(start, end - start + 1);
    if (!replacement.empty()) text += replacement + "\n";
    return text;
  }

  fs::path dir_;
  std::string broker_sign_;
  std::string broker_curve_;
};

TEST_F(options_test, loads_a_valid_file_and_resolves_relative_paths) {
  const auto path = write(valid_lines() + "heartbeat_seconds = 0.5\n");
  auto o = load_options(path);
  ASSERT_TRUE(o) << o.message();
  EXPECT_EQ(o->agency, "school-1");
  EXPECT_EQ(o->endpoint, "tcp://127.0.0.1:7750");
  EXPECT_EQ(o->broker_curve_key, broker_curve_);
  EXPECT_EQ(o->broker_signing_key, broker_sign_);  // raw bytes
  EXPECT_EQ(o->signing_key_file, (dir_ / "conf" / "keys" / "school-1.sign.key").string());
  EXPECT_EQ(o->curve_secret_key_file, "/abs/school-1.curve.key");
  EXPECT_EQ(o->heartbeat, std::chrono::milliseconds(500));
}

TEST_F(options_test, heartbeat_defaults_to_five_seconds) {
  auto o = load_options(write(valid_lines()));
  ASSERT_TRUE(o) << o.message();
  EXPECT_EQ(o->heartbeat, std::chrono::milliseconds(5000));
}

TEST_F(options_test, unknown_key_is_an_error_naming_line_and_key) {
  const auto path = write(valid_lines() + "colour = \"blue\"\n");
  auto o = load_options(path);
  ASSERT_FALSE(o);
  EXPECT_EQ(o.message(), path + ":7: colour: unknown key");
}

struct bad_value {
  std::string key;
  std::string line;
  std::string rule;
};

TEST_F(options_test, each_bad_value_names_file_line_and_field) {
  const bad_value cases[] = {
      {"agency", "agency = \"School 1\"", "must match"},
      {"agency", "agency = 7", "must be a string"},
      {"endpoint", "endpoint = \"localhost:7750\"", "tcp:// or ipc://"},
      {"broker_curve_key", "broker_curve_key = \"short\"", "Z85"},
      {"broker_signing_key", "broker_signing_key = \"AAAA\"", "32-byte"},
      {"broker_signing_key", "broker_signing_key = \"not base64!\"", "base64"},
      {"signing_key_file", "signing_key_file = \"\"", "must not be empty"},
  };
  for (const auto& c : cases) {
    const auto path = write(with_line(c.key, c.line));
    auto o = load_options(path);
    ASSERT_FALSE(o) << c.line;
    EXPECT_EQ(o.message().rfind(path + ":6: " + c.key + ": ", 0), 0u) << o.message();
    EXPECT_NE(o.message().find(c.rule), std::string::npos) << o.message();
  }
}

TEST_F(options_test, missing_key_is_named) {
  const auto path = write(with_line("curve_secret_key_file", ""));
  auto o = load_options(path);
  ASSERT_FALSE(o);
  EXPECT_EQ(o.message(), path + ": curve_secret_key_file: is required");
}

TEST_F(options_test, reports_every_problem_at_once) {
  const auto path = write(with_line("endpoint", "") + "heartbeat_seconds = -1\n");
  auto o = load_options(path);
  ASSERT_FALSE(o);
  EXPECT_NE(o.message().find(path + ": endpoint: is required"), std::string::npos);
  EXPECT_NE(o.message().find(path + ":6: heartbeat_seconds: "), std::string::npos);
}

TEST_F(options_test, toml_syntax_error_names_the_line) {
  const auto path = write(valid_lines() + "oops = \n");
  auto o = load_options(path);
  ASSERT_FALSE(o);
  EXPECT_EQ(o.message().rfind(path + ":7: ", 0), 0u) << o.message();
}

TEST_F(options_test, missing_file_is_named) {
  auto o = load_options((dir_ / "absent.toml").string());
  ASSERT_FALSE(o);
  EXPECT_NE(o.message().find("absent.toml"), std::string::npos);
}

}  // namespace
}  // namespace mab::sdk

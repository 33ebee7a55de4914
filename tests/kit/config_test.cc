#include <gtest/gtest.h>

#include "adapters/kit/kit.h"
#include "daemon/crypto/crypto.h"
#include "tests/kit/tmpdir.h"

namespace mab::kit {
namespace {

std::string broker_table() {
  return "[broker]\nagency = \"school-1\"\nendpoint = \"tcp://127.0.0.1:7750\"\n"
         "broker_curve_key = \"" + crypto::generate_curve_key().public_z85 + "\"\n"
         "broker_signing_key = \"" +
         crypto::base64_encode(crypto::generate_signing_key().public_key) + "\"\n"
         "signing_key_file = \"keys/s.sign.key\"\ncurve_secret_key_file = \"/abs/s.curve.key\"\n";
}

TEST(config, valid_file_resolves_paths_and_keeps_extra_tables) {
  test::tmpdir dir;
  test::write(dir / "a.toml", broker_table() +
                                  "[adapter]\nstate_file = \"state.db\"\nreject_file = "
                                  "\"rejects.txt\"\ndrop_folder = \"drop\"\narea = \"E09000001\"\n"
                                  "[thresholds]\nmin_sessions = 5\n");
  auto c = load_config(dir / "a.toml", {"thresholds"});
  ASSERT_TRUE(c) << c.message();
  EXPECT_EQ(c->broker.agency, "school-1");
  EXPECT_EQ(c->broker.signing_key_file, dir / "keys/s.sign.key");
  EXPECT_EQ(c->broker.curve_secret_key_file, "/abs/s.curve.key");
  EXPECT_EQ(c->broker.broker_signing_key.size(), 32u);
  EXPECT_EQ(c->state_file, dir / "state.db");
  EXPECT_EQ(c->drop_folder, dir / "drop");
  EXPECT_EQ(c->area, "E09000001");
  EXPECT_EQ(c->extra["thresholds"]["min_sessions"].value<int>(), 5);
  // The adapter reports errors in its own tables by line, so the position must survive.
  EXPECT_EQ(c->extra["thresholds"]["min_sessions"].node()->source().begin.line, 14u);
}

TEST(config, every_error_named_with_file_line_field_rule) {
  test::tmpdir dir;
  const std::string path = dir / "a.toml";
  test::write(path, "[broker]\nagency = \"Bad Id\"\nendpoint = \"http://x\"\nbogus = 1\n"
                    "[adapter]\nstate_file = \"s.db\"\narea = \"nowhere\"\n[other]\nx = 1\n");
  auto c = load_config(path, {});
  ASSERT_FALSE(c);
  const auto& m = c.message();
  EXPECT_NE(m.find(path + ":2: broker.agency: must match"), std::string::npos) << m;
  EXPECT_NE(m.find(path + ":3: broker.endpoint: must be a tcp://"), std::string::npos) << m;
  EXPECT_NE(m.find(path + ":4: broker.bogus: unknown key"), std::string::npos) << m;
  EXPECT_NE(m.find(path + ": broker.broker_curve_key: is required"), std::string::npos) << m;
  EXPECT_NE(m.find(path + ": adapter.reject_file: is required"), std::string::npos) << m;
  EXPECT_NE(m.find(path + ":7: adapter.area: must be an ONS"), std::string::npos) << m;
  EXPECT_NE(m.find(path + ":8: other: unknown key"), std::string::npos) << m;
}

TEST(config, syntax_error_and_missing_file) {
  test::tmpdir dir;
  test::write(dir / "a.toml", "[broker\n");
  auto c = load_config(dir / "a.toml", {});
  ASSERT_FALSE(c);
  EXPECT_NE(c.message().find(dir / "a.toml:1:"), std::string::npos) << c.message();
  EXPECT_FALSE(load_config(dir / "missing.toml", {}));
}

}  // namespace
}  // namespace mab::kit

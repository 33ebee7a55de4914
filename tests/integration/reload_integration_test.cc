// Changing agencies and keys while mabd runs: an admin adds an agency and rotates another's
// signing key by editing mabd.toml and reloading (mabctl config reload, or SIGHUP). The new
// agency is served from its first message, the replaced key is refused from its next one, and a
// broken file changes nothing.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <string>
#include <thread>

#include "tests/integration/scenario.h"

namespace mab::testing {
namespace {

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(reload, agencies_and_keys_change_without_a_restart) {
  sandbox sb;
  standard_agencies(sb);
  ASSERT_NO_FATAL_FAILURE(sb.start());
  const std::vector<std::string> reload_as_admin = {"config", "reload", "--mabd-config",
                                                    sb.config_path(), "--token-file",
                                                    sb.token_file("admin")};

  // A new school joins.
  sb.add_agency("school-b", "school", area_a, {"attendance_concern"});
  sb.write_config();
  sb.write_adapter_configs();
  auto as_operator = sb.mabctl({"config", "reload", "--mabd-config", sb.config_path()});
  EXPECT_EQ(as_operator.exit_code, 1);
  EXPECT_NE(as_operator.err.find("HTTP 403"), std::string::npos) << as_operator.err;
  auto added = sb.mabctl(reload_as_admin);
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_NE(added.out.find("reloaded: 5 agencies"), std::string::npos) << added.out;
  auto school_b = sb.client("school-b");
  auto first = school_b->send(attendance_concern("school-b", area_a), receipt_timeout);
  ASSERT_TRUE(first.ok()) << first.message();
  EXPECT_EQ(first->status(), mab::v1::Receipt::ACCEPTED);

  // school-a's signing key is replaced (say it leaked): its old key is refused from now on,
  // while its connection, and everyone else, carry on.
  auto school_a = sb.client("school-a");
  auto before = school_a->send(attendance_concern("school-a", area_a), receipt_timeout);
  ASSERT_TRUE(before.ok()) << before.message();
  EXPECT_EQ(before->status(), mab::v1::Receipt::ACCEPTED);
  const auto replacement = crypto::generate_signing_key();
  write_file(sb.config_path(),
             replaced(read_file(sb.config_path()),
                      crypto::base64_encode(sb.agency("school-a").sign.public_key),
                      crypto::base64_encode(replacement.public_key)));
  sb.signal(SIGHUP);
  mab::v1::Receipt after;
  for (int i = 0; i < 50; ++i) {
    auto r = school_a->send(attendance_concern("school-a", area_a), receipt_timeout);
    ASSERT_TRUE(r.ok()) << r.message();
    after = *r;
    if (after.status() != mab::v1::Receipt::ACCEPTED) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(after.status(), mab::v1::Receipt::REJECTED);
  EXPECT_EQ(after.reason(), mab::v1::UNKNOWN_KEY);

  // A broken file is reported and changes nothing.
  write_file(sb.config_path(), read_file(sb.config_path()) + "\n[[agency]]\nid = \"Bad Id\"\n");
  auto broken = sb.mabctl(reload_as_admin);
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_NE(broken.err.find("HTTP 422"), std::string::npos) << broken.err;
  auto still = school_b->send(attendance_concern("school-b", area_a), receipt_timeout);
  ASSERT_TRUE(still.ok()) << still.message();
  EXPECT_EQ(still->status(), mab::v1::Receipt::ACCEPTED);
  EXPECT_EQ(sb.stop(), 0);
}

}  // namespace
}  // namespace mab::testing

#include <gtest/gtest.h>

#include "adapters/kit/kit.h"
#include "daemon/crypto/crypto.h"

namespace mab::kit {
namespace {

TEST(message_id, is_deterministic_uuid_v5_layout) {
  const auto a = message_id_for("school:s1", "P207000016049/persistent_absence");
  EXPECT_EQ(a, message_id_for("school:s1", "P207000016049/persistent_absence"));
  EXPECT_TRUE(crypto::is_uuid(a));
  ASSERT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '5');
  EXPECT_TRUE(a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b');
}

TEST(message_id, differs_by_adapter_and_key) {
  const auto a = message_id_for("school:s1", "k");
  EXPECT_NE(a, message_id_for("school:s2", "k"));
  EXPECT_NE(a, message_id_for("school:s1", "k2"));
  // The separator keeps ("a\nb", "c") and ("a", "b\nc") apart only by position; both are fixed.
  EXPECT_NE(message_id_for("ab", "c"), message_id_for("a", "bc"));
}

TEST(message_id, matches_sha256_of_the_documented_input) {
  const std::string hex = crypto::to_hex(crypto::sha256("mab-adapter\nx\ny"));
  const auto id = message_id_for("x", "y");
  EXPECT_EQ(id.substr(0, 8), hex.substr(0, 8));
  EXPECT_EQ(id.substr(24), hex.substr(20, 12));
}

}  // namespace
}  // namespace mab::kit

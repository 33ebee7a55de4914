#include <gtest/gtest.h>

#include "adapters/kit/kit.h"
#include "tests/kit/tmpdir.h"

namespace mab::kit {
namespace {

TEST(state, records_survive_reopening) {
  test::tmpdir dir;
  {
    auto st = state::open(dir / "s.db");
    ASSERT_TRUE(st) << st.message();
    ASSERT_TRUE((*st)->record_sent("k1", {"id-1", "ACCEPTED"}));
    ASSERT_TRUE((*st)->put_entity("pupil/1", "{\"n\":1}"));
    ASSERT_TRUE((*st)->mark_file_done("a.csv\n1\n2", "processed"));
  }
  auto st = state::open(dir / "s.db");
  ASSERT_TRUE(st);
  auto sent = (*st)->sent("k1");
  ASSERT_TRUE(sent && sent->has_value());
  EXPECT_EQ((*sent)->message_id, "id-1");
  EXPECT_EQ((*sent)->status, "ACCEPTED");
  EXPECT_FALSE((*st)->sent("k2")->has_value());
  EXPECT_EQ((*st)->entity("pupil/1")->value(), "{\"n\":1}");
  EXPECT_FALSE((*st)->entity("pupil/2")->has_value());
  EXPECT_TRUE(*(*st)->file_done("a.csv\n1\n2"));
  EXPECT_FALSE(*(*st)->file_done("a.csv\n1\n3"));
}

TEST(state, failed_transaction_rolls_back) {
  test::tmpdir dir;
  auto st = state::open(dir / "s.db");
  ASSERT_TRUE(st);
  auto s = (*st)->in_transaction([&]() -> status {
    EXPECT_TRUE((*st)->put_entity("a", "1"));
    return make_error("stop");
  });
  EXPECT_FALSE(s);
  EXPECT_FALSE((*st)->entity("a")->has_value());
  ASSERT_TRUE((*st)->in_transaction([&]() -> status { return (*st)->put_entity("a", "2"); }));
  EXPECT_EQ((*st)->entity("a")->value(), "2");
}

TEST(state, unopenable_path_is_an_error) {
  auto st = state::open("/nonexistent-dir/x/s.db");
  EXPECT_FALSE(st);
}

}  // namespace
}  // namespace mab::kit

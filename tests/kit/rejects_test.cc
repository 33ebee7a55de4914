#include <sys/stat.h>

#include <gtest/gtest.h>

#include "adapters/kit/kit.h"
#include "tests/kit/tmpdir.h"

namespace mab::kit {
namespace {

TEST(rejects, appends_lines_and_counts_with_owner_only_mode) {
  test::tmpdir dir;
  {
    auto rj = rejects::open(dir / "rejects.txt");
    ASSERT_TRUE(rj) << rj.message();
    (*rj)->add("in.csv", 3, "invalid UPN 'X'");
    (*rj)->add("in.csv", 0, "multi\nline");
    EXPECT_EQ((*rj)->count(), 2u);
  }
  auto rj = rejects::open(dir / "rejects.txt");
  ASSERT_TRUE(rj);
  (*rj)->add("b.csv", 1, "again");
  EXPECT_EQ((*rj)->count(), 1u);
  EXPECT_EQ(test::read(dir / "rejects.txt"),
            "in.csv:3: invalid UPN 'X'\nin.csv: multi line\nb.csv:1: again\n");
  struct stat sb {};
  ASSERT_EQ(::stat((dir / "rejects.txt").c_str(), &sb), 0);
  EXPECT_EQ(sb.st_mode & 0777u, 0600u);
}

TEST(rejects, unopenable_path_is_an_error) {
  EXPECT_FALSE(rejects::open("/nonexistent-dir/r.txt"));
}

}  // namespace
}  // namespace mab::kit

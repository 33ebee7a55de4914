#include <sstream>

#include <gtest/gtest.h>

#include "adapters/kit/kit.h"

namespace mab::kit {
namespace {

TEST(summary, one_line_text) {
  summary s{10, 2, 1, 3, 4};
  EXPECT_EQ(s.text(), "rows_read=10 sent=2 duplicates=1 skipped=3 rejected=4");
}

TEST(summary, difference_is_what_happened_in_between) {
  const summary before{10, 2, 1, 3, 4};
  const summary after{15, 3, 1, 5, 4};
  EXPECT_EQ((after - before).text(), "rows_read=5 sent=1 duplicates=0 skipped=2 rejected=0");
}

TEST(progress, reports_every_n_rows) {
  std::ostringstream err;
  progress p(err, "big.csv", 2);
  for (int i = 0; i < 5; ++i) p.row();
  EXPECT_EQ(err.str(), "big.csv: 2 rows\nbig.csv: 4 rows\n");
  std::ostringstream quiet;
  progress never(quiet, "x", 0);
  never.row();
  EXPECT_EQ(quiet.str(), "");
}

}  // namespace
}  // namespace mab::kit

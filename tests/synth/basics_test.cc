// mab-synth's building blocks: dates, the school calendar, identifiers, postcodes, options.
#include <gtest/gtest.h>

#include <set>

#include "adapters/synth/generate.h"
#include "daemon/validate/validate.h"

namespace mab::synth {
namespace {

using namespace std::chrono;

date d(int y, unsigned m, unsigned dd) { return sys_days{year{y} / month{m} / day{dd}}; }

TEST(parse_date, accepts_real_dates_and_names_bad_text) {
  auto ok = parse_date("2024-02-29");
  ASSERT_TRUE(ok) << ok.message();
  EXPECT_EQ(*ok, d(2024, 2, 29));
  EXPECT_EQ(format_date(*ok), "2024-02-29");
  for (const char* bad : {"2025-02-29", "2025-13-01", "2025-1-01", "20250101", "2025-01-0x",
                          "0000-01-01", "-025-01-01", ""}) {
    auto r = parse_date(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.message().find("YYYY-MM-DD"), std::string::npos) << r.message();
  }
}

TEST(school_days, weekdays_only_without_the_holiday_windows) {
  const auto days = school_days(d(2025, 9, 1), d(2026, 7, 22));
  const std::set<date> set(days.begin(), days.end());
  EXPECT_TRUE(set.contains(d(2025, 9, 1)));     // a Monday in term
  EXPECT_FALSE(set.contains(d(2025, 9, 6)));    // Saturday
  EXPECT_FALSE(set.contains(d(2025, 10, 27)));  // October half-term
  EXPECT_TRUE(set.contains(d(2025, 10, 24)));
  EXPECT_FALSE(set.contains(d(2025, 12, 22)));  // Christmas
  EXPECT_FALSE(set.contains(d(2026, 1, 2)));
  EXPECT_TRUE(set.contains(d(2026, 1, 5)));
  EXPECT_FALSE(set.contains(d(2026, 2, 18)));  // February half-term
  EXPECT_FALSE(set.contains(d(2026, 4, 6)));   // Easter
  EXPECT_FALSE(set.contains(d(2026, 5, 4)));   // early May bank holiday
  EXPECT_TRUE(set.contains(d(2026, 5, 5)));
  EXPECT_FALSE(set.contains(d(2026, 5, 27)));  // May half-term
  EXPECT_TRUE(set.contains(d(2026, 7, 22)));   // last day, inclusive
  // An English school year has about 190 days; the rough calendar should be close.
  EXPECT_GE(days.size(), 185u);
  EXPECT_LE(days.size(), 200u);
  EXPECT_TRUE(school_days(d(2025, 9, 6), d(2025, 9, 7)).empty());
}

TEST(identifiers, generated_upns_pass_the_check_letter) {
  for (unsigned serial = 0; serial < 2000; ++serial) {
    const std::string upn = make_upn(201, 4000 + serial / 1000, 15 + serial % 12, serial % 1000);
    ASSERT_EQ(upn.size(), 13u);
    ASSERT_TRUE(validate::valid_upn(upn)) << upn;
  }
  EXPECT_EQ(make_upn(201, 4000, 20, 1).substr(1), "201400020001");
  // A changed digit must break the check, or the test above proves nothing.
  std::string upn = make_upn(201, 4000, 20, 1);
  upn[5] = upn[5] == '9' ? '8' : static_cast<char>(upn[5] + 1);
  EXPECT_FALSE(validate::valid_upn(upn));
}

TEST(identifiers, nhs_numbers_pass_modulus_11_or_are_skipped) {
  int skipped = 0;
  for (std::uint32_t serial = 0; serial < 5000; ++serial) {
    const std::string n = make_nhs_number(serial);
    if (n.empty()) {
      ++skipped;
      continue;
    }
    ASSERT_EQ(n.substr(0, 3), "999");
    ASSERT_TRUE(validate::valid_nhs_number(n)) << n;
  }
  // Roughly one in eleven serials has a check of 10 and no valid number.
  EXPECT_GT(skipped, 300);
  EXPECT_LT(skipped, 700);
  EXPECT_EQ(make_nhs_number(1), "9990000018");
}

TEST(postcodes, normalise_and_outward_code) {
  EXPECT_EQ(normalise_postcode("xa1 2ab"), "XA1 2AB");
  EXPECT_EQ(normalise_postcode(" XA12AB "), "XA1 2AB");
  EXPECT_EQ(normalise_postcode("xb10  2ab"), "XB10 2AB");
  EXPECT_EQ(normalise_postcode("xa1"), "XA1");
  EXPECT_EQ(outward_code("XA1 2AB"), "XA1");
  EXPECT_EQ(outward_code("XA1"), "XA1");
}

TEST(options, each_rule_names_its_option) {
  EXPECT_TRUE(check(options{}));
  auto message = [](options o) { return check(o).message(); };
  options o;
  o.pupils = 0;
  EXPECT_NE(message(o).find("--pupils"), std::string::npos);
  o = {};
  o.pupils = max_pupils + 1;
  EXPECT_NE(message(o).find("--pupils"), std::string::npos);
  o = {};
  o.from = o.to + days{1};
  EXPECT_NE(message(o).find("--from"), std::string::npos);
  o = {};
  o.to = o.from + days{max_days};
  EXPECT_NE(message(o).find("--to"), std::string::npos);
  o = {};
  o.area = "E0900001";
  EXPECT_NE(message(o).find("--area"), std::string::npos);
  o = {};
  o.other_area = "A08000025";
  EXPECT_NE(message(o).find("--other-area"), std::string::npos);
  o = {};
  o.other_area = o.area;
  EXPECT_NE(message(o).find("must differ"), std::string::npos);
  o = {};
  o.from = o.to;  // a single day is a valid period
  EXPECT_TRUE(check(o));
}

}  // namespace
}  // namespace mab::synth

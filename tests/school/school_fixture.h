// A processor over a temporary state and reject file, with a fake sender that records like the
// kit's (so a re-run after a "restart" sees what was sent) and a fixed clock.
#pragma once

#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/school/rules.h"
#include "tests/fakes/fake_clock.h"
#include "tests/kit/tmpdir.h"

namespace mab::school::test {

inline constexpr const char* area = "E09000001";

inline settings test_settings() {
  settings s = default_settings();
  s.school_urn = "100000";
  return s;
}

struct school_fixture : ::testing::Test {
  kit::test::tmpdir dir;
  kit::summary sum;
  mab::testing::fake_clock clock{
      time_point(std::chrono::sys_days(std::chrono::year{2026} / 11 / 18))};
  settings rules = test_settings();
  bool persist = true;  // false: a dry run (nothing saved or recorded)
  std::vector<std::pair<std::string, mab::v1::Notification>> sent;  // source key, notification

  // One run with a fresh state object (as after a restart) over (name, text) inputs in order.
  status run(const std::vector<std::pair<std::string, std::string>>& inputs) {
    auto st = kit::state::open(dir / "s.db");
    auto rj = kit::rejects::open(dir / "r.txt");
    if (!st) return st.err();
    if (!rj) return rj.err();
    kit::state& state = **st;
    processor proc(
        rules, area, state, **rj, sum,
        [&](const std::string& key, mab::v1::Notification n, const std::string&,
            std::uint64_t) -> result<kit::outcome> {
          auto prior = state.sent(key);
          if (!prior) return prior.err();
          if (prior->has_value()) {
            ++sum.skipped;
            return kit::outcome::skipped;
          }
          sent.emplace_back(key, std::move(n));
          ++sum.sent;
          if (persist) {
            if (auto s = state.record_sent(key, {"id", "ACCEPTED"}); !s) return s.err();
          }
          return kit::outcome::sent;
        },
        persist, clock);
    for (const auto& [name, text] : inputs) {
      std::istringstream in(text);
      if (auto s = proc.process(name, in); !s) return s;
    }
    return ok_status();
  }
  status run(const std::string& name, const std::string& text) { return run({{name, text}}); }

  std::vector<std::string> keys() const {
    std::vector<std::string> k;
    for (const auto& [key, n] : sent) k.push_back(key);
    return k;
  }
  std::string rejects() const { return kit::test::read(dir / "r.txt"); }
  pupil stored(const std::string& upn) {
    auto st = kit::state::open(dir / "s.db");
    EXPECT_TRUE(st);
    auto text = (*st)->entity("pupil/" + upn);
    EXPECT_TRUE(text && text->has_value()) << upn;
    auto p = pupil::from_json(text && text->has_value() ? **text : std::string("{}"));
    EXPECT_TRUE(p) << p.message();
    return p ? std::move(p).value() : pupil{};
  }
};

}  // namespace mab::school::test

// A clock that moves only when a test says so.
#pragma once

#include "daemon/common/clock.h"

namespace mab::testing {

class fake_clock final : public mab::clock {
 public:
  explicit fake_clock(time_point start = time_point(std::chrono::seconds(1'795'000'000)))
      : now_(start) {}
  time_point now() const override { return now_; }
  void advance(std::chrono::milliseconds d) { now_ += d; }
  void set(time_point t) { now_ = t; }

 private:
  time_point now_;
};

}  // namespace mab::testing

// The broker's only source of time. Production uses the system clock; tests inject a fake so
// deadlines, retries and skew checks are deterministic.
#pragma once

#include <chrono>
#include <cstdint>

namespace mab {

using time_point = std::chrono::system_clock::time_point;

class clock {
 public:
  virtual ~clock() = default;
  virtual time_point now() const = 0;
};

class system_clock_source final : public clock {
 public:
  time_point now() const override { return std::chrono::system_clock::now(); }
};

inline std::int64_t to_unix_ms(time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
inline time_point from_unix_ms(std::int64_t ms) {
  return time_point(std::chrono::milliseconds(ms));
}

}  // namespace mab

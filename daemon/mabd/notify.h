// systemd's readiness and watchdog protocol (sd_notify), spoken directly so mabd needs no
// libsystemd: a datagram of "KEY=VALUE" lines to the unix socket named by $NOTIFY_SOCKET
// (a path, or an abstract socket when it starts with '@'). Outside systemd every call is a no-op.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace mab::notify {

// Sends `state` ("READY=1", "STOPPING=1", "WATCHDOG=1", "STATUS=...") to the service manager.
// Returns true when it was sent, false when there is no $NOTIFY_SOCKET or sending failed
// (mabd logs that once and goes on: a missed notification must never stop the broker).
bool send(std::string_view state);

// The interval at which systemd expects "WATCHDOG=1": $WATCHDOG_USEC, when set and
// $WATCHDOG_PID is unset or names this process. mabd pings at half of it.
std::optional<std::chrono::microseconds> watchdog_interval();

}  // namespace mab::notify

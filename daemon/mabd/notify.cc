#include "daemon/mabd/notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace mab::notify {

bool send(std::string_view state) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (path == nullptr || path[0] == '\0') return false;
  const std::size_t len = std::strlen(path);
  sockaddr_un addr{};
  if (len >= sizeof(addr.sun_path)) return false;
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path, len);
  // An abstract socket's name starts with a NUL byte, written '@' in the variable.
  if (path[0] == '@') addr.sun_path[0] = '\0';
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const auto addr_len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len);
  const ssize_t sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                                reinterpret_cast<const sockaddr*>(&addr), addr_len);
  ::close(fd);
  return sent == static_cast<ssize_t>(state.size());
}

std::optional<std::chrono::microseconds> watchdog_interval() {
  const char* usec = std::getenv("WATCHDOG_USEC");
  if (usec == nullptr) return std::nullopt;
  if (const char* pid = std::getenv("WATCHDOG_PID"); pid != nullptr && pid[0] != '\0') {
    char* end = nullptr;
    const long long p = std::strtoll(pid, &end, 10);
    if (end == pid || *end != '\0' || p != static_cast<long long>(::getpid())) return std::nullopt;
  }
  char* end = nullptr;
  errno = 0;
  const long long us = std::strtoll(usec, &end, 10);
  // Out of range is garbage too: strtoll would clamp it to a watchdog that never fires.
  if (end == usec || *end != '\0' || errno == ERANGE || us <= 0) return std::nullopt;
  return std::chrono::microseconds(us);
}

}  // namespace mab::notify

// rejects: the reject file an operator reads to fix the source data.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "adapters/kit/kit.h"

namespace mab::kit {

result<std::unique_ptr<rejects>> rejects::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return make_error(path + ": cannot open reject file: " + std::strerror(errno));
  ::fchmod(fd, 0600);  // whatever the umask, and even if it existed with wider rights
  return std::unique_ptr<rejects>(new rejects(path, fd));
}

rejects::~rejects() {
  if (fd_ >= 0) ::close(fd_);
}

void rejects::add(const std::string& file, std::uint64_t line, const std::string& reason) {
  std::string text = file + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": ";
  for (char c : reason) text.push_back(c == '\n' || c == '\r' ? ' ' : c);
  text.push_back('\n');
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // counted anyway: the run's summary still reports it
    done += static_cast<std::size_t>(n);
  }
  ++count_;
}

}  // namespace mab::kit

// sd_notify spoken without libsystemd: the test plays systemd's part with a real unix datagram
// socket (a path and an abstract name) and checks the exact bytes that arrive.
#include "daemon/mabd/notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;

constexpr const char* env_names[] = {"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"};

// The variables are process-wide and ctest may itself run under systemd, so every test starts
// with none of them and puts back what was there.
class notify_test : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : env_names) {
      const char* value = std::getenv(name);
      saved_.emplace_back(name, value ? std::optional<std::string>(value) : std::nullopt);
      ::unsetenv(name);
    }
  }

  void TearDown() override {
    for (const auto& [name, value] : saved_) {
      if (value) {
        ::setenv(name.c_str(), value->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
  }

  static void set(const char* name, const std::string& value) {
    ASSERT_EQ(::setenv(name, value.c_str(), 1), 0);
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

std::string unique_suffix() {
  std::random_device rd;
  return std::to_string(::getpid()) + "-" + std::to_string(rd());
}

// The service manager's end: a bound datagram socket, closed (and its file removed) on exit.
class listener {
 public:
  // `name` is a filesystem path, or an abstract name written with a leading '@'.
  explicit listener(const std::string& name) : name_(name) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, name.data(), name.size());
    if (name[0] == '@') addr.sun_path[0] = '\0';
    const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
    bound_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), len) == 0;
  }
  ~listener() {
    if (fd_ >= 0) ::close(fd_);
    if (bound_ && name_[0] != '@') std::filesystem::remove(name_);
  }
  listener(const listener&) = delete;
  listener& operator=(const listener&) = delete;

  bool bound() const { return bound_; }

  // The next datagram already queued, or nullopt when there is none. Never waits: a local
  // datagram is in the receive queue by the time sendto() returns.
  std::optional<std::string> take() const {
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0) return std::nullopt;
    return std::string(buf, static_cast<std::size_t>(n));
  }

 private:
  std::string name_;
  int fd_ = -1;
  bool bound_ = false;
};

class temp_dir {
 public:
  temp_dir() {
    std::string templ = (std::filesystem::temp_directory_path() / "mab-notify-XXXXXX").string();
    if (::mkdtemp(templ.data()) != nullptr) path_ = templ;
  }
  ~temp_dir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST_F(notify_test, sends_exactly_the_state_to_a_path_socket) {
  temp_dir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string path = dir.path() + "/notify";
  listener systemd(path);
  ASSERT_TRUE(systemd.bound()) << std::strerror(errno);
  set("NOTIFY_SOCKET", path);

  EXPECT_TRUE(mab::notify::send("READY=1"));
  EXPECT_EQ(systemd.take(), "READY=1");
  EXPECT_EQ(systemd.take(), std::nullopt) << "one call, one datagram";
}

TEST_F(notify_test, keeps_several_lines_in_one_datagram) {
  temp_dir dir;
  const std::string path = dir.path() + "/notify";
  listener systemd(path);
  ASSERT_TRUE(systemd.bound());
  set("NOTIFY_SOCKET", path);

  const std::string state = "STATUS=draining 3 deliveries\nSTOPPING=1";
  EXPECT_TRUE(mab::notify::send(state));
  EXPECT_EQ(systemd.take(), state);
  EXPECT_TRUE(mab::notify::send("WATCHDOG=1"));
  EXPECT_EQ(systemd.take(), "WATCHDOG=1");
}

TEST_F(notify_test, sends_to_an_abstract_socket) {
  const std::string name = "@mab-notify-test-" + unique_suffix();
  listener systemd(name);
  ASSERT_TRUE(systemd.bound()) << std::strerror(errno);
  set("NOTIFY_SOCKET", name);

  EXPECT_TRUE(mab::notify::send("READY=1\nSTATUS=listening"));
  EXPECT_EQ(systemd.take(), "READY=1\nSTATUS=listening");
}

TEST_F(notify_test, is_a_no_op_outside_systemd) {
  EXPECT_FALSE(mab::notify::send("READY=1"));
  set("NOTIFY_SOCKET", "");
  EXPECT_FALSE(mab::notify::send("READY=1"));
}

TEST_F(notify_test, reports_a_socket_nobody_listens_on) {
  temp_dir dir;
  set("NOTIFY_SOCKET", dir.path() + "/nobody-here");
  EXPECT_FALSE(mab::notify::send("READY=1"));
  set("NOTIFY_SOCKET", "@mab-notify-test-unbound-" + unique_suffix());
  EXPECT_FALSE(mab::notify::send("READY=1"));
}

TEST_F(notify_test, refuses_a_path_longer_than_a_unix_socket_allows) {
  set("NOTIFY_SOCKET", "/tmp/" + std::string(sizeof(sockaddr_un{}.sun_path), 'x'));
  EXPECT_FALSE(mab::notify::send("READY=1"));
}

TEST_F(notify_test, watchdog_is_off_without_watchdog_usec) {
  EXPECT_EQ(mab::notify::watchdog_interval(), std::nullopt);
  set("WATCHDOG_PID", std::to_string(::getpid()));
  EXPECT_EQ(mab::notify::watchdog_interval(), std::nullopt);
}

TEST_F(notify_test, watchdog_interval_comes_from_watchdog_usec) {
  set("WATCHDOG_USEC", "30000000");
  EXPECT_EQ(mab::notify::watchdog_interval(), std::chrono::microseconds(30s));
}

TEST_F(notify_test, watchdog_applies_when_watchdog_pid_names_this_process) {
  set("WATCHDOG_USEC", "1500");
  set("WATCHDOG_PID", std::to_string(::getpid()));
  EXPECT_EQ(mab::notify::watchdog_interval(), std::chrono::microseconds(1500));
}

// systemd sets WATCHDOG_PID so that a child which inherited the environment (an ExecStartPre
// helper, a forked process) does not think the watchdog is its own.
TEST_F(notify_test, watchdog_for_another_process_is_not_ours) {
  set("WATCHDOG_USEC", "30000000");
  set("WATCHDOG_PID", std::to_string(::getpid() + 1));
  EXPECT_EQ(mab::notify::watchdog_interval(), std::nullopt);
}

TEST_F(notify_test, garbage_watchdog_pid_is_not_ours) {
  set("WATCHDOG_USEC", "30000000");
  for (const char* pid : {"abc", "12x", "-1"}) {
    set("WATCHDOG_PID", pid);
    EXPECT_EQ(mab::notify::watchdog_interval(), std::nullopt) << "WATCHDOG_PID=" << pid;
  }
}

TEST_F(notify_test, garbage_watchdog_usec_is_no_watchdog) {
  for (const char* usec : {"", "abc", "30s", "12x", "0", "-5", "99999999999999999999"}) {
    set("WATCHDOG_USEC", usec);
    EXPECT_EQ(mab::notify::watchdog_interval(), std::nullopt) << "WATCHDOG_USEC=" << usec;
  }
}

}  // namespace

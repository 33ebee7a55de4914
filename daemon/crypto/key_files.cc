// Key files on disk: secret files are owner-only from the moment they exist, and reads report
// which file was wrong and why without ever echoing key material.
#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <vector>

#include "daemon/crypto/crypto.h"

namespace mab::crypto {
namespace {

// Key files are a line of text; anything larger is the wrong file, and a cap stops a path
// like /dev/zero from being read forever.
constexpr std::size_t k_max_key_file_size = 64 * 1024;

std::string errno_text(int err) { return std::generic_category().message(err); }

void wipe(std::string& s) {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
}

// Owns a descriptor so every early return closes it.
class fd_guard {
 public:
  explicit fd_guard(int fd) : fd_(fd) {}
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  ~fd_guard() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now so a failing close (possible on network filesystems) is reported.
  int close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

// Sets the mode, writes everything and flushes to disk; returns 0 or an errno value.
int fill(int fd, mode_t mode, std::string_view data) {
  // The mode given to open() is filtered by the umask; fchmod() is not, so the final mode is
  // exactly `mode`. It runs before any byte is written, so a secret is never readable by others.
  if (::fchmod(fd, mode) != 0) return errno;
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::fsync(fd) != 0) return errno;
  return 0;
}

status write_new(const std::string& path, mode_t mode, std::string_view data) {
  // O_EXCL makes "refuse to overwrite" atomic and also refuses to follow a planted symlink.
  fd_guard fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (fd.get() < 0) {
    const int err = errno;
    if (err == EEXIST) return make_error("refusing to overwrite existing file " + path);
    return make_error("cannot create " + path + ": " + errno_text(err));
  }
  int err = fill(fd.get(), mode, data);
  if (fd.close() != 0 && err == 0) err = errno;
  if (err != 0) {
    ::unlink(path.c_str());  // we created it; a half-written key file is worse than none
    return make_error("cannot write " + path + ": " + errno_text(err));
  }
  return ok_status();
}

status replace(const std::string& path, mode_t mode, std::string_view data) {
  // Write a sibling temporary file and rename it over the target, so a failure part-way leaves
  // the old key intact rather than a truncated one. mkostemp creates it 0600 with O_EXCL.
  std::vector<char> temp(path.begin(), path.end());
  const std::string_view suffix = ".XXXXXX";
  temp.insert(temp.end(), suffix.begin(), suffix.end());
  temp.push_back('\0');
  fd_guard fd(::mkostemp(temp.data(), O_CLOEXEC));
  if (fd.get() < 0) {
    return make_error("cannot create a temporary file next to " + path + ": " + errno_text(errno));
  }
  int err = fill(fd.get(), mode, data);
  if (fd.close() != 0 && err == 0) err = errno;
  if (err == 0 && ::rename(temp.data(), path.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(temp.data());
    return make_error("cannot write " + path + ": " + errno_text(err));
  }
  return ok_status();
}

status write_file(const std::string& path, std::string_view contents, bool overwrite,
                  mode_t mode) {
  std::string data;
  data.reserve(contents.size() + 1);
  data.append(contents);
  data.push_back('\n');
  status st = overwrite ? replace(path, mode, data) : write_new(path, mode, data);
  wipe(data);
  return st;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

}  // namespace

status write_secret_file(const std::string& path, std::string_view contents, bool overwrite) {
  return write_file(path, contents, overwrite, 0600);
}

status write_public_file(const std::string& path, std::string_view contents, bool overwrite) {
  return write_file(path, contents, overwrite, 0644);
}

result<std::string> read_key_file(const std::string& path) {
  fd_guard fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return make_error("cannot open key file " + path + ": " + errno_text(errno));
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      wipe(text);
      return make_error("cannot read key file " + path + ": " + errno_text(err));
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > k_max_key_file_size) {
      wipe(text);
      return make_error("key file " + path + " is larger than " +
                        std::to_string(k_max_key_file_size) + " bytes; not a key file");
    }
  }
  OPENSSL_cleanse(buf, sizeof buf);
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && is_space(text[begin])) ++begin;
  while (end > begin && is_space(text[end - 1])) --end;
  std::string trimmed = text.substr(begin, end - begin);
  wipe(text);
  return trimmed;
}

result<signer> load_signer(const std::string& path) {
  auto text = read_key_file(path);
  if (!text) return text.err();
  std::optional<std::string> seed = base64_decode(*text);
  wipe(*text);
  if (!seed) {
    return make_error("key file " + path +
                      ": not valid base64 (expected a base64-encoded 32-byte Ed25519 seed)");
  }
  if (seed->size() != 32) {
    const std::size_t size = seed->size();
    wipe(*seed);
    return make_error("key file " + path + ": decodes to " + std::to_string(size) +
                      " bytes, expected a 32-byte Ed25519 seed");
  }
  auto s = signer::from_seed(*seed);
  wipe(*seed);
  if (!s) return make_error("key file " + path + ": " + s.message());
  return s;
}

result<std::string> load_curve_secret(const std::string& path) {
  auto text = read_key_file(path);
  if (!text) return text.err();
  if (!is_z85_key(*text)) {
    const std::size_t size = text->size();
    wipe(*text);
    return make_error("key file " + path +
                      ": not a Z85 Curve secret key (expected 40 Z85 characters, found " +
                      std::to_string(size) + " characters)");
  }
  return text;
}

}  // namespace mab::crypto

// A temporary folder per test, removed afterwards.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include "daemon/crypto/crypto.h"

namespace mab::kit::test {

struct tmpdir {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("mab_kit_test_" + crypto::to_hex(crypto::random_bytes(6)));
  tmpdir() { std::filesystem::create_directories(path); }
  ~tmpdir() { std::filesystem::remove_all(path); }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

inline void write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}
inline std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace mab::kit::test

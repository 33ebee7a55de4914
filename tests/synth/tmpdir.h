// A temporary folder per test, removed afterwards, and whole-file reads.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace mab::synth::test {

struct tmpdir {
  std::filesystem::path path;
  tmpdir() {
    static std::atomic<int> counter{0};
    path = std::filesystem::temp_directory_path() /
           ("mab_synth_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~tmpdir() { std::filesystem::remove_all(path); }
  tmpdir(const tmpdir&) = delete;
  tmpdir& operator=(const tmpdir&) = delete;
};

inline std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace mab::synth::test

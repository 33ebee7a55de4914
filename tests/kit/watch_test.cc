#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/kit/kit.h"
#include "tests/kit/tmpdir.h"

namespace mab::kit {
namespace {

namespace fs = std::filesystem;

struct watch_fixture : ::testing::Test {
  test::tmpdir dir;
  std::string drop = dir / "drop";
  std::unique_ptr<state> st;
  std::unique_ptr<rejects> rj;
  std::vector<std::string> handled;
  file_handler handler = [this](const std::string& path) {
    handled.push_back(fs::path(path).filename().string());
    return ok_status();
  };
  void SetUp() override {
    fs::create_directories(drop);
    st = std::move(state::open(dir / "s.db")).value();
    rj = std::move(rejects::open(dir / "r.txt")).value();
  }
};

TEST_F(watch_fixture, each_file_once_oldest_first) {
  test::write(drop + "/b.csv", "b");
  test::write(drop + "/a.csv", "a");
  test::write(drop + "/.partial", "x");
  fs::create_directories(drop + "/sub");
  const auto now = fs::file_time_type::clock::now();
  fs::last_write_time(drop + "/b.csv", now - std::chrono::hours(2));
  fs::last_write_time(drop + "/a.csv", now - std::chrono::hours(1));
  auto n = watch_once(drop, *st, *rj, handler);
  ASSERT_TRUE(n) << n.message();
  EXPECT_EQ(*n, 2u);
  EXPECT_EQ(handled, (std::vector<std::string>{"b.csv", "a.csv"}));
  handled.clear();
  // A restart (new state object on the same file) does not process them again.
  st = std::move(state::open(dir / "s.db")).value();
  EXPECT_EQ(*watch_once(drop, *st, *rj, handler), 0u);
  EXPECT_TRUE(handled.empty());
  EXPECT_EQ(rj->count(), 0u);
}

TEST_F(watch_fixture, refuses_symlinks_and_dotdot_names_once) {
  test::write(dir / "outside.csv", "secret");
  fs::create_symlink(dir / "outside.csv", drop + "/link.csv");
  test::write(drop + "/a..b.csv", "x");
  EXPECT_EQ(*watch_once(drop, *st, *rj, handler), 0u);
  EXPECT_TRUE(handled.empty());
  EXPECT_EQ(rj->count(), 2u);
  EXPECT_EQ(*watch_once(drop, *st, *rj, handler), 0u);
  EXPECT_EQ(rj->count(), 2u);  // reported once
  const auto text = test::read(dir / "r.txt");
  EXPECT_NE(text.find("link.csv: symbolic link refused"), std::string::npos) << text;
  EXPECT_NE(text.find("a..b.csv: file name"), std::string::npos) << text;
}

TEST_F(watch_fixture, handler_error_leaves_the_file_for_next_time) {
  test::write(drop + "/a.csv", "a");
  auto failing = [](const std::string&) -> status { return make_error("broker down"); };
  EXPECT_FALSE(watch_once(drop, *st, *rj, failing));
  EXPECT_EQ(*watch_once(drop, *st, *rj, handler), 1u);
}

TEST_F(watch_fixture, dry_run_pass_records_nothing) {
  test::write(drop + "/a.csv", "a");
  EXPECT_EQ(*watch_once(drop, *st, *rj, handler, false), 1u);
  EXPECT_EQ(*watch_once(drop, *st, *rj, handler), 1u);
}

TEST_F(watch_fixture, watch_loop_stops_when_asked) {
  test::write(drop + "/a.csv", "a");
  std::atomic<bool> stop{false};
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stop = true;
  });
  auto s = watch(drop, std::chrono::milliseconds(50), stop, *st, *rj, handler);
  stopper.join();
  EXPECT_TRUE(s);
  EXPECT_EQ(handled, (std::vector<std::string>{"a.csv"}));
}

}  // namespace
}  // namespace mab::kit

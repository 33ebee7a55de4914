// run_app: the command line every adapter shares. The broker is never contacted here: these are
// the paths that must fail (or dry-run) before a connection is attempted.
#include <filesystem>
#include <iostream>
#include <sstream>

#include <gtest/gtest.h>

#include "adapters/kit/kit.h"
#include "daemon/crypto/crypto.h"
#include "tests/kit/tmpdir.h"

namespace mab::kit {
namespace {

// Captures std::cout and std::cerr for the duration of a run.
struct captured {
  std::ostringstream out, err;
  std::streambuf* old_out = std::cout.rdbuf(out.rdbuf());
  std::streambuf* old_err = std::cerr.rdbuf(err.rdbuf());
  ~captured() {
    std::cout.rdbuf(old_out);
    std::cerr.rdbuf(old_err);
  }
};

class app_test : public ::testing::Test {
 protected:
  void SetUp() override {
    test::write(dir / "a.toml",
                "[broker]\nagency = \"school-1\"\nendpoint = \"tcp://127.0.0.1:1\"\n"
                "broker_curve_key = \"" + crypto::generate_curve_key().public_z85 + "\"\n"
                "broker_signing_key = \"" +
                    crypto::base64_encode(crypto::generate_signing_key().public_key) + "\"\n"
                "signing_key_file = \"s.key\"\ncurve_secret_key_file = \"c.key\"\n"
                "[adapter]\nstate_file = \"state.db\"\nreject_file = \"rejects.txt\"\n"
                "area = \"E09000001\"\n[mine]\nlimit = 3\n");
    test::write(dir / "input.txt", "one\ntwo\n");
  }

  // An adapter that sends one notification per line of its input.
  app_spec spec() {
    app_spec s;
    s.name = "mab-test";
    s.adapter = "test";
    s.description = "a test adapter";
    s.extra_tables = {"mine"};
    s.setup = [this](app_context& ctx) -> result<file_handler> {
      if (ctx.cfg.extra["mine"]["limit"].value<int>() != 3) return make_error("limit not read");
      setups++;
      return file_handler([&ctx](const std::string& path) -> status {
        std::istringstream lines(test::read(path));
        std::string line;
        std::uint64_t n = 0;
        while (std::getline(lines, line)) {
          ++ctx.sum.rows_read;
          mab::v1::Notification note;
          note.mutable_subject()->set_given_name(line);
          auto r = ctx.out.send(line, note, path, ++n);
          if (!r) return r.err();
        }
        return ok_status();
      });
    };
    return s;
  }

  int run(std::vector<std::string> args) {
    std::vector<char*> argv;
    std::string name = "mab-test";
    argv.push_back(name.data());
    for (auto& a : args) argv.push_back(a.data());
    return run_app(spec(), static_cast<int>(argv.size()), argv.data());
  }

  test::tmpdir dir;
  int setups = 0;
};

TEST_F(app_test, dry_run_prints_each_notification_and_records_nothing) {
  captured c;
  ASSERT_EQ(run({"--config", dir / "a.toml", "--dry-run", dir / "input.txt"}), 0) << c.err.str();
  EXPECT_EQ(setups, 1);
  const std::string out = c.out.str();
  EXPECT_NE(out.find("\"given_name\":\"one\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"given_name\":\"two\""), std::string::npos) << out;
  EXPECT_NE(out.find(message_id_for("test:school-1", "one")), std::string::npos) << out;
  EXPECT_NE(c.err.str().find("mab-test: rows_read=2"), std::string::npos) << c.err.str();
  auto st = state::open(dir / "state.db");
  ASSERT_TRUE(st);
  auto sent = (*st)->sent("one");
  ASSERT_TRUE(sent);
  EXPECT_FALSE(sent->has_value());
}

TEST_F(app_test, a_watch_reports_each_file_as_it_is_done) {
  captured c;
  std::filesystem::create_directories(dir / "drop");
  test::write(dir / "w.toml", [&] {
    std::string t = test::read(dir / "a.toml");
    // drop_folder belongs in [adapter], which ends where [mine] begins.
    return t.replace(t.find("[mine]"), 0, "drop_folder = \"drop\"\n");
  }());
  test::write(dir / "drop/day1.txt", "one\n");
  test::write(dir / "drop/day2.txt", "two\nthree\n");
  ASSERT_EQ(run({"--config", dir / "w.toml", "--dry-run", "--watch"}), 0) << c.err.str();
  const std::string err = c.err.str();
  EXPECT_NE(err.find("day1.txt: rows_read=1 sent=1"), std::string::npos) << err;
  EXPECT_NE(err.find("day2.txt: rows_read=2 sent=2"), std::string::npos) << err;
  EXPECT_NE(err.find("mab-test: rows_read=3 sent=3"), std::string::npos) << err;
}

TEST_F(app_test, usage_errors_exit_64) {
  captured c;
  EXPECT_EQ(run({"--config", dir / "a.toml"}), 64);  // neither files nor --watch
  EXPECT_EQ(run({"--config", dir / "a.toml", "--watch", dir / "input.txt"}), 64);  // both
  EXPECT_EQ(run({dir / "input.txt"}), 64);  // --config missing
  EXPECT_EQ(run({"--config", dir / "a.toml", "--interval", "0", "--watch"}), 64);
  EXPECT_EQ(setups, 0);
}

TEST_F(app_test, help_exits_0_and_names_the_program) {
  captured c;
  EXPECT_EQ(run({"--help"}), 0);
  EXPECT_NE(c.out.str().find("a test adapter"), std::string::npos) << c.out.str();
  EXPECT_NE(c.out.str().find("--dry-run"), std::string::npos);
}

TEST_F(app_test, configuration_errors_exit_1_naming_the_field) {
  captured c;
  test::write(dir / "bad.toml", "[adapter]\nstate_file = \"s.db\"\n");
  EXPECT_EQ(run({"--config", dir / "bad.toml", dir / "input.txt"}), 1);
  EXPECT_NE(c.err.str().find("broker: is required"), std::string::npos) << c.err.str();
  EXPECT_NE(c.err.str().find("adapter.area: is required"), std::string::npos) << c.err.str();
}

TEST_F(app_test, watch_without_a_drop_folder_is_a_configuration_error) {
  captured c;
  EXPECT_EQ(run({"--config", dir / "a.toml", "--watch"}), 1);
  EXPECT_NE(c.err.str().find("adapter.drop_folder: is required for --watch"), std::string::npos)
      << c.err.str();
}

TEST_F(app_test, failed_setup_exits_1_before_connecting) {
  captured c;
  auto s = spec();
  s.setup = [](app_context&) -> result<file_handler> { return make_error("a.toml: mine.x: bad"); };
  std::string name = "mab-test", cfg = "--config", path = dir / "a.toml", in = dir / "input.txt";
  std::vector<char*> argv{name.data(), cfg.data(), path.data(), in.data()};
  EXPECT_EQ(run_app(s, 4, argv.data()), 1);
  EXPECT_NE(c.err.str().find("mine.x: bad"), std::string::npos);
  // The endpoint (port 1) was never dialled: a connection attempt would report a timeout.
  EXPECT_EQ(c.err.str().find("connect"), std::string::npos) << c.err.str();
}

}  // namespace
}  // namespace mab::kit

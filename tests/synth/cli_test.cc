// mab-synth as a program: usage errors, the non-empty folder rule, --force and the summary.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/synth/tmpdir.h"

namespace mab::synth {
namespace {

struct outcome {
  int code = -1;
  std::string output;  // stdout and stderr together
};

outcome run(const std::string& args) {
  const std::string cmd = std::string(MAB_SYNTH_PATH) + " " + args + " 2>&1";
  outcome o;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return o;
  std::array<char, 4096> buf{};
  for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), p)) > 0;)
    o.output.append(buf.data(), n);
  const int status = ::pclose(p);
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

const std::string small = " --pupils 20 --from 2026-01-05 --to 2026-01-16";

TEST(cli, help_and_usage_errors) {
  const auto help = run("--help");
  EXPECT_EQ(help.code, 0);
  for (const char* opt :
       {"--out", "--seed", "--pupils", "--from", "--to", "--area", "--other-area", "--force"}) {
    EXPECT_NE(help.output.find(opt), std::string::npos) << opt;
  }
  EXPECT_EQ(run("--pupils 5").code, 64);  // --out is required
  test::tmpdir d;
  const std::string out = " --out " + (d.path / "x").string();
  const auto bad_date = run(out + " --from 2026-02-30");
  EXPECT_EQ(bad_date.code, 64);
  EXPECT_NE(bad_date.output.find("--from: \"2026-02-30\" is not a real date"), std::string::npos)
      << bad_date.output;
  const auto bad_pupils = run(out + " --pupils 0");
  EXPECT_EQ(bad_pupils.code, 64);
  EXPECT_NE(bad_pupils.output.find("--pupils: must be a whole number"), std::string::npos);
  EXPECT_EQ(run(out + " --area nowhere").code, 64);
  EXPECT_FALSE(std::filesystem::exists(d.path / "x")) << "nothing is written on a usage error";
}

TEST(cli, writes_a_summary_then_refuses_to_overwrite_without_force) {
  test::tmpdir d;
  const std::string out = " --out " + d.path.string();
  const auto first = run(out + small + " --seed 3");
  ASSERT_EQ(first.code, 0) << first.output;
  EXPECT_NE(first.output.find("school/pupils.csv: 20 rows"), std::string::npos) << first.output;
  // The summary counts what is in the file: at most 20 pupils x 10 days x AM, PM (a pupil
  // whose family moves away leaves the roll early).
  const std::string reg = test::read(d.path / "school/register.csv");
  const auto rows = std::count(reg.begin(), reg.end(), '\n') - 1;
  EXPECT_GT(rows, 300);
  EXPECT_LE(rows, 400);
  EXPECT_NE(first.output.find("school/register.csv: " + std::to_string(rows) + " rows"),
            std::string::npos)
      << first.output;
  const std::string before = test::read(d.path / "school/pupils.csv");

  const auto refused = run(out + small + " --seed 4");
  EXPECT_EQ(refused.code, 1);
  EXPECT_NE(refused.output.find("is not empty"), std::string::npos) << refused.output;
  EXPECT_EQ(test::read(d.path / "school/pupils.csv"), before);

  const auto forced = run(out + small + " --seed 4 --force");
  EXPECT_EQ(forced.code, 0) << forced.output;
  EXPECT_NE(test::read(d.path / "school/pupils.csv"), before);
}

}  // namespace
}  // namespace mab::synth

// mab-synth: synthetic exports for every reference adapter, from one model of children.
//   mab-synth --out DIR [--seed N] [--pupils N] [--from YYYY-MM-DD] [--to YYYY-MM-DD]
//             [--area CODE] [--other-area CODE] [--force]
// Exit: 0 written, 1 could not (folder not empty, I/O), 64 usage.
#include <CLI/CLI.hpp>
#include <iostream>

#include "adapters/synth/generate.h"

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failure = 1;
constexpr int exit_usage = 64;

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "mab-synth: writes synthetic school, police, health and housing exports (no real "
      "person) for the reference adapters and the benchmarks"};
  mab::synth::options o;
  std::string out;
  std::string from = mab::synth::format_date(o.from), to = mab::synth::format_date(o.to);
  app.add_option("--out", out, "Output folder (created; must be empty unless --force)")->required();
  app.add_option("--seed", o.seed, "Random seed: the same seed writes the same files")
      ->capture_default_str();
  app.add_option("--pupils", o.pupils, "Number of children on the school roll")
      ->capture_default_str();
  app.add_option("--from", from, "First day of the period (YYYY-MM-DD)")->capture_default_str();
  app.add_option("--to", to, "Last day of the period (YYYY-MM-DD)")->capture_default_str();
  app.add_option("--area", o.area, "ONS code of the home area")->capture_default_str();
  app.add_option("--other-area", o.other_area, "ONS code of the area some households move to")
      ->capture_default_str();
  app.add_flag("--force", o.force, "Write into a non-empty folder, overwriting the files");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    (void)app.exit(e);
    return exit_usage;
  }
  for (auto [name, text, field] :
       {std::tuple{"--from", &from, &o.from}, std::tuple{"--to", &to, &o.to}}) {
    auto d = mab::synth::parse_date(*text);
    if (!d) {
      std::cerr << "mab-synth: " << name << ": " << d.message() << "\n";
      return exit_usage;
    }
    *field = *d;
  }
  if (auto ok = mab::synth::check(o); !ok) {
    std::cerr << "mab-synth: " << ok.message() << "\n";
    return exit_usage;
  }
  auto files = mab::synth::generate(o, out, &std::cerr);
  if (!files) {
    std::cerr << "mab-synth: " << files.message() << "\n";
    return exit_failure;
  }
  std::cerr << "mab-synth: wrote " << out << " (seed " << o.seed << ", " << o.pupils << " pupils, "
            << from << " to " << to << "):\n";
  for (const auto& f : *files) std::cerr << "  " << f.path << ": " << f.rows << " rows\n";
  std::cerr << "  README.txt: what the data is and how to feed it to each adapter\n";
  return exit_ok;
}

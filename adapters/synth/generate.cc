// Options, the output folder and the order of the files (generate.h).
#include <fstream>
#include <ostream>
#include <sstream>
#include <string_view>
#include <system_error>

#include "adapters/synth/model.h"

namespace mab::synth {
namespace {

namespace fs = std::filesystem;

bool ons_code(const std::string& s) {
  // England, Wales, Scotland, Northern Ireland: the same shape the adapter kit accepts.
  if (s.size() != 9 || std::string_view("EWSN").find(s[0]) == std::string_view::npos) return false;
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

result<fs::path> prepare(const options& o, const fs::path& out) {
  std::error_code ec;
  const auto st = fs::status(out, ec);
  if (fs::exists(st)) {
    if (!fs::is_directory(st)) {
      return make_error(out.string() + ": exists and is not a folder", io_failed);
    }
    const bool empty = fs::is_empty(out, ec);
    if (ec) return make_error(out.string() + ": " + ec.message(), io_failed);
    if (!empty && !o.force) {
      return make_error(out.string() +
                            ": is not empty (use --force to write into it; files of the same "
                            "name are overwritten)",
                        not_empty);
    }
  }
  for (const char* sub : {"school", "police", "health", "housing"}) {
    fs::create_directories(out / sub, ec);
    if (ec) return make_error((out / sub).string() + ": " + ec.message(), io_failed);
  }
  return out;
}

std::string readme(const options& o, const std::vector<file_written>& files) {
  std::ostringstream s;
  s << "Synthetic data for mab's reference adapters, written by mab-synth\n"
    << "(seed " << o.seed << ", " << o.pupils << " pupils, " << format_date(o.from) << " to "
    << format_date(o.to) << ", area " << o.area << ", other area " << o.other_area << ").\n\n"
    << "NOTHING HERE IS ABOUT A REAL PERSON. Names come from short built-in lists; addresses\n"
    << "are \"<n> Example Road\" and the like in Northtown (" << o.area << ") and Southford ("
    << o.other_area << ");\n"
    << "postcodes are in the fictional districts XA1-XA9 and XB1-XB9; NHS numbers are in the\n"
    << "999 test range. Identifiers still pass their checks (UPN check letter, NHS modulus 11),\n"
    << "so mabd accepts them. The same child has the same UPN, NHS number, name and date of\n"
    << "birth in every file (the police sometimes spell a given name differently), so the\n"
    << "broker's subject index links the agencies' records.\n\nFiles:\n";
  for (const auto& f : files) s << "  " << f.path << "  (" << f.rows << " rows)\n";
  s << "\nFeeding the adapters (each needs its TOML configuration: see the README section\n"
    << "\"Reference adapters\"; add --dry-run to print the notifications as JSON instead):\n"
    << "  mab-school  --config school.toml  school/pupils.csv school/register.csv\n"
    << "  mab-police  --config police.toml  police/missing.jsonl\n"
    << "  mab-health  --config health.toml  health/appointments.json\n"
    << "  mab-housing --config housing.toml housing/events.csv\n"
    << "    (with [housing] postcode_table = \"<this folder>/housing/postcodes.csv\")\n"
    << "Or copy a file into the adapter's drop folder and run it with --watch.\n\n"
    << "Record times are those of the generated period. The ledger's deadlines (return\n"
    << "interviews, transfers) run from them, so generate with --from/--to ending near today\n"
    << "to see deadlines that are still open rather than long overdue.\n";
  return s.str();
}

}  // namespace

status check(const options& o) {
  if (o.pupils < 1 || o.pupils > max_pupils) {
    return make_error("--pupils: must be a whole number from 1 to " + std::to_string(max_pupils),
                      bad_options);
  }
  if (o.from > o.to) return make_error("--from: must not be after --to", bad_options);
  if ((o.to - o.from).count() >= max_days) {
    return make_error("--to: must be less than " + std::to_string(max_days) + " days after --from",
                      bad_options);
  }
  for (const auto& [name, value] :
       {std::pair{"--area", &o.area}, std::pair{"--other-area", &o.other_area}}) {
    if (!ons_code(*value)) {
      return make_error(std::string(name) + ": \"" + *value +
                            "\" is not an ONS area code (E, W, S or N and 8 digits, e.g. "
                            "E09000001)",
                        bad_options);
    }
  }
  if (o.area == o.other_area) {
    return make_error("--other-area: must differ from --area", bad_options);
  }
  return ok_status();
}

result<std::vector<file_written>> generate(const options& o, const fs::path& out,
                                           std::ostream* progress, std::uint64_t progress_every) {
  if (auto ok = check(o); !ok) return ok.err();
  auto dir = prepare(o, out);
  if (!dir) return dir.err();
  const detail::world w = detail::build_world(o);
  using writer = result<std::uint64_t> (*)(const detail::world&, const fs::path&);
  const std::vector<std::pair<const char*, writer>> writers = {
      {"school/pupils.csv", detail::write_pupils},
      {"school/register.csv", nullptr},
      {"police/missing.jsonl", detail::write_missing},
      {"health/appointments.json", detail::write_health},
      {"housing/events.csv", detail::write_housing},
      {"housing/postcodes.csv", detail::write_postcodes}};
  std::vector<file_written> files;
  for (const auto& [name, write] : writers) {
    auto rows = write != nullptr
                    ? write(w, out / name)
                    : detail::write_register(w, out / name, progress,
                                             std::max<std::uint64_t>(1, progress_every));
    if (!rows) return make_error(rows.message(), io_failed);
    files.push_back({name, *rows});
  }
  std::ofstream text(out / "README.txt", std::ios::binary);
  text << readme(o, files);
  text.flush();
  if (!text) return make_error("could not write " + (out / "README.txt").string(), io_failed);
  return files;
}

}  // namespace mab::synth

// mab-synth's generator: one deterministic model of synthetic children, households and their
// year (school attendance, missing episodes, appointments, emergency attendances, housing
// events), written in exactly the export formats the reference adapters read. Every random
// choice comes from std::mt19937_64 seeded from `options::seed` (never the clock), through our
// own integer/real mapping rather than the std:: distributions, whose output differs between
// standard libraries: the same seed gives byte-identical files on every platform.
//
// No real personal data: names come from short built-in lists, addresses are "<n> Example
// Road, Northtown", postcodes use the fictional districts XA1-XA9 (first area) and XB1-XB9
// (second area), NHS numbers use the 999 test range.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/common/result.h"

namespace mab::synth {

using date = std::chrono::sys_days;

struct options {
  std::uint64_t seed = 1;
  std::uint32_t pupils = 2000;
  date from = std::chrono::sys_days{std::chrono::year{2025} / 9 / 1};
  date to = std::chrono::sys_days{std::chrono::year{2026} / 7 / 22};
  std::string area = "E09000001";        // where the school, the police force and the trust are
  std::string other_area = "E08000025";  // where some households move to
  bool force = false;                    // write into a non-empty folder
};

// error::code values from this module.
enum error_code : int {
  bad_options = 1,  // check(): an option breaks its rule
  not_empty = 2,    // generate(): the output folder holds files and force is off
  io_failed = 3,    // generate(): a folder or file could not be created or written
};

inline constexpr std::uint32_t max_pupils = 500000;  // the NHS test-number range runs out beyond
inline constexpr int max_days = 3 * 366;

// The options' rules, each error naming the option: pupils 1..max_pupils; from <= to, at most
// max_days apart; areas shaped like ONS codes (E, W, S or N and 8 digits) and different.
status check(const options& o);

struct file_written {
  std::string path;    // relative to the output folder, e.g. "school/register.csv"
  std::uint64_t rows;  // data rows (CSV lines after the header, JSON lines, Bundle entries)
};

// Writes every file into `out` (created if missing). Refuses a folder that holds anything unless
// o.force (then files of the same name are overwritten, others left alone). Progress lines go
// to `progress` every `progress_every` register rows when it is not null.
result<std::vector<file_written>> generate(const options& o, const std::filesystem::path& out,
                                           std::ostream* progress,
                                           std::uint64_t progress_every = 100000);

// ---- pieces the tests and the writers share ----

// YYYY-MM-DD of a real date, or an error naming the text.
result<date> parse_date(std::string_view text);
std::string format_date(date d);

// Weekdays from `from` to `to` inclusive, without an approximate English school holiday pattern
// (the same month/day windows every year): 27-31 Oct, 20 Dec-4 Jan, 16-20 Feb, 30 Mar-10 Apr,
// the first Monday of May, 25-29 May, 23 Jul-31 Aug.
std::vector<date> school_days(date from, date to);

// A UPN: check letter, 3-digit LA number, 4-digit establishment, 2-digit year, 3-digit serial
// (all < their field's range), the check letter computed as validate::valid_upn expects.
std::string make_upn(unsigned la, unsigned establishment, unsigned year, unsigned serial);
// The NHS number "999" + six digits of `serial` + check digit, or "" when the modulus-11 check
// would be 10 (no such number is issued).
std::string make_nhs_number(std::uint32_t serial);

// Upper case, inner spaces removed, then one space before the 3-character inward code:
// " xa1  2ab" -> "XA1 2AB". Text too short to hold an inward code comes back upper-cased only.
std::string normalise_postcode(std::string_view postcode);
// The outward code of a normalised full postcode ("XA1 2AB" -> "XA1").
std::string outward_code(std::string_view normalised);

}  // namespace mab::synth

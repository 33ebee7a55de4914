// The generator's private model: the random source, the synthetic children, babies and
// households, and the housing events that move them. Built once by build_world (model.cc); the
// writers (school.cc, police.cc, health.cc, housing.cc) only read it, each drawing its own
// random stream so that changing one file's rules does not reshuffle the others.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/synth/generate.h"

namespace mab::synth::detail {

using seconds_time = std::chrono::sys_seconds;

// mt19937_64 with our own mapping to ranges: std::uniform_int_distribution and friends are
// implementation-defined, and the files must be identical everywhere for a given seed.
class random_source {
 public:
  // `stream` names the consumer, so each file draws an independent sequence from one seed.
  random_source(std::uint64_t seed, std::string_view stream);
  std::uint64_t next() { return engine_(); }
  std::uint64_t below(std::uint64_t n);                    // uniform in [0, n); n > 0
  std::int64_t between(std::int64_t lo, std::int64_t hi);  // uniform in [lo, hi]
  double real();                                           // uniform in [0, 1)
  bool chance(double p) { return real() < p; }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[below(v.size())];
  }
  template <class T>
  void shuffle(std::vector<T>& v) {
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
  }

 private:
  std::mt19937_64 engine_;
};

std::string format_time(seconds_time t);  // RFC 3339 UTC, whole seconds: 2026-03-01T22:15:00Z

struct address {
  std::string line1;
  std::string town;
  std::string postcode;  // normalised
  std::string area;      // ONS code the postcode table maps it to
};

enum class attendance_profile { regular, persistent, severe };

struct child {
  std::string upn, nhs_number, given_name, family_name;
  date date_of_birth;
  std::string language;     // "English", "Polish", ...
  std::string interpreter;  // "yes", "no" or "" (= no), as the pupil export writes it
  std::size_t household = 0;
  std::string gp;           // ODS code of the registered practice
  bool vulnerable = false;  // the small cohort whose signals cluster across agencies
  attendance_profile profile = attendance_profile::regular;
  double absence_rate = 0;            // target share of days absent
  std::optional<date> leaving_date;   // last day on roll
  std::string destination;            // URN, school name, "unknown" or ""
  std::optional<date> penalty_paid;   // absent after this date anyway
  std::optional<date> holiday_start;  // the unauthorised term-time holiday the penalty was for
  std::optional<date> run_start;      // a run of unexplained absence (N/O) starts here
  int run_sessions = 0;
};

struct baby {
  std::string nhs_number, given_name, family_name, gp;
  date date_of_birth;
  std::size_t household = 0;
};

struct household {
  std::string id;                                   // HH-000123
  std::vector<std::size_t> children;                // indices into world::children
  std::vector<std::size_t> babies;                  // indices into world::babies
  std::vector<std::pair<date, address>> addresses;  // from each date on; first from the start
  bool vulnerable = false;
  const address& at(date d) const;
};

enum class housing_kind {
  move,
  temporary_accommodation,
  homeless_application,
  new_household_member
};
std::string_view kind_name(housing_kind k);

struct housing_event {
  std::string id;  // HE-000123
  housing_kind kind;
  date effective;
  std::size_t household = 0;
  std::optional<address> previous, next;  // empty where unknown / not applicable
};

struct world {
  options opts;
  std::vector<date> days;  // school days
  std::vector<child> children;
  std::vector<baby> babies;
  std::vector<household> households;
  std::vector<housing_event> events;  // by effective date
  std::set<std::string> postcodes;    // every postcode any address uses
};

world build_world(const options& o);

// Each writer returns the rows it wrote, or an error naming the file.
result<std::uint64_t> write_pupils(const world& w, const std::filesystem::path& file);
result<std::uint64_t> write_register(const world& w, const std::filesystem::path& file,
                                     std::ostream* progress, std::uint64_t progress_every);
result<std::uint64_t> write_missing(const world& w, const std::filesystem::path& file);
result<std::uint64_t> write_health(const world& w, const std::filesystem::path& file);
result<std::uint64_t> write_housing(const world& w, const std::filesystem::path& file);
result<std::uint64_t> write_postcodes(const world& w, const std::filesystem::path& file);

// A time of day on `d`, `minutes` after midnight UTC.
inline seconds_time at_minute(date d, std::int64_t minutes) {
  return std::chrono::time_point_cast<std::chrono::seconds>(d) + std::chrono::minutes(minutes);
}

}  // namespace mab::synth::detail

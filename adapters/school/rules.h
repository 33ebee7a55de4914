// The school attendance adapter's rules: register and pupil exports in, per-pupil running
// counts and details, and the attendance concerns a pupil's record crosses into. Free of I/O
// except through the kit's state, a clock and a send callback, so the decisions are testable
// without a broker.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "adapters/kit/kit.h"
#include "daemon/common/clock.h"
#include "daemon/common/result.h"
#include "mab/v1/notification.pb.h"

namespace mab::school {

// What a national attendance code means for the counts.
enum class category {
  present,             // "/", "\", L
  approved_activity,   // B, D, J, K, P, V: present-equivalent
  authorised,          // C, E, H, I, M, R, S, T
  unauthorised,        // G, N, O, U
  not_counted,         // X, Y, Z, #: not a possible session
};

struct settings {
  std::map<std::string, category> codes;          // [codes]: code = "present" | ...
  std::set<std::string> unexplained = {"N", "O"};  // extend a run of unexplained absence
  double persistent_percent = 10;                  // [thresholds]
  double severe_percent = 50;
  std::uint32_t min_sessions = 20;
  std::uint32_t unexplained_run = 10;
  std::uint32_t after_penalty_sessions = 4;        // unauthorised absences after a paid notice
  std::string school_urn;                          // [school] urn: 6 digits, required
};

// The national code mapping and default thresholds; school_urn is empty (the config sets it).
settings default_settings();
// Reads [school], [codes] and [thresholds] (from kit::config::extra) over the defaults; errors
// name file:line: field: rule, and unknown keys are errors. [school] urn is required.
result<settings> load_settings(const toml::table& extra, const std::string& file);

// ---- register export: one row per pupil and session ----
struct row {
  std::string upn;
  std::string date;     // YYYY-MM-DD
  std::string session;  // AM | PM
  std::string code;
};

inline constexpr const char* header = "upn,date,session,code";
// One CSV data line; the error is the reason, naming the field and the rule.
result<row> parse_row(const std::string& line, const settings& s);

// ---- pupil export: one row per pupil, the school's current record (the latest wins) ----
struct pupil_details {
  std::string given_name;
  std::string family_name;
  std::string date_of_birth;             // YYYY-MM-DD or empty
  std::string preferred_language;        // as the school records it, e.g. "pl"; may be empty
  bool interpreter_required = false;
  std::string leaving_date;              // empty while on roll
  std::string destination;               // receiving school's URN or name; "" / "unknown": none
  std::string penalty_notice_paid_date;  // empty: no penalty notice paid

  bool destination_known() const;
  bool operator==(const pupil_details&) const = default;
};

struct pupil_row {
  std::string upn;
  pupil_details details;
};

inline constexpr const char* pupil_header =
    "upn,given_name,family_name,date_of_birth,preferred_language,interpreter_required,"
    "leaving_date,destination,penalty_notice_paid_date";
// One CSV data line (double-quoted fields allowed, "" inside them for a quote). `today`
// (YYYY-MM-DD) bounds date_of_birth, which the broker refuses when in the future.
result<pupil_row> parse_pupil_row(const std::string& line, const std::string& today);

// ---- per-pupil state ----
struct pupil {
  std::uint32_t possible = 0;
  std::uint32_t attended = 0;
  std::uint32_t authorised = 0;
  std::uint32_t unauthorised = 0;
  std::uint32_t run = 0;                          // current run of unexplained absences
  std::set<std::string> absence_codes;            // absence codes seen
  std::string first_date, last_date;
  std::set<std::string> sessions;                 // "date/session" already counted
  std::set<std::string> unauthorised_sessions;    // "date/session" of unauthorised absences
  std::optional<pupil_details> details;           // from the latest pupil export, if any

  std::string to_json() const;
  static result<pupil> from_json(const std::string& text);
  double absence_rate_percent() const;
  // Unauthorised absences dated strictly after `date` (YYYY-MM-DD).
  std::uint32_t unauthorised_after(const std::string& date) const;
};

// Counts one (new) session.
void apply(pupil& p, const row& r, category c, const settings& s);
// The concern kinds the pupil's record is over the threshold for now.
std::vector<mab::v1::AttendanceConcern::Kind> over_thresholds(const pupil& p, const settings& s);
// What a concern is sent once for: "<upn>/persistent_absence", "<upn>/severe_absence",
// "<upn>/unexplained_absence_run" once per pupil; "<upn>/absence_after_penalty_notice/<paid
// date>" once per paid notice; "<upn>/child_missing_education/<leaving date>" once per leaving.
std::string source_key(const std::string& upn, const pupil& p,
                       mab::v1::AttendanceConcern::Kind kind);
mab::v1::Notification concern(const std::string& upn, const std::string& area, const pupil& p,
                              mab::v1::AttendanceConcern::Kind kind, const settings& s);

// Pupil exports first (so concerns raised by the registers carry the pupils' details), then the
// rest, each group in the given order; files are told apart by their header line.
std::vector<std::string> pupil_exports_first(const std::vector<std::string>& paths);

using kit::send_fn;

// Processes register and pupil exports (told apart by their header line) against the kit's
// state. Pupils touched by a file are saved in one transaction at its end, so an interrupted
// file is simply processed again; sessions counted by an earlier file are skipped, a pupil row
// identical to the stored one is skipped, and a duplicate (upn, date, session) or pupil within
// one input is a reject. With `persist` false (a dry run) nothing is saved, but what earlier
// files of the same run said is kept in memory so later files see it.
class processor {
 public:
  processor(settings s, std::string area, kit::state& st, kit::rejects& rj, kit::summary& sum,
            send_fn send, bool persist, const mab::clock& clock,
            std::uint64_t progress_every = 100000);
  // An error means the run cannot go on (state file, broker connection).
  status process(const std::string& name, std::istream& in);
  status process_file(const std::string& path);

 private:
  using touched_map = std::map<std::string, pupil>;
  status process_register(const std::string& name, std::istream& in, touched_map& touched);
  status process_pupils(const std::string& name, std::istream& in, touched_map& touched);
  // `end_of_export` false offers only the kinds that are events (a run of unexplained absence,
  // absence after a penalty notice, leaving); the rates are judged on the whole export.
  status offer(const std::string& upn, const pupil& p, const std::string& file,
               std::uint64_t line, bool end_of_export);
  status save(touched_map& touched);
  result<pupil*> load(const std::string& upn, touched_map& touched);
  void reject(const std::string& file, std::uint64_t line, const std::string& reason);

  settings settings_;
  std::string area_;
  kit::state& state_;
  kit::rejects& rejects_;
  kit::summary& summary_;
  send_fn send_;
  bool persist_;
  const mab::clock& clock_;
  std::uint64_t progress_every_;
  touched_map unsaved_;          // dry run: pupils as earlier files of this run left them
  std::set<std::string> offered_;  // source keys already offered to send_ in this run
};

}  // namespace mab::school

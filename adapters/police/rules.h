// The police missing-person adapter's rules: one JSON-lines record in, the missing_episode
// notifications it yields given what the adapter already told the broker about that episode,
// and the child's earlier episodes. Free of I/O except through the kit's state and a send
// callback, and time comes in through mab::clock, so the decisions are testable without a
// broker or a real clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "adapters/kit/kit.h"
#include "daemon/common/clock.h"
#include "daemon/common/result.h"
#include "mab/v1/notification.pb.h"

namespace mab::police {

using grade = mab::v1::MissingEpisode::RiskGrade;
using episode_status = mab::v1::MissingEpisode::Status;

// [police] table.
struct settings {
  std::string force;  // force code, required: local ids carry the system "police:<force>"
  // previous_episode_days: how far back previous_episodes_12_months looks.
  std::chrono::seconds previous_window{std::chrono::hours(24 * 365)};
};

// Reads [police] (from kit::config::extra); errors name file:line: field: rule, and unknown
// keys are errors.
result<settings> load_settings(const toml::table& extra, const std::string& file);

// One missing-person record as the force exports it (see README "mab-police").
struct record {
  std::string police_reference;
  std::string upn;         // upper case
  std::string nhs_number;  // digits only (spaces removed)
  std::string given_name, family_name, date_of_birth;
  std::string area;        // empty: the adapter's area
  std::optional<time_point> last_seen_at;
  time_point reported_at;
  grade risk = mab::v1::MissingEpisode::RISK_UNSPECIFIED;
  std::vector<std::string> cse_indicators;
  std::optional<time_point> found_at;
  std::string location_found;
  std::optional<time_point> interview_held_at;
  std::string summary;
};

// One JSON line. The error lists every problem found, each as "field: rule"
// (e.g. "risk: must be one of no_apparent_risk, low, medium, high"). Optional keys may be
// null or "" to mean absent; unknown keys are errors and are named.
result<record> parse_line(const std::string& line);

// What has been told to the broker about one episode (state entity "episode/<reference>").
struct episode {
  grade reported = mab::v1::MissingEpisode::RISK_UNSPECIFIED;  // highest grade reported
  bool returned = false;
  bool interview_held = false;

  std::string to_json() const;
  static result<episode> from_json(const std::string& text);
};

// A child's known episodes, police reference -> reported_at in Unix seconds (state entities
// "child/upn:<UPN>" and "child/nhs:<NHS number>").
using history = std::map<std::string, std::int64_t>;
std::string history_to_json(const history& h);
result<history> history_from_json(const std::string& text);

// Episodes other than r's reported before r and no more than s.previous_window before it.
std::uint32_t previous_episodes(const history& h, const record& r, const settings& s);

struct decision {
  std::string source_key;  // "<reference>/reported/<grade>", "<reference>/returned", ...
  episode_status status;
};

// What r yields after `told`, in order: REPORTED_MISSING when the episode was never reported,
// or again when the grade rose while the child is still missing (a high-risk report after the
// return would raise a safe-and-well flag nothing clears); RETURNED once found_at is set;
// RETURN_INTERVIEW_HELD once interview_held_at is set. An unchanged record yields nothing.
std::vector<decision> decide(const record& r, const episode& told);
// Records that d's notification reached the broker (or was already there).
void mark_told(episode& e, const record& r, const decision& d);

// A UUID from the agency and police reference: the same for report, return and interview, so
// the ledger links them, and not the raw reference.
std::string episode_id(const std::string& agency, const std::string& police_reference);

struct episode_context {
  std::string episode_id;
  std::string force;
  std::string default_area;
  std::uint32_t previous = 0;
  time_point now;  // created_at: the broker refuses times outside its skew window
};
mab::v1::Notification notification(const record& r, episode_status st, const episode_context& c);

using kit::send_fn;

// Processes exports against the kit's state. Episodes and child histories touched by a file are
// saved in one transaction at its end (unless `persist` is false: dry run), so an interrupted
// file is simply processed again and the sender's record of sent keys stops repeats.
class processor {
 public:
  processor(settings s, std::string agency, std::string area, const mab::clock& clk,
            kit::state& st, kit::rejects& rj, kit::summary& sum, send_fn send, bool persist,
            std::uint64_t progress_every = 100000);
  // An error means the run cannot go on (state file, broker connection).
  status process(const std::string& name, std::istream& in);
  status process_file(const std::string& path);

 private:
  struct touched;
  status handle(const record& r, const std::string& name, std::uint64_t line, touched& t);

  settings settings_;
  std::string agency_;
  std::string area_;
  const mab::clock& clock_;
  kit::state& state_;
  kit::rejects& rejects_;
  kit::summary& summary_;
  send_fn send_;
  bool persist_;
  std::uint64_t progress_every_;
};

}  // namespace mab::police

// The health adapter's rules: one FHIR R4 Bundle (Patient, Appointment, Encounter) in, the
// health concerns it yields given the children and households this adapter has seen before.
// Free of I/O except through the kit's state and a send callback, and the only clock is the
// bundle's own timestamp and the records' times, so every decision is deterministic in tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "adapters/kit/kit.h"
#include "daemon/common/result.h"
#include "mab/v1/notification.pb.h"

namespace mab::health {

using Kind = mab::v1::HealthConcern::Kind;
using seconds_time = std::chrono::sys_seconds;
using days_time = std::chrono::sys_days;

inline constexpr const char* nhs_system = "https://fhir.nhs.uk/Id/nhs-number";
inline constexpr const char* ods_system = "https://fhir.nhs.uk/Id/ods-organization-code";
inline constexpr const char* act_code_system = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
inline constexpr const char* snomed_system = "http://snomed.info/sct";

// ---- configuration (rules.cc) ----
struct settings {
  std::string ods_code;                        // [health] ods_code: the sending organisation
  std::uint32_t not_brought_threshold = 2;     // [thresholds]
  std::uint32_t not_brought_window_days = 183;
  std::uint32_t new_birth_days = 28;
  std::set<std::string> self_harm_codes = {"248062006"};            // [codes] self_harm
  std::set<std::string> injury_codes = {"417746004", "125605004"};  // [codes] injury
};

// Reads [health], [thresholds] and [codes] (from kit::config::extra) over the defaults; errors
// name file:line: field: rule, and unknown keys are errors.
result<settings> load_settings(const toml::table& extra, const std::string& file);

// ---- the bundle (bundle.cc) ----
// Every resource keeps `entry`, its 1-based index in Bundle.entry: the reject file's "line".
struct patient {
  std::uint64_t entry = 0;
  std::string id;
  std::string nhs_number;  // 10 digits, check digit valid
  std::string given_name, family_name;
  std::string birth_date;  // YYYY-MM-DD, not after the bundle timestamp
  days_time born;
  std::string address_line1, town;
  std::string postcode;    // normalised ("SW1A 1AA"); empty when absent
  std::string gp_ods;      // generalPractitioner's ODS code; empty when none
};

struct appointment {
  std::uint64_t entry = 0;
  std::string id, status, service;
  std::optional<seconds_time> start;  // always present for status "noshow"
  std::size_t patient = 0;            // index into bundle::patients
};

struct coding {
  std::string code, display;
};

// Only emergency (class EMER) encounters are kept; the others are bundle::ignored.
struct encounter {
  std::uint64_t entry = 0;
  std::string id, status;
  seconds_time start;
  std::size_t patient = 0;
  std::vector<coding> reasons;  // SNOMED CT reason codes
  std::string provider_ods;     // serviceProvider; empty when absent
};

struct entry_problem {
  std::uint64_t entry = 0;
  std::string reason;  // "entry 7 (Appointment a-19): participant: no Patient with an NHS number"
};

struct bundle {
  seconds_time timestamp;
  std::uint64_t entries = 0;
  std::vector<patient> patients;
  std::vector<appointment> appointments;
  std::vector<encounter> encounters;
  std::vector<entry_problem> problems;  // entries that are rejected, in entry order
  std::vector<std::uint64_t> ignored;   // resource types and encounter classes not acted on
};

// The error is about the whole file (not JSON, not a Bundle, no timestamp). A bad entry is a
// problem that names every field wrong in it, never an error; an Appointment or Encounter whose
// Patient is missing or bad is a problem too, since nothing can be said about whom it concerns.
result<bundle> parse_bundle(std::string_view text);

// "sw1a1aa" -> "SW1A 1AA": upper case, one space before the 3-character inward code.
std::string normalise_postcode(std::string_view postcode);

// ---- decisions (rules.cc) ----
// Under 18 on `on`. A child born on 29 February turns 18 on 1 March in other years.
bool is_child(days_time born, days_time on);

struct noshow {
  std::string id, service;
  seconds_time start;
};

// What this adapter remembers of one patient (state entity "patient/<NHS number>").
struct patient_record {
  bool seen = false;       // in an earlier bundle (or earlier in this one); not stored
  std::string household;   // household_key when last seen; empty: no address
  std::string gp_ods;
  std::map<std::string, noshow> noshows;  // by appointment id

  std::string to_json() const;
  static result<patient_record> from_json(const std::string& text);
};

// The most noshows that lie within `window_days` calendar days of one another (a window ending
// on a noshow's day, both ends included), and those appointments in time order; of several such
// windows, the latest.
struct not_brought {
  std::uint32_t count = 0;
  std::vector<noshow> appointments;
};
not_brought worst_window(const patient_record& r, std::uint32_t window_days);

// EMERGENCY_SELF_HARM when a reason code is a self-harm code (it wins over injury),
// EMERGENCY_INJURY for an injury code; nullopt otherwise and for a cancelled or
// entered-in-error encounter.
std::optional<Kind> emergency_kind(const encounter& e, const settings& s);

// "SW1A 1AA|12 ACACIA AVENUE": the normalised postcode and first address line, which a
// household's members share; "" when either is missing.
std::string household_key(const patient& p);

// For a child seen in a household this adapter already knows (it sent a concern about a child
// there), given what it remembered of them before: NEW_BIRTH_IN_HOUSEHOLD when they are new to
// the household and born within new_birth_days before `bundle_time`, else
// NEW_GP_REGISTRATION when they have a GP and are new to the household or to that GP.
std::optional<Kind> household_signal(const patient& p, const patient_record& before,
                                     seconds_time bundle_time, const settings& s);

// Source keys (message ids derive from them): "<nhs>/not_brought/<count>",
// "encounter/<id>", "<nhs>/new_birth", "<nhs>/new_gp_registration/<gp>@<household>".
std::string not_brought_key(const patient& p, std::uint32_t count);
std::string encounter_key(const encounter& e);
std::string household_signal_key(const patient& p, Kind kind);

mab::v1::Notification not_brought_concern(const patient& p, const std::string& area,
                                          const settings& s, const not_brought& w);
mab::v1::Notification emergency_concern(const patient& p, const std::string& area,
                                        const settings& s, const encounter& e, Kind kind);
mab::v1::Notification household_concern(const patient& p, const std::string& area,
                                        const settings& s, Kind kind);

// ---- the run (processor.cc) ----
using kit::send_fn;

// Processes bundles against the kit's state. Patients are judged first, against the
// households known before this bundle, then appointments and encounters. Records touched by a
// file are saved in one transaction at its end (unless `persist` is false: dry run), so an
// interrupted file is simply processed again and the kit's sent keys stop any re-send.
class processor {
 public:
  processor(settings s, std::string area, kit::state& st, kit::rejects& rj, kit::summary& sum,
            send_fn send, bool persist, std::uint64_t progress_every = 10000);
  // An error means the run cannot go on (state file, broker connection).
  status process(const std::string& name, std::string_view text);
  status process_file(const std::string& path);

 private:
  class file_run;
  void reject(const std::string& file, std::uint64_t line, const std::string& reason);

  settings settings_;
  std::string area_;
  kit::state& state_;
  kit::rejects& rejects_;
  kit::summary& summary_;
  send_fn send_;
  bool persist_;
  std::uint64_t progress_every_;
};

}  // namespace mab::health

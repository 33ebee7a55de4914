// The broker configuration: settings, the agency registry and routing rules, loaded from TOML
// and validated as a whole at start-up. Loading reports every problem at once, each naming the
// file, line and field, so an operator fixes a config in one pass (and `mabd --validate-config`
// can gate a deployment pipeline).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "daemon/calendar/calendar.h"

namespace mab::config {

// Body kinds, by their Notification oneof field names.
const std::set<std::string>& known_body_kinds();  // "attendance_concern", "missing_episode", ...
// Agency kinds.
const std::set<std::string>& known_agency_kinds();  // school, police, health, housing, csc, mash, ...

struct signing_key {
  std::string key_id;      // crypto::key_id_for(public_key)
  std::string public_key;  // raw 32 bytes
};

struct agency {
  std::string id;                        // [a-z0-9][a-z0-9._-]{0,63}
  std::string name;                      // for people; defaults to id
  std::string kind;                      // one of known_agency_kinds()
  std::string area;                      // local authority code
  std::vector<signing_key> signing_keys; // at least one; several during a rotation
  std::vector<std::string> curve_keys;   // Z85 public keys admitted for this agency; at least one
  std::set<std::string> may_send;        // body kinds; empty = may send nothing
};

// A rule matches a notification when its body kind is in `bodies` and (when `areas` is not
// empty) the subject's area, or the sender's area when the subject has none, is in `areas`.
// Recipients are the agencies in `to`, plus every agency whose kind is in `to_kinds` and whose
// area is the matched area. The sender is never its own recipient.
struct route_rule {
  std::string name;                      // defaults to "route #N"
  std::set<std::string> bodies;          // non-empty, each a known body kind
  std::set<std::string> areas;           // empty = any area
  std::vector<std::string> to;           // agency ids (must exist)
  std::set<std::string> to_kinds;        // agency kinds
  bool allow_explicit = false;           // may a sender name recipients itself?
  int line = 0;                          // where it was declared, for messages
};

struct settings {
  std::string listen = "tcp://127.0.0.1:7750";  // ZeroMQ endpoint for adapters
  std::string data_dir = ".";                    // relative paths below resolve against it
  std::string store = "sqlite";                  // only "sqlite" for now
  std::string sqlite_path = "mab.db";
  std::string signing_key_file = "broker.sign.key";
  std::string curve_secret_key_file = "broker.curve.key";
  // The secret behind pseudonymous subject keys (a keyed hash of each identifier), base64 of at
  // least 32 bytes. Losing it breaks the link between old and new keys; keep it with backups.
  std::string subject_key_file = "subject.key";
  std::string control = "";                      // ipc:// endpoint; default ipc://<data_dir>/control.sock
  std::uint64_t max_message_bytes = 1048576;     // SUBMIT payloads above this: MESSAGE_TOO_LARGE
  std::int64_t clock_skew_seconds = 300;         // created_at further from now: CLOCK_SKEW
  std::uint32_t max_refusals = 3;                // then dead-letter
  double retry_initial_seconds = 5;              // first redelivery of an unacknowledged message
  double retry_max_seconds = 300;                // backoff cap
  std::uint32_t delivery_window = 100;           // unacknowledged deliveries in flight per agency
  double consumer_timeout_seconds = 30;          // a receiving client that is silent this long is offline
  std::uint32_t audit_checkpoint_entries = 100;    // seal the audit chain after this many entries
  double audit_checkpoint_seconds = 60;            // ... or this long after the last seal
  std::string log_format = "human";              // "human" or "json"
  std::string log_level = "info";                // trace, debug, info, warn, error
};

// [[area]]: a local authority as the ledger sees it.
//   [[area]]
//   code = "E09000001"
//   front_door = "csc-e09"             # an agency of kind csc or mash in this area
//   escalation = ["mash-e09"]          # also told when a flag is raised for this area
//   school_terms = [["2026-09-03", "2026-10-23"], ["2026-11-02", "2026-12-18"]]
struct area_policy {
  std::string code;
  std::string front_door;
  std::vector<std::string> escalation;
  int line = 0;
};

// [policy]: the deadlines and switches of the ledger. Every duration is text parsed by
// calendar::parse_duration ("1 working day", "72 hours", "15 school days", "30s").
struct policy {
  calendar::duration referral_outcome_due{calendar::duration::working_days, 1};
  calendar::duration return_interview_due{calendar::duration::hours, 72};
  calendar::duration acknowledgement_due{calendar::duration::working_days, 2};
  // Body kinds whose every delivery must be acknowledged by acknowledgement_due.
  std::set<std::string> ack_required{"referral", "transfer_notice", "record_part"};
  double due_soon_fraction = 0.75;   // DUE_SOON when this much of the time has passed
  calendar::duration flag_resend{calendar::duration::hours, 24};  // re-send raised flags
  // Transfers: open one when a notification shows the child's area changed (not only on a
  // transfer_notice); each expected part is due this long after the transfer opens; every agency
  // of the old area involved with the child within `lookback` owes a part (the Child MD lesson).
  bool open_transfer_on_area_change = true;
  calendar::duration transfer_part_due{calendar::duration::working_days, 15};
  calendar::duration lookback{calendar::duration::days, 730};
  // Parts policy expects whatever the history says: `kind` (a RecordPart kind) from the old
  // area's agency of `from_kind`, `when` "always", "child_protection_plan" (the transfer notice
  // says the child is on a plan) or "school_age" (5 to 16 by date of birth).
  struct expected_part {
    std::string kind;
    std::string from_kind;
    std::string when;
  };
  std::vector<expected_part> expected_parts{
      {"CHILD_PROTECTION_PLAN", "csc", "child_protection_plan"},
      {"CASE_SUMMARY", "csc", "child_protection_plan"},
      {"SCHOOL_TRANSFER_FILE", "school", "school_age"},
      {"HEALTH_RECORD", "health", "always"}};
  // Extra bank holidays (YYYY-MM-DD) and every area's school terms, for the calendar.
  calendar::settings calendar_settings;
};

// [http]: the operator API and dashboard. Absent: no HTTP listener at all.
//   [http]
//   listen = "127.0.0.1:7751"    # IP address and port; port 0 picks a free one (see mabd.http)
//   tls = true                   # false only on a loopback address
//   cert_file = "http.crt"       # PEM, relative to data_dir
//   key_file = "http.key"
struct http_settings {
  bool enabled = false;
  std::string address = "127.0.0.1";
  std::uint16_t port = 7751;
  bool tls = true;
  std::string cert_file = "http.crt";
  std::string key_file = "http.key";
  std::uint64_t max_body_bytes = 65536;
  std::uint32_t max_connections = 256;
  double read_timeout_seconds = 30;
};

// [[token]]: a bearer token for the HTTP API, stored only as the SHA-256 of the secret
// (`mabctl token new` prints both). The name is who the audit trail says acted.
inline constexpr const char* token_roles[] = {"viewer", "operator", "auditor", "admin"};
struct http_token {
  std::string name;        // [a-z0-9][a-z0-9._-]{0,63}, unique
  std::string role;        // one of token_roles
  std::string sha256_hex;  // 64 lowercase hex digits, unique
};

// The broker's own identity as a sender (flags are notifications from it). No agency may use it.
inline constexpr const char* broker_agency_id = "mab";

struct config {
  std::string source_path;   // the file it came from (absolute)
  settings broker;
  std::vector<agency> agencies;
  std::vector<route_rule> routes;
  policy ledger;
  std::vector<area_policy> areas;
  http_settings http;
  std::vector<http_token> tokens;

  const area_policy* find_area(const std::string& code) const;

  const agency* find_agency(const std::string& id) const;
  // The agency and key for a signing key id, or nullptr.
  const agency* agency_for_key(const std::string& key_id, const signing_key** key = nullptr) const;
  // The agency admitted with this Curve public key (Z85), or nullptr.
  const agency* agency_for_curve_key(const std::string& z85) const;
  // Resolves a path from the settings against data_dir (absolute paths stay as they are).
  std::string resolve(const std::string& path) const;
  std::string control_endpoint() const;
};

struct load_result {
  std::optional<config> cfg;           // set only when `errors` is empty
  std::vector<std::string> errors;     // "mabd.toml:12: agency 'school-1': signing_keys[0]: ..."
};

// Parses and validates. data_dir, when relative, resolves against the file's folder.
load_result load(const std::string& path);
// Same, from text (tests, fuzzing). `name` is used in messages; relative data_dir resolves
// against the current directory.
load_result parse(const std::string& text, const std::string& name);

}  // namespace mab::config

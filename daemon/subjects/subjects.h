// Recognising one child across agencies without storing raw identifiers. Health knows a child by
// NHS number, schools by UPN, police and councils by their own local ids; mab keys its subject
// index by pseudonymous subject keys instead: a keyed hash (HMAC-SHA256, secret from
// configuration) of each normalised identifier. Without the secret a key cannot be reversed or
// recomputed from a guessed NHS number, so the ledger and flags carry keys, never identifiers.
//
// Pure logic, no storage: the caller persists key -> subject and applies what plan_link decides.
// Errors: result errors carry `code` from subjects_error below.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "daemon/common/result.h"
#include "mab/v1/notification.pb.h"

namespace mab::subjects {

enum subjects_error : int {
  unspecified = 0,
  secret_too_short = 1,
};

// ---- keys ----

// Holds the secret. Keys are "sk_" + the first 32 hex chars (128 bits) of
// HMAC-SHA256(secret, kind + "\0" + normalized_value). Kinds used here: "nhs", "upn",
// "local:<system>" and "fact:<name>". The NUL separator keeps kinds apart as long as a kind has
// no NUL in it, which identifier_keys guarantees (see below).
class keyer {
 public:
  static constexpr std::size_t min_secret_bytes = 32;

  // Error (secret_too_short) unless the secret has at least 32 bytes: a shorter secret would make
  // guessing it, and so reversing keys of low-entropy identifiers, feasible.
  static result<keyer> from_secret(std::string secret);

  std::string key(std::string_view kind, std::string_view normalized_value) const;

 private:
  explicit keyer(std::string secret) : secret_(std::move(secret)) {}
  std::string secret_;
};

// ---- normalisation ----
// The same identifier as typed by different agencies must give the same key. Whitespace is ASCII
// space, tab, CR, LF, VT, FF.

std::string normalize_nhs_number(std::string_view s);    // digits only: "943 476 5919" works
std::string normalize_upn(std::string_view s);           // trimmed, ASCII upper-cased
std::string normalize_local_system(std::string_view s);  // trimmed, ASCII lower-cased
std::string normalize_local_value(std::string_view s);   // trimmed; case kept (systems may care)
// For names and ethnicity: trimmed, runs of whitespace or U+00A0 (no-break space) collapsed to
// one space, case-folded.
// Folding covers ASCII, Latin-1 and Latin Extended-A letters (so "WÓJCIK" == "wójcik" and
// "ŁUKASZ" == "łukasz"); other scripts are kept as given. Accents, hyphens and apostrophes are
// NOT removed: "Smith" == "SMITH " but "Smyth", "Zoë"/"Zoe" and "O'Brien"/"OBrien" differ.
std::string normalize_text(std::string_view s);

// Keys of every identifier present, in a stable order: nhs, upn, then local ids sorted by
// (system, value), duplicates removed. An identifier that normalises to empty is skipped, as is a
// local id whose system contains NUL (its kind could collide with another's).
std::vector<std::string> identifier_keys(const keyer& k, const mab::v1::Subject& s);

// ---- facts for data-quality checks ----
// Keyed like identifiers so raw values never sit in the ledger. Two agencies disagree about a
// child when they report the same fact name with different value_key. Note a value_key of a
// low-entropy fact (a date of birth) is only as private as the secret.
struct fact {
  std::string name;       // "date_of_birth", "ethnicity", "family_name", "given_name"
  std::string value_key;  // keyer::key("fact:" + name, normalised value)
};

// Facts present (non-empty after normalisation), in the order of `fact::name` above.
// date_of_birth is trimmed only; the others use normalize_text.
std::vector<fact> fact_keys(const keyer& k, const mab::v1::Subject& s);

// ---- linking ----
// Subject ids are >= 1 and allocated in increasing order, so a lower id is an older subject.

struct link_result {
  std::uint64_t subject = 0;                 // the subject every given key now belongs to
  std::vector<std::uint64_t> merged_away;    // ascending; subjects folded into `subject`
  bool created = false;                      // `subject` is new (== next_id)
  std::vector<std::string> new_keys;         // given keys that had no subject, in input order
};

// Decides how one notification's keys link. Input: each key with the subject it maps to now
// (nullopt when unknown). When none is known, a subject is created with id next_id. Otherwise the
// lowest known id survives, and every other known id is merged into it: the caller re-points
// all rows (keys included) of merged_away ids to `subject`, and maps new_keys to `subject`.
// With no keys at all, returns subject 0 and does nothing.
using key_mapping = std::vector<std::pair<std::string, std::optional<std::uint64_t>>>;
link_result plan_link(const key_mapping& key_to_existing_subject, std::uint64_t next_id);

// In-memory union-find over plan_link, the reference for a persistent index.
class index {
 public:
  link_result link(const std::vector<std::string>& keys);
  std::optional<std::uint64_t> find(const std::string& key) const;  // the surviving subject

 private:
  std::uint64_t root(std::uint64_t id) const;
  std::unordered_map<std::string, std::uint64_t> key_subject_;  // may name a merged-away id
  std::unordered_map<std::uint64_t, std::uint64_t> merged_into_;
  std::uint64_t next_id_ = 1;
};

}  // namespace mab::subjects

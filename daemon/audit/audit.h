// The broker's audit trail: who shared what, with whom, and when, kept so that an auditor can
// later prove the record was not altered. Every entry carries the hash of the entry before it,
// so changing, removing or reordering one breaks the chain; now and then the broker signs the
// head of the chain (a checkpoint), so even an attacker who recomputes every hash after the
// entry they changed cannot match what the broker signed.
//
// This module is pure: it computes and checks values. Persisting entries and checkpoints, and
// deciding when to seal one, belong to the caller.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/crypto/crypto.h"

namespace mab::audit {

// prev_hash of entry 1.
inline constexpr std::string_view genesis_hash =
    "0000000000000000000000000000000000000000000000000000000000000000";

struct entry {
  std::uint64_t seq = 0;      // 1, 2, 3... with no gaps
  std::int64_t at_ms = 0;     // Unix milliseconds
  std::string kind;           // "message.accepted", "delivery.acked", "transfer.opened"...
  std::string subject_key;    // pseudonymous, never a raw identifier; may be empty
  std::string data;           // a compact JSON object chosen by the caller
  std::string prev_hash;      // hash of entry seq-1, or genesis_hash; lowercase hex SHA-256
  std::string hash;           // entry_hash(*this); lowercase hex SHA-256

  bool operator==(const entry&) const = default;
};

// SHA-256 (lowercase hex) over "mab.v1.AuditEntry\n" followed by seq, at_ms, kind, subject_key,
// data and prev_hash, each preceded by its length as 8 big-endian bytes; the two numbers are
// themselves 8 big-endian bytes (at_ms as two's complement). Length prefixes make the encoding
// unambiguous: no two different entries encode to the same bytes. `hash` is not an input.
std::string entry_hash(const entry& e);

// The head of the chain, and the only way the broker should create entries. Not thread-safe:
// the broker appends from its single cycle.
class chain {
 public:
  // Resume from the last stored entry (or start empty).
  explicit chain(std::uint64_t last_seq = 0, std::string last_hash = std::string(genesis_hash));

  // Returns the next entry, complete with seq, prev_hash and hash, ready to persist as it is.
  // The head moves at once: if the caller fails to persist the entry, it must rebuild the chain
  // from the stored head, or the next entry would point to one that was never stored.
  entry append(std::int64_t at_ms, std::string kind, std::string subject_key, std::string data);

  std::uint64_t last_seq() const { return last_seq_; }
  const std::string& last_hash() const { return last_hash_; }

 private:
  std::uint64_t last_seq_;
  std::string last_hash_;
};

// The broker's signed statement "entry `seq` of the chain has hash `head_hash`".
struct checkpoint {
  std::uint64_t seq = 0;      // 0 seals the empty chain (head_hash = genesis_hash)
  std::int64_t at_ms = 0;     // when it was sealed, Unix milliseconds
  std::string head_hash;      // hash of entry `seq`
  std::string key_id;         // crypto::key_id_for(the broker's public key)
  std::string signature;      // base64 Ed25519 signature
};

// Signs "mab.v1.AuditCheckpoint\n" followed by seq, at_ms, head_hash and key_id, encoded as in
// entry_hash. The domain prefix keeps a checkpoint signature from ever passing as a signature
// on anything else the broker signs with the same key.
checkpoint seal_checkpoint(const crypto::signer& broker, std::uint64_t seq, std::int64_t at_ms,
                           const std::string& head_hash);

// True only if `cp` names the broker's key and its signature verifies with it.
// `broker_public_key` is the raw 32-byte Ed25519 key.
bool verify_checkpoint(const checkpoint& cp, std::string_view broker_public_key);

struct finding {
  enum kind {
    altered,              // content changed (hash kept or recomputed), or seq renumbered
    removed,              // entries missing: a gap in seq, or the log ends before a checkpoint
    reordered,            // stored out of seq order
    inserted,             // an entry that belongs nowhere in the chain (a second entry `seq`)
    bad_checkpoint,       // signature fails, or signed by another key
    checkpoint_mismatch,  // the chain's hash at the checkpoint's seq is not the one signed
    broken_link,          // entry 1 does not start from genesis_hash
  } what;
  std::uint64_t seq;      // the entry concerned; for checkpoints, the checkpoint's seq
  std::string detail;     // one line for a person, e.g. "entry 17 altered: ..."
};

struct report {
  std::uint64_t entries = 0, checkpoints = 0;  // how many were examined
  std::vector<finding> findings;               // by seq, then kind; each fact once
  bool ok() const { return findings.empty(); }
};

// Checks a whole log, entries as they were read from storage (in storage order, starting from
// entry 1) and every checkpoint. Each problem is pinned to the entry that explains it, so one
// altered entry yields one finding, not one for every entry after it.
report verify(const std::vector<entry>& entries_in_stored_order,
              const std::vector<checkpoint>& checkpoints, std::string_view broker_public_key);

// One line per finding, then "audit: N entries, M checkpoints verified: OK" (or "K problems").
std::string to_text(const report& r);

}  // namespace mab::audit

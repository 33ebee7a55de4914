// Durable storage for the broker: accepted messages, per-recipient delivery queues, notices to
// senders, and the dead-letter store. The broker sees only this interface; no SQLite (or, later,
// PostgreSQL) type crosses it.
//
// Transactions: begin()/commit() group every call between them into one atomic, durable commit
// (one fsync). The broker wraps each burst of work in one, so concurrent senders share fsyncs
// ("group commit"), and sends receipts only after commit() succeeds. Outside begin()/commit()
// each mutating call commits on its own. Calls between begin() and commit() see their own writes.
//
// Threading: one store object is used from one thread (the broker's event loop).
// Errors: result errors carry `code` from store_error below.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/common/clock.h"
#include "daemon/common/result.h"

namespace mab::store {

enum store_error : int {
  unspecified = 0,
  full = 1,        // the disk or the configured quota is full: refuse new work, keep serving
  io = 2,          // the disk failed
  corrupt = 3,
  busy = 4,
};

struct new_message {
  std::string message_id;
  std::string sender;                  // agency id
  std::string body_kind;
  std::string envelope;                // serialized SignedEnvelope, exactly as received
  std::string notification_sha256;     // raw 32 bytes; duplicate vs conflict is decided on it
  time_point received_at;
  std::vector<std::string> recipients; // one pending delivery each, due at received_at
};

struct message_record {
  std::uint64_t seq = 0;
  std::string message_id;
  std::string sender;
  std::string body_kind;
  std::string envelope;
  std::string notification_sha256;
  time_point received_at;
  std::vector<std::string> recipients;
};

enum class delivery_state { pending, acked, dead };

struct delivery_record {
  std::uint64_t delivery_id = 0;
  std::uint64_t seq = 0;               // the message's store sequence
  std::string message_id;
  std::string sender;
  std::string recipient;
  std::string envelope;
  delivery_state state = delivery_state::pending;
  std::uint32_t attempts = 0;          // times handed to the recipient so far
  std::uint32_t refusals = 0;
  std::string last_refusal_reason;
  time_point next_attempt_at;
  std::optional<time_point> acked_at;
};

struct ack_outcome {
  enum kind { recorded, already_acked, not_found, dead } result = not_found;
  std::uint64_t delivery_id = 0;
  std::string sender;                  // of the acknowledged message
};

struct refusal_outcome {
  enum kind { retry, dead_lettered, already_acked, not_found, already_dead } result = not_found;
  std::uint64_t delivery_id = 0;
  std::uint32_t refusals = 0;
  std::string sender;
};

struct notice_record {
  std::uint64_t notice_id = 0;
  std::string agency;
  std::string payload;                 // serialized mab.v1.Sealed
  time_point created_at;
  std::uint32_t attempts = 0;
  time_point next_attempt_at;
};

// One entry of the audit trail as stored (the hashing rules live in daemon/audit).
struct audit_record {
  std::uint64_t seq = 0;
  std::int64_t at_ms = 0;
  std::string kind;
  std::string subject_key;
  std::string data;
  std::string prev_hash;
  std::string hash;
};

// A broker-signed seal over the audit chain's head at `seq`.
struct checkpoint_record {
  std::uint64_t seq = 0;
  std::int64_t at_ms = 0;
  std::string head_hash;
  std::string key_id;
  std::string signature;
};

class store {
 public:
  virtual ~store() = default;

  virtual status begin() = 0;
  virtual status commit() = 0;
  virtual void rollback() = 0;  // abandons the open transaction, if any

  virtual result<std::optional<message_record>> find_message(const std::string& message_id) = 0;
  // Appends a message and one pending delivery per recipient; returns its seq (monotonic).
  virtual result<std::uint64_t> append_message(const new_message& m) = 0;

  // Pending deliveries to `recipient` due at `now`, oldest (lowest seq) first, at most `limit`.
  virtual result<std::vector<delivery_record>> due_deliveries(const std::string& recipient,
                                                              time_point now, std::size_t limit) = 0;
  // Records one more attempt and when to try again if no answer comes. Fails when the delivery
  // is not pending.
  virtual status mark_attempted(std::uint64_t delivery_id, time_point next_attempt_at) = 0;
  // Makes every pending delivery to `recipient` due at `now` (a receiver came back online, so
  // what was in flight to its lost connection should not wait out its backoff).
  virtual status reschedule_pending(const std::string& recipient, time_point now) = 0;
  // Pending deliveries to `recipient` (all states pending), for metrics and tests.
  virtual result<std::uint64_t> pending_count(const std::string& recipient) = 0;

  // The recipient's signed ack (serialized Sealed) for its delivery of `message_id`.
  virtual result<ack_outcome> record_ack(const std::string& message_id, const std::string& recipient,
                                         time_point at, const std::string& sealed_ack) = 0;
  // A refusal: below `max_refusals` the delivery is retried at `retry_at`; at it, dead-lettered.
  virtual result<refusal_outcome> record_refusal(const std::string& message_id,
                                                 const std::string& recipient,
                                                 const std::string& reason, time_point at,
                                                 std::uint32_t max_refusals, time_point retry_at) = 0;

  virtual result<std::vector<delivery_record>> dead_letters(std::size_t limit) = 0;
  // Moves a dead letter back to pending, due at `now`, with its refusal count reset.
  // Returns false when `delivery_id` is not a dead letter.
  virtual result<bool> replay_dead_letter(std::uint64_t delivery_id, time_point now) = 0;

  // Broker-to-agency notices (ack notices, dead-letter notices): queued durably, delivered
  // oldest first, removed when the agency confirms them.
  virtual result<std::uint64_t> append_notice(const std::string& agency, const std::string& payload,
                                              time_point at) = 0;
  virtual result<std::vector<notice_record>> due_notices(const std::string& agency, time_point now,
                                                         std::size_t limit) = 0;
  // Fails when the notice is not pending.
  virtual status mark_notice_attempted(std::uint64_t notice_id, time_point next_attempt_at) = 0;
  // Returns false when there is no such pending notice for that agency.
  virtual result<bool> confirm_notice(const std::string& agency, std::uint64_t notice_id) = 0;

  // The audit trail: append-only. Entries and checkpoints come back in stored order, which the
  // verifier compares with their own numbering.
  virtual status append_audit(const audit_record& entry) = 0;
  virtual result<std::optional<audit_record>> audit_head() = 0;  // the last entry stored
  // Up to `limit` entries stored after position `after_pos` (0 = from the start), with the
  // position of the last one returned in `last_pos`, for paging through a long trail.
  virtual result<std::vector<audit_record>> audit_entries(std::uint64_t after_pos,
                                                          std::size_t limit,
                                                          std::uint64_t& last_pos) = 0;
  virtual status append_checkpoint(const checkpoint_record& cp) = 0;
  virtual result<std::vector<checkpoint_record>> checkpoints() = 0;
};

struct sqlite_options {
  std::string path;              // the database file; created if absent
  bool full_sync = true;         // WAL with synchronous=FULL: durable at commit
  // Store quota: the database may grow to at most this many pages (4096 bytes each unless the
  // file was created with another page size); past it writes fail with store_error::full and
  // reads go on. 0 = no limit. A quota below the file's current size acts as that size.
  std::uint32_t max_pages = 0;
};

// Opens (creating and migrating as needed) the embedded SQLite store.
result<std::unique_ptr<store>> open_sqlite(const sqlite_options& options);

}  // namespace mab::store

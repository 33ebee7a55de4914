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
#include <map>
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
  time_point received_at;              // when mab received that message (ack latency)
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

// An obligation: something an agency owes another by a deadline (a referral outcome, a return
// home interview, an acknowledgement). The ledger decides; the store keeps.
enum class obligation_state { open, fulfilled, overdue };

struct obligation_record {
  std::uint64_t obligation_id = 0;
  std::string kind;              // "referral_outcome", "return_interview", "acknowledgement"
  std::string ref;               // what it is about; (kind, ref) is unique
  std::string subject_key;       // pseudonymous
  std::string owed_by;           // agency id
  std::string owed_to;           // agency id
  std::string data;              // JSON the ledger needs later (e.g. the referral's concern ids)
  time_point opened_at;
  time_point due_at;
  std::optional<time_point> warn_at;   // when DUE_SOON fires; none = no warning
  bool warned = false;
  obligation_state state = obligation_state::open;
  std::optional<time_point> closed_at; // fulfilled or found overdue
};

enum class flag_state { raised, cleared };

struct flag_record {
  std::uint64_t flag_id = 0;
  std::string flag_type;         // NO_FEEDBACK, CONCERNS_NOT_ADDRESSED, HIGH_RISK_MISSING, ...
  std::string dedupe_key;        // unique: the same fact never raises two flags (restarts too)
  std::string subject_key;
  std::optional<std::uint64_t> obligation_id;
  std::string owed_by;           // the agency that is late, if any
  std::vector<std::string> recipients;  // who is told (agency ids)
  std::string detail;            // for a person; never a name or identifier of a child
  time_point raised_at;
  std::optional<time_point> due_at;
  flag_state state = flag_state::raised;
  std::optional<time_point> cleared_at;
  time_point next_send_at;       // when it is re-sent if still raised
  std::uint32_t sends = 0;
  std::string acked_by;          // an operator's acknowledgement, with a note
  std::string ack_note;
  std::optional<time_point> acked_at;
};

// ---- subjects and transfers ----

// Who has been involved with a subject: sent or received a notification about it.
struct contact_record {
  std::string agency;
  time_point first_at;
  time_point last_at;
};

// A keyed fact one agency reported about a subject (date of birth, ethnicity, names), for
// data-quality checks. value_key is keyed: the raw value is never stored.
struct fact_record {
  std::string name;
  std::string value_key;
  std::string agency;
  time_point at;
};

enum class transfer_state { open, complete };

struct transfer_record {
  std::string transfer_id;
  std::uint64_t subject = 0;
  std::string subject_key;       // pseudonymous, for people and flags
  std::string from_area;
  std::string to_area;
  std::string opened_by;         // message id that opened it
  std::string reason;            // "transfer_notice" or "area_change"
  time_point opened_at;
  transfer_state state = transfer_state::open;
  std::optional<time_point> completed_at;
};

// An expected hand-over: one agency of the old area owes one part of the record.
// States: expected -> sent -> delivered -> acknowledged.
struct part_record {
  std::uint64_t part_id = 0;
  std::string transfer_id;
  std::string owed_by;           // agency id in the old area
  std::string kind;              // RecordPart.Kind name, or "ANY" for a history-based part
  std::string why;               // "policy: ..." or "history: sent/received notifications within the look-back"
  std::string state = "expected";
  std::uint32_t pieces_total = 0;     // from the record_part pieces (0 until the first arrives)
  std::uint32_t pieces_sent = 0;
  std::uint32_t pieces_acked = 0;
  std::string recipient;         // the new area's agency it went to
  time_point due_at;
  std::optional<time_point> sent_at;
  std::optional<time_point> acked_at;
};

struct timeline_entry {
  time_point at;
  std::string what;              // for a person; agency ids and kinds, never identifiers
};

// ---- operator views ----

// A window on a list in its stated order: skip `offset` rows, return at most `limit`.
struct page {
  std::size_t limit = 100;
  std::size_t offset = 0;
};

struct flag_filter {
  std::optional<flag_state> state;
  std::string flag_type;         // "" = every type
};

struct transfer_filter {
  std::optional<transfer_state> state;
  std::string flag_type;         // has a raised flag of this type
  std::string area;              // from or to this area
  // Involves this agency: it owes a part, or a part went to it; or, when `agency_area` is set
  // (the area whose front door or escalation list the agency is on), the transfer is to that
  // area: the receiving side.
  std::string agency;
  std::string agency_area;
};

// Counts for an operator's front page, as of `now`.
struct ledger_counts {
  std::uint64_t open_transfers = 0;
  std::uint64_t overdue_obligations = 0;
  // Open obligations whose DUE_SOON warning has fired and whose deadline has not yet passed.
  std::uint64_t due_soon_obligations = 0;
  std::map<std::string, std::uint64_t> raised_flags_by_type;
  // By the current area of the subject each flag concerns (the area last reported for the child,
  // which after a move is the new area); flags about no known subject count under "".
  std::map<std::string, std::uint64_t> raised_flags_by_area;
};

// Something late: an overdue obligation (with the raised flag about it, if any), or a raised
// flag whose due_at has passed that belongs to no overdue obligation.
struct overdue_item {
  std::optional<std::uint64_t> obligation_id;
  std::optional<std::uint64_t> flag_id;
  std::string flag_type;         // "" when no flag is raised about it
  std::string kind;              // the obligation's kind; "" for a flag without one
  std::string subject_key;
  std::string owed_by;
  time_point due_at;
  std::string data;              // the obligation's data (JSON), "" without one
};

// One agency's record with mab, for its scorecard.
struct agency_activity {
  std::uint64_t sent = 0;          // notifications it sent that mab accepted
  std::uint64_t received = 0;      // deliveries routed to it, in any state
  std::uint64_t acknowledged = 0;  // of those, acknowledged
  std::uint64_t pending = 0;       // of those, still waiting (its queue depth)
  // Overdue obligations it owes, plus raised flags naming it as owed_by that belong to no
  // obligation (CONCERNS_NOT_ADDRESSED, say). A flag tied to an obligation is either a due-soon
  // warning or the flag of an overdue obligation already counted, so it is not counted again.
  std::uint64_t overdue = 0;
  // Seconds from mab's receipt of a message to this agency's ack of it, by nearest rank over
  // every acknowledged delivery; none before its first ack.
  std::optional<double> ack_median_seconds;
  std::optional<double> ack_p90_seconds;
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
  // Up to `limit` entries whose chain seq is above `after_seq`, by seq: for readers that follow
  // the trail by its own numbering (the operator API, live events).
  virtual result<std::vector<audit_record>> audit_after(std::uint64_t after_seq,
                                                       std::size_t limit) = 0;
  virtual status append_checkpoint(const checkpoint_record& cp) = 0;
  virtual result<std::vector<checkpoint_record>> checkpoints() = 0;

  // ---- the ledger: obligations and flags ----
  // Inserts an open obligation; returns its id, or nullopt (and changes nothing) when one with
  // the same (kind, ref) already exists.
  virtual result<std::optional<std::uint64_t>> add_obligation(const obligation_record& o) = 0;
  virtual result<std::optional<obligation_record>> find_obligation(const std::string& kind,
                                                                   const std::string& ref) = 0;
  // Open obligations whose due_at <= now, oldest due first.
  virtual result<std::vector<obligation_record>> overdue_obligations(time_point now,
                                                                     std::size_t limit) = 0;
  // Open, not yet warned obligations whose warn_at <= now.
  virtual result<std::vector<obligation_record>> warnable_obligations(time_point now,
                                                                      std::size_t limit) = 0;
  virtual status mark_warned(std::uint64_t obligation_id) = 0;
  // open -> overdue, or open/overdue -> fulfilled (a late answer), closed_at = at; false when
  // that transition does not apply.
  virtual result<bool> close_obligation(std::uint64_t obligation_id, obligation_state to,
                                        time_point at) = 0;
  // Newest first; `state` filters when set.
  virtual result<std::vector<obligation_record>> list_obligations(
      std::optional<obligation_state> state, page p) = 0;
  result<std::vector<obligation_record>> list_obligations(std::optional<obligation_state> state,
                                                          std::size_t limit) {
    return list_obligations(state, page{limit, 0});
  }

  // Inserts a raised flag; returns its id, or nullopt (and changes nothing) when a flag with the
  // same dedupe_key exists (raised or cleared): a fact raises its flag once, ever.
  virtual result<std::optional<std::uint64_t>> raise_flag(const flag_record& f) = 0;
  virtual result<std::optional<flag_record>> find_flag(std::uint64_t flag_id) = 0;
  // The flag raised for `dedupe_key` (raised or cleared), if any.
  virtual result<std::optional<flag_record>> find_flag_by_key(const std::string& dedupe_key) = 0;
  // Raised flags linked to an obligation.
  virtual result<std::vector<flag_record>> flags_for_obligation(std::uint64_t obligation_id) = 0;
  // Raised flags whose next_send_at <= now, oldest first.
  virtual result<std::vector<flag_record>> flags_to_send(time_point now, std::size_t limit) = 0;
  // sends + 1, next_send_at = next.
  virtual status mark_flag_sent(std::uint64_t flag_id, time_point next) = 0;
  // raised -> cleared; false when it was not raised.
  virtual result<bool> clear_flag(std::uint64_t flag_id, time_point at) = 0;
  // Records an operator's acknowledgement (the flag stays raised until its cause is resolved);
  // false when there is no such flag.
  virtual result<bool> ack_flag(std::uint64_t flag_id, const std::string& by,
                                const std::string& note, time_point at) = 0;
  // Newest first, filtered.
  virtual result<std::vector<flag_record>> list_flags(const flag_filter& f, page p) = 0;
  result<std::vector<flag_record>> list_flags(std::optional<flag_state> state,
                                              std::size_t limit) {
    return list_flags(flag_filter{state, {}}, page{limit, 0});
  }
  // Every flag of a transfer (its dedupe key starts "transfer/<id>/"), raised or cleared, oldest
  // first.
  virtual result<std::vector<flag_record>> transfer_flags(const std::string& transfer_id) = 0;

  // ---- subjects ----
  virtual result<std::optional<std::uint64_t>> subject_for_key(const std::string& key) = 0;
  virtual result<std::uint64_t> new_subject(time_point at) = 0;
  // Maps `key` to `subject` (insert, or re-point an existing mapping).
  virtual status map_key(const std::string& key, std::uint64_t subject) = 0;
  // Two subjects turned out to be one child: every key, fact, contact and transfer of `from`
  // now belongs to `into`.
  virtual status merge_subjects(std::uint64_t into, std::uint64_t from) = 0;
  // The subject's current area as last reported, with who reported it.
  virtual result<std::optional<std::string>> subject_area(std::uint64_t subject) = 0;
  virtual status set_subject_area(std::uint64_t subject, const std::string& area,
                                  time_point at) = 0;
  // Records that `agency` sent or received a notification about `subject` at `at`.
  virtual status add_contact(std::uint64_t subject, const std::string& agency, time_point at) = 0;
  // Agencies with a contact at or after `since`, by first contact.
  virtual result<std::vector<contact_record>> contacts(std::uint64_t subject, time_point since) = 0;
  // Adds a fact unless the same (subject, name, value_key, agency) is already recorded.
  virtual status add_fact(std::uint64_t subject, const fact_record& f) = 0;
  virtual result<std::vector<fact_record>> facts(std::uint64_t subject) = 0;
  // Records that the stored message `seq` is about `subject` (once; a second link of the same
  // message changes nothing). Merging subjects carries the links along.
  virtual status link_message(std::uint64_t subject, std::uint64_t seq) = 0;
  // The most recent (highest seq) stored message linked to `subject`, if any.
  virtual result<std::optional<message_record>> latest_message_about(std::uint64_t subject) = 0;

  // ---- transfers ----
  // Inserts; false (nothing changed) when the transfer id exists.
  virtual result<bool> add_transfer(const transfer_record& t) = 0;
  virtual result<std::optional<transfer_record>> find_transfer(const std::string& transfer_id) = 0;
  // Transfers of a subject, newest first.
  virtual result<std::vector<transfer_record>> transfers_of(std::uint64_t subject) = 0;
  // Newest (opened_at) first, filtered.
  virtual result<std::vector<transfer_record>> list_transfers(const transfer_filter& f,
                                                              page p) = 0;
  result<std::vector<transfer_record>> list_transfers(std::optional<transfer_state> state,
                                                      std::size_t limit) {
    return list_transfers(transfer_filter{state, {}, {}, {}, {}}, page{limit, 0});
  }
  virtual result<bool> complete_transfer(const std::string& transfer_id, time_point at) = 0;
  // Inserts a part; nullopt (nothing changed) when (transfer_id, owed_by, kind) exists.
  virtual result<std::optional<std::uint64_t>> add_part(const part_record& p) = 0;
  virtual result<std::vector<part_record>> parts(const std::string& transfer_id) = 0;
  // Writes every mutable field of `p` (state, pieces, recipient, times) by part_id.
  virtual status update_part(const part_record& p) = 0;
  virtual status add_timeline(const std::string& transfer_id, const timeline_entry& e) = 0;
  virtual result<std::vector<timeline_entry>> timeline(const std::string& transfer_id) = 0;

  // ---- operator views (reads only) ----
  virtual result<ledger_counts> count_ledger(time_point now) = 0;
  // The oldest first (by due_at, then obligation or flag id), at most `limit`.
  virtual result<std::vector<overdue_item>> oldest_overdue(time_point now, std::size_t limit) = 0;
  virtual result<agency_activity> activity_of(const std::string& agency) = 0;
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

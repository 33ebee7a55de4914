// The embedded SQLite implementation of mab::store::store.
//
// The SQL sticks to what PostgreSQL also accepts (positional parameters aside) so the later
// PostgreSQL store can reuse it: RETURNING instead of last_insert_rowid, TEXT states, partial
// indexes, no INSERT OR REPLACE.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <string_view>
#include <utility>

#include "daemon/store/sqlite_audit.h"
#include "daemon/store/sqlite_db.h"
#include "daemon/store/sqlite_ledger.h"
#include "daemon/store/sqlite_schema.h"
#include "daemon/store/sqlite_subjects.h"
#include "daemon/store/sqlite_transfers.h"
#include "daemon/store/store.h"

namespace mab::store {

namespace {

using sqlite::statement;

// Agency ids never contain a newline, so newline-joined is an unambiguous encoding as long as
// no id is empty (which would make [""] and [] collide); append_message refuses both.
std::string encode_recipients(const std::vector<std::string>& recipients) {
  std::string out;
  for (const auto& r : recipients) {
    if (!out.empty()) out += '\n';
    out += r;
  }
  return out;
}

std::vector<std::string> decode_recipients(std::string_view encoded) {
  std::vector<std::string> out;
  while (!encoded.empty()) {
    const auto nl = encoded.find('\n');
    out.emplace_back(encoded.substr(0, nl));
    if (nl == std::string_view::npos) break;
    encoded.remove_prefix(nl + 1);
  }
  return out;
}

std::int64_t as_i64(std::uint64_t v) {
  // Ids past int64 were never issued: clamped, they simply match no row.
  constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(std::min(v, max));
}
std::int64_t as_i64_limit(std::size_t limit) { return as_i64(static_cast<std::uint64_t>(limit)); }
std::uint64_t as_u64(std::int64_t v) { return v < 0 ? 0 : static_cast<std::uint64_t>(v); }
std::uint32_t as_u32(std::int64_t v) {
  constexpr std::int64_t max = std::numeric_limits<std::uint32_t>::max();
  return static_cast<std::uint32_t>(std::clamp<std::int64_t>(v, 0, max));
}

result<delivery_state> parse_state(std::string_view s, const char* op) {
  if (s == "pending") return delivery_state::pending;
  if (s == "acked") return delivery_state::acked;
  if (s == "dead") return delivery_state::dead;
  return make_error(std::string(op) + ": unknown delivery state '" + std::string(s) + "'",
                    store_error::corrupt);
}

// Column order shared by every query that returns delivery_record rows (see read_delivery).
constexpr const char* k_delivery_select =
    "SELECT d.delivery_id, d.seq, m.message_id, m.sender, d.recipient, m.envelope, d.state, "
    "d.attempts, d.refusals, d.last_refusal_reason, d.next_attempt_at_ms, d.acked_at_ms "
    "FROM deliveries d JOIN messages m ON m.seq = d.seq ";

result<delivery_record> read_delivery(const statement& st, const char* op) {
  delivery_record d;
  d.delivery_id = as_u64(st.int64(0));
  d.seq = as_u64(st.int64(1));
  d.message_id = st.text(2);
  d.sender = st.text(3);
  d.recipient = st.text(4);
  d.envelope = st.blob(5);
  auto state = parse_state(st.text(6), op);
  if (!state) return state.err();
  d.state = *state;
  d.attempts = as_u32(st.int64(7));
  d.refusals = as_u32(st.int64(8));
  d.last_refusal_reason = st.text(9);
  d.next_attempt_at = from_unix_ms(st.int64(10));
  if (!st.is_null(11)) d.acked_at = from_unix_ms(st.int64(11));
  return d;
}

result<std::vector<delivery_record>> read_deliveries(statement& st, const char* op) {
  std::vector<delivery_record> out;
  for (;;) {
    auto row = st.step();
    if (!row) return row.err();
    if (!*row) return out;
    auto d = read_delivery(st, op);
    if (!d) return d.err();
    out.push_back(std::move(*d));
  }
}

// What record_ack and record_refusal need to know about one (message, recipient) delivery.
struct delivery_ref {
  std::uint64_t delivery_id = 0;
  delivery_state state = delivery_state::pending;
  std::uint32_t refusals = 0;
  std::string sender;
};

class sqlite_store final : public store {
 public:
  explicit sqlite_store(sqlite::connection db) : db_(std::move(db)) {}
  ~sqlite_store() override { rollback(); }

  sqlite_store(const sqlite_store&) = delete;
  sqlite_store& operator=(const sqlite_store&) = delete;

  status begin() override {
    if (in_tx_) return make_error("begin: a transaction is already open");
    // IMMEDIATE takes the write lock now, so busy surfaces here rather than mid-burst.
    auto st = db_.prepare("BEGIN IMMEDIATE", "begin");
    if (!st) return st.err();
    if (auto s = st->run(); !s) return s;
    in_tx_ = true;
    return ok_status();
  }

  status commit() override {
    if (!in_tx_) return make_error("commit: no transaction is open");
    in_tx_ = false;
    if (!db_.in_transaction()) {
      return make_error("commit: SQLite already rolled the transaction back after an earlier "
                        "error; nothing since begin() was stored");
    }
    status s = run_simple("COMMIT", "commit");
    // A failed COMMIT can leave the transaction open; end it so the store stays usable and the
    // caller knows exactly where it stands: nothing since begin() was stored.
    if (!s && db_.in_transaction()) (void)run_simple("ROLLBACK", "commit: rollback");
    return s;
  }

  void rollback() override {
    if (!in_tx_) return;
    in_tx_ = false;
    if (db_.in_transaction()) (void)run_simple("ROLLBACK", "rollback");
  }

  result<std::optional<message_record>> find_message(const std::string& message_id) override {
    constexpr const char* op = "find_message";
    auto st = db_.prepare(
        "SELECT seq, message_id, sender, body_kind, envelope, notification_sha256, "
        "received_at_ms, recipients FROM messages WHERE message_id = ?",
        op);
    if (!st) return st.err();
    st->bind_text(message_id);
    auto row = st->step();
    if (!row) return row.err();
    if (!*row) return std::optional<message_record>();
    message_record m;
    m.seq = as_u64(st->int64(0));
    m.message_id = st->text(1);
    m.sender = st->text(2);
    m.body_kind = st->text(3);
    m.envelope = st->blob(4);
    m.notification_sha256 = st->blob(5);
    m.received_at = from_unix_ms(st->int64(6));
    m.recipients = decode_recipients(st->text(7));
    return std::optional<message_record>(std::move(m));
  }

  result<std::uint64_t> append_message(const new_message& m) override {
    constexpr const char* op = "append_message";
    for (const auto& r : m.recipients) {
      if (r.empty() || r.find('\n') != std::string::npos) {
        return make_error(std::string(op) + ": recipient id is empty or contains a newline");
      }
    }
    return write<std::uint64_t>(op, [&]() -> result<std::uint64_t> {
      std::int64_t seq = 0;
      {
        auto st = db_.prepare(
            "INSERT INTO messages (message_id, sender, body_kind, envelope, notification_sha256, "
            "received_at_ms, recipients) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq",
            op);
        if (!st) return st.err();
        st->bind_text(m.message_id)
            .bind_text(m.sender)
            .bind_text(m.body_kind)
            .bind_blob(m.envelope)
            .bind_blob(m.notification_sha256)
            .bind(to_unix_ms(m.received_at))
            .bind_text(encode_recipients(m.recipients));
        auto row = st->step();
        if (!row) return row.err();
        if (!*row) return make_error(std::string(op) + ": insert returned no seq");
        seq = st->int64(0);
        if (auto s = st->run(); !s) return s.err();
      }
      for (const auto& r : m.recipients) {
        auto st = db_.prepare(
            "INSERT INTO deliveries (seq, recipient, state, next_attempt_at_ms) "
            "VALUES (?, ?, 'pending', ?)",
            op);
        if (!st) return st.err();
        st->bind(seq).bind_text(r).bind(to_unix_ms(m.received_at));
        if (auto s = st->run(); !s) return s.err();
      }
      return as_u64(seq);
    });
  }

  result<std::vector<delivery_record>> due_deliveries(const std::string& recipient, time_point now,
                                                      std::size_t limit) override {
    constexpr const char* op = "due_deliveries";
    static const std::string sql = std::string(k_delivery_select) +
                                   "WHERE d.recipient = ? AND d.state = 'pending' "
                                   "AND d.next_attempt_at_ms <= ? ORDER BY d.seq LIMIT ?";
    auto st = db_.prepare(sql.c_str(), op);
    if (!st) return st.err();
    st->bind_text(recipient).bind(to_unix_ms(now)).bind(as_i64_limit(limit));
    return read_deliveries(*st, op);
  }

  status mark_attempted(std::uint64_t delivery_id, time_point next_attempt_at) override {
    constexpr const char* op = "mark_attempted";
    auto done = write<ok_t>(op, [&]() -> status {
      auto st = db_.prepare(
          "UPDATE deliveries SET attempts = attempts + 1, next_attempt_at_ms = ? "
          "WHERE delivery_id = ? AND state = 'pending'",
          op);
      if (!st) return st.err();
      st->bind(to_unix_ms(next_attempt_at)).bind(as_i64(delivery_id));
      if (auto s = st->run(); !s) return s;
      if (db_.changes() == 0) {
        return make_error(std::string(op) + ": no pending delivery " + std::to_string(delivery_id));
      }
      return ok_status();
    });
    return done;
  }

  status reschedule_pending(const std::string& recipient, time_point now) override {
    constexpr const char* op = "reschedule_pending";
    return write<ok_t>(op, [&]() -> status {
      auto st = db_.prepare(
          "UPDATE deliveries SET next_attempt_at_ms = ? "
          "WHERE recipient = ? AND state = 'pending' AND next_attempt_at_ms > ?",
          op);
      if (!st) return st.err();
      st->bind(to_unix_ms(now)).bind_text(recipient).bind(to_unix_ms(now));
      return st->run();
    });
  }

  result<std::uint64_t> pending_count(const std::string& recipient) override {
    constexpr const char* op = "pending_count";
    auto st = db_.prepare(
        "SELECT COUNT(*) FROM deliveries WHERE recipient = ? AND state = 'pending'", op);
    if (!st) return st.err();
    st->bind_text(recipient);
    auto row = st->step();
    if (!row) return row.err();
    if (!*row) return make_error(std::string(op) + ": count returned no row");
    return as_u64(st->int64(0));
  }

  result<ack_outcome> record_ack(const std::string& message_id, const std::string& recipient,
                                 time_point at, const std::string& sealed_ack) override {
    constexpr const char* op = "record_ack";
    return write<ack_outcome>(op, [&]() -> result<ack_outcome> {
      auto ref = find_delivery(message_id, recipient, op);
      if (!ref) return ref.err();
      ack_outcome out;
      if (!*ref) return out;  // not_found
      out.delivery_id = (*ref)->delivery_id;
      out.sender = (*ref)->sender;
      switch ((*ref)->state) {
        case delivery_state::acked:
          out.result = ack_outcome::already_acked;
          return out;
        case delivery_state::dead:
          out.result = ack_outcome::dead;
          return out;
        case delivery_state::pending:
          break;
      }
      auto st = db_.prepare(
          "UPDATE deliveries SET state = 'acked', acked_at_ms = ?, ack = ? "
          "WHERE delivery_id = ? AND state = 'pending'",
          op);
      if (!st) return st.err();
      st->bind(to_unix_ms(at)).bind_blob(sealed_ack).bind(as_i64(out.delivery_id));
      if (auto s = st->run(); !s) return s.err();
      out.result = ack_outcome::recorded;
      return out;
    });
  }

  result<refusal_outcome> record_refusal(const std::string& message_id,
                                         const std::string& recipient, const std::string& reason,
                                         time_point at, std::uint32_t max_refusals,
                                         time_point retry_at) override {
    constexpr const char* op = "record_refusal";
    return write<refusal_outcome>(op, [&]() -> result<refusal_outcome> {
      auto ref = find_delivery(message_id, recipient, op);
      if (!ref) return ref.err();
      refusal_outcome out;
      if (!*ref) return out;  // not_found
      out.delivery_id = (*ref)->delivery_id;
      out.sender = (*ref)->sender;
      out.refusals = (*ref)->refusals;
      switch ((*ref)->state) {
        case delivery_state::acked:
          out.result = refusal_outcome::already_acked;
          return out;
        case delivery_state::dead:
          out.result = refusal_outcome::already_dead;
          return out;
        case delivery_state::pending:
          break;
      }
      if (out.refusals < std::numeric_limits<std::uint32_t>::max()) ++out.refusals;
      const bool dead = out.refusals >= max_refusals;
      // A dead letter keeps its old next_attempt_at: only replay_dead_letter makes it due again.
      auto st = db_.prepare(
          "UPDATE deliveries SET refusals = ?, last_refusal_reason = ?, last_refusal_at_ms = ?, "
          "state = ?, next_attempt_at_ms = CASE WHEN ? = 1 THEN next_attempt_at_ms ELSE ? END "
          "WHERE delivery_id = ? AND state = 'pending'",
          op);
      if (!st) return st.err();
      st->bind(out.refusals)
          .bind_text(reason)
          .bind(to_unix_ms(at))
          .bind_text(dead ? "dead" : "pending")
          .bind(dead ? 1 : 0)
          .bind(to_unix_ms(retry_at))
          .bind(as_i64(out.delivery_id));
      if (auto s = st->run(); !s) return s.err();
      out.result = dead ? refusal_outcome::dead_lettered : refusal_outcome::retry;
      return out;
    });
  }

  result<std::vector<delivery_record>> dead_letters(std::size_t limit) override {
    constexpr const char* op = "dead_letters";
    static const std::string sql =
        std::string(k_delivery_select) +
        "WHERE d.state = 'dead' ORDER BY d.seq, d.delivery_id LIMIT ?";
    auto st = db_.prepare(sql.c_str(), op);
    if (!st) return st.err();
    st->bind(as_i64_limit(limit));
    return read_deliveries(*st, op);
  }

  result<bool> replay_dead_letter(std::uint64_t delivery_id, time_point now) override {
    constexpr const char* op = "replay_dead_letter";
    return write<bool>(op, [&]() -> result<bool> {
      auto st = db_.prepare(
          "UPDATE deliveries SET state = 'pending', refusals = 0, next_attempt_at_ms = ? "
          "WHERE delivery_id = ? AND state = 'dead'",
          op);
      if (!st) return st.err();
      st->bind(to_unix_ms(now)).bind(as_i64(delivery_id));
      if (auto s = st->run(); !s) return s.err();
      return db_.changes() > 0;
    });
  }

  result<std::uint64_t> append_notice(const std::string& agency, const std::string& payload,
                                      time_point at) override {
    constexpr const char* op = "append_notice";
    return write<std::uint64_t>(op, [&]() -> result<std::uint64_t> {
      auto st = db_.prepare(
          "INSERT INTO notices (agency, payload, created_at_ms, next_attempt_at_ms, state) "
          "VALUES (?, ?, ?, ?, 'pending') RETURNING notice_id",
          op);
      if (!st) return st.err();
      st->bind_text(agency).bind_blob(payload).bind(to_unix_ms(at)).bind(to_unix_ms(at));
      auto row = st->step();
      if (!row) return row.err();
      if (!*row) return make_error(std::string(op) + ": insert returned no notice_id");
      const auto id = as_u64(st->int64(0));
      if (auto s = st->run(); !s) return s.err();
      return id;
    });
  }

  result<std::vector<notice_record>> due_notices(const std::string& agency, time_point now,
                                                 std::size_t limit) override {
    constexpr const char* op = "due_notices";
    // Oldest by notice_id rather than created_at: ids are monotonic even if the clock steps back.
    auto st = db_.prepare(
        "SELECT notice_id, agency, payload, created_at_ms, attempts, next_attempt_at_ms "
        "FROM notices WHERE agency = ? AND state = 'pending' AND next_attempt_at_ms <= ? "
        "ORDER BY notice_id LIMIT ?",
        op);
    if (!st) return st.err();
    st->bind_text(agency).bind(to_unix_ms(now)).bind(as_i64_limit(limit));
    std::vector<notice_record> out;
    for (;;) {
      auto row = st->step();
      if (!row) return row.err();
      if (!*row) return out;
      notice_record n;
      n.notice_id = as_u64(st->int64(0));
      n.agency = st->text(1);
      n.payload = st->blob(2);
      n.created_at = from_unix_ms(st->int64(3));
      n.attempts = as_u32(st->int64(4));
      n.next_attempt_at = from_unix_ms(st->int64(5));
      out.push_back(std::move(n));
    }
  }

  status mark_notice_attempted(std::uint64_t notice_id, time_point next_attempt_at) override {
    constexpr const char* op = "mark_notice_attempted";
    return write<ok_t>(op, [&]() -> status {
      auto st = db_.prepare(
          "UPDATE notices SET attempts = attempts + 1, next_attempt_at_ms = ? "
          "WHERE notice_id = ? AND state = 'pending'",
          op);
      if (!st) return st.err();
      st->bind(to_unix_ms(next_attempt_at)).bind(as_i64(notice_id));
      if (auto s = st->run(); !s) return s;
      if (db_.changes() == 0) {
        return make_error(std::string(op) + ": no pending notice " + std::to_string(notice_id));
      }
      return ok_status();
    });
  }

  result<bool> confirm_notice(const std::string& agency, std::uint64_t notice_id) override {
    constexpr const char* op = "confirm_notice";
    // Deleted rather than marked done: confirmed notices are of no further use and the table
    // stays the size of the backlog. The agency check stops one agency confirming another's.
    return write<bool>(op, [&]() -> result<bool> {
      auto st = db_.prepare(
          "DELETE FROM notices WHERE notice_id = ? AND agency = ? AND state = 'pending'", op);
      if (!st) return st.err();
      st->bind(as_i64(notice_id)).bind_text(agency);
      if (auto s = st->run(); !s) return s.err();
      return db_.changes() > 0;
    });
  }

 private:
  status run_simple(const char* sql, const char* op) {
    auto st = db_.prepare(sql, op);
    if (!st) return st.err();
    return st->run();
  }

  status append_audit(const audit_record& entry) override {
    return write<ok_t>("append_audit", [&]() { return sqlite::insert_audit(db_, entry); });
  }
  result<std::optional<audit_record>> audit_head() override {
    return sqlite::select_audit_head(db_);
  }
  result<std::vector<audit_record>> audit_entries(std::uint64_t after_pos, std::size_t limit,
                                                  std::uint64_t& last_pos) override {
    return sqlite::select_audit(db_, after_pos, limit, last_pos);
  }
  status append_checkpoint(const checkpoint_record& cp) override {
    return write<ok_t>("append_checkpoint", [&]() { return sqlite::insert_checkpoint(db_, cp); });
  }
  result<std::vector<checkpoint_record>> checkpoints() override {
    return sqlite::select_checkpoints(db_);
  }

  // The ledger: obligations and flags (SQL in sqlite_ledger.cc).
  result<std::optional<std::uint64_t>> add_obligation(const obligation_record& o) override {
    return write<std::optional<std::uint64_t>>(
        "add_obligation", [&]() { return sqlite::insert_obligation(db_, o); });
  }
  result<std::optional<obligation_record>> find_obligation(const std::string& kind,
                                                           const std::string& ref) override {
    return sqlite::select_obligation(db_, kind, ref);
  }
  result<std::vector<obligation_record>> overdue_obligations(time_point now,
                                                             std::size_t limit) override {
    return sqlite::select_overdue_obligations(db_, now, limit);
  }
  result<std::vector<obligation_record>> warnable_obligations(time_point now,
                                                              std::size_t limit) override {
    return sqlite::select_warnable_obligations(db_, now, limit);
  }
  status mark_warned(std::uint64_t obligation_id) override {
    return write<ok_t>("mark_warned",
                       [&]() { return sqlite::update_obligation_warned(db_, obligation_id); });
  }
  result<bool> close_obligation(std::uint64_t obligation_id, obligation_state to,
                                time_point at) override {
    return write<bool>("close_obligation", [&]() {
      return sqlite::update_obligation_closed(db_, obligation_id, to, at);
    });
  }
  result<std::vector<obligation_record>> list_obligations(std::optional<obligation_state> state,
                                                          std::size_t limit) override {
    return sqlite::select_obligations(db_, state, limit);
  }
  result<std::optional<std::uint64_t>> raise_flag(const flag_record& f) override {
    return write<std::optional<std::uint64_t>>("raise_flag",
                                               [&]() { return sqlite::insert_flag(db_, f); });
  }
  result<std::optional<flag_record>> find_flag(std::uint64_t flag_id) override {
    return sqlite::select_flag(db_, flag_id);
  }
  result<std::optional<flag_record>> find_flag_by_key(const std::string& dedupe_key) override {
    return sqlite::select_flag_by_key(db_, dedupe_key);
  }
  result<std::vector<flag_record>> flags_for_obligation(std::uint64_t obligation_id) override {
    return sqlite::select_obligation_flags(db_, obligation_id);
  }
  result<std::vector<flag_record>> flags_to_send(time_point now, std::size_t limit) override {
    return sqlite::select_flags_to_send(db_, now, limit);
  }
  status mark_flag_sent(std::uint64_t flag_id, time_point next) override {
    return write<ok_t>("mark_flag_sent",
                       [&]() { return sqlite::update_flag_sent(db_, flag_id, next); });
  }
  result<bool> clear_flag(std::uint64_t flag_id, time_point at) override {
    return write<bool>("clear_flag",
                       [&]() { return sqlite::update_flag_cleared(db_, flag_id, at); });
  }
  result<bool> ack_flag(std::uint64_t flag_id, const std::string& by, const std::string& note,
                        time_point at) override {
    return write<bool>("ack_flag",
                       [&]() { return sqlite::update_flag_acked(db_, flag_id, by, note, at); });
  }
  result<std::vector<flag_record>> list_flags(std::optional<flag_state> state,
                                              std::size_t limit) override {
    return sqlite::select_flags(db_, state, limit);
  }

  // Subjects (SQL in sqlite_subjects.cc).
  result<std::optional<std::uint64_t>> subject_for_key(const std::string& key) override {
    return sqlite::select_subject_for_key(db_, key);
  }
  result<std::uint64_t> new_subject(time_point at) override {
    return write<std::uint64_t>("new_subject", [&]() { return sqlite::insert_subject(db_, at); });
  }
  status map_key(const std::string& key, std::uint64_t subject) override {
    return write<ok_t>("map_key", [&]() { return sqlite::upsert_subject_key(db_, key, subject); });
  }
  status merge_subjects(std::uint64_t into, std::uint64_t from) override {
    return write<ok_t>("merge_subjects",
                       [&]() { return sqlite::merge_subject_rows(db_, into, from); });
  }
  result<std::optional<std::string>> subject_area(std::uint64_t subject) override {
    return sqlite::select_subject_area(db_, subject);
  }
  status set_subject_area(std::uint64_t subject, const std::string& area,
                          time_point at) override {
    return write<ok_t>("set_subject_area",
                       [&]() { return sqlite::update_subject_area(db_, subject, area, at); });
  }
  status add_contact(std::uint64_t subject, const std::string& agency, time_point at) override {
    return write<ok_t>("add_contact",
                       [&]() { return sqlite::upsert_contact(db_, subject, agency, at); });
  }
  result<std::vector<contact_record>> contacts(std::uint64_t subject, time_point since) override {
    return sqlite::select_contacts(db_, subject, since);
  }
  status add_fact(std::uint64_t subject, const fact_record& f) override {
    return write<ok_t>("add_fact", [&]() { return sqlite::insert_fact(db_, subject, f); });
  }
  result<std::vector<fact_record>> facts(std::uint64_t subject) override {
    return sqlite::select_facts(db_, subject);
  }

  // Transfers (SQL in sqlite_transfers.cc).
  result<bool> add_transfer(const transfer_record& t) override {
    return write<bool>("add_transfer", [&]() { return sqlite::insert_transfer(db_, t); });
  }
  result<std::optional<transfer_record>> find_transfer(const std::string& transfer_id) override {
    return sqlite::select_transfer(db_, transfer_id);
  }
  result<std::vector<transfer_record>> transfers_of(std::uint64_t subject) override {
    return sqlite::select_subject_transfers(db_, subject);
  }
  result<std::vector<transfer_record>> list_transfers(std::optional<transfer_state> state,
                                                      std::size_t limit) override {
    return sqlite::select_transfers(db_, state, limit);
  }
  result<bool> complete_transfer(const std::string& transfer_id, time_point at) override {
    return write<bool>("complete_transfer",
                       [&]() { return sqlite::update_transfer_complete(db_, transfer_id, at); });
  }
  result<std::optional<std::uint64_t>> add_part(const part_record& p) override {
    return write<std::optional<std::uint64_t>>("add_part",
                                               [&]() { return sqlite::insert_part(db_, p); });
  }
  result<std::vector<part_record>> parts(const std::string& transfer_id) override {
    return sqlite::select_parts(db_, transfer_id);
  }
  status update_part(const part_record& p) override {
    return write<ok_t>("update_part", [&]() { return sqlite::update_part_row(db_, p); });
  }
  status add_timeline(const std::string& transfer_id, const timeline_entry& e) override {
    return write<ok_t>("add_timeline",
                       [&]() { return sqlite::insert_timeline(db_, transfer_id, e); });
  }
  result<std::vector<timeline_entry>> timeline(const std::string& transfer_id) override {
    return sqlite::select_timeline(db_, transfer_id);
  }

  // Runs `body` atomically. Inside the caller's transaction it is a savepoint, so a call that
  // fails halfway (say, the second recipient's insert) leaves the transaction as it was and the
  // rest of the burst can still commit. Outside one it is a transaction of its own.
  template <class T, class F>
  result<T> write(const char* op, F&& body) {
    if (in_tx_) {
      if (!db_.in_transaction()) {
        // SQLite rolled back after an I/O, full or busy error. Writing on would autocommit
        // piecemeal what the caller means to commit as one.
        return make_error(std::string(op) + ": the open transaction was rolled back by an "
                          "earlier error; call rollback()");
      }
      if (auto s = run_simple("SAVEPOINT mab_call", op); !s) return s.err();
      result<T> r = body();
      if (!r) {
        // Best effort: after some errors SQLite has already dropped the whole transaction, and
        // commit() reports that.
        if (db_.in_transaction()) {
          (void)run_simple("ROLLBACK TO mab_call", op);
          (void)run_simple("RELEASE mab_call", op);
        }
        return r;
      }
      if (auto s = run_simple("RELEASE mab_call", op); !s) return s.err();
      return r;
    }
    if (auto s = run_simple("BEGIN IMMEDIATE", op); !s) return s.err();
    result<T> r = body();
    if (r) {
      if (auto s = run_simple("COMMIT", op); !s) {
        if (db_.in_transaction()) (void)run_simple("ROLLBACK", op);
        return s.err();
      }
      return r;
    }
    if (db_.in_transaction()) (void)run_simple("ROLLBACK", op);
    return r;
  }

  result<std::optional<delivery_ref>> find_delivery(const std::string& message_id,
                                                    const std::string& recipient, const char* op) {
    auto st = db_.prepare(
        "SELECT d.delivery_id, d.state, d.refusals, m.sender "
        "FROM deliveries d JOIN messages m ON m.seq = d.seq "
        "WHERE m.message_id = ? AND d.recipient = ?",
        op);
    if (!st) return st.err();
    st->bind_text(message_id).bind_text(recipient);
    auto row = st->step();
    if (!row) return row.err();
    if (!*row) return std::optional<delivery_ref>();
    delivery_ref ref;
    ref.delivery_id = as_u64(st->int64(0));
    auto state = parse_state(st->text(1), op);
    if (!state) return state.err();
    ref.state = *state;
    ref.refusals = as_u32(st->int64(2));
    ref.sender = st->text(3);
    return std::optional<delivery_ref>(std::move(ref));
  }

  sqlite::connection db_;
  bool in_tx_ = false;  // between a successful begin() and commit()/rollback()
};

}  // namespace

result<std::unique_ptr<store>> open_sqlite(const sqlite_options& options) {
  if (options.path.empty()) return make_error("open_sqlite: no database path configured");
  auto db = sqlite::connection::open(options.path);
  if (!db) return db.err();
  if (auto s = sqlite::prepare_database(*db, options); !s) {
    error e = s.err();
    e.message += " [" + options.path + "]";
    return e;
  }
  return std::unique_ptr<store>(std::make_unique<sqlite_store>(std::move(*db)));
}

}  // namespace mab::store

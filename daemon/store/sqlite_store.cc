// The embedded SQLite implementation of mab::store::store.
//
// The SQL sticks to what PostgreSQL also accepts (positional parameters aside) so the later
// PostgreSQL store can reuse it: RETURNING instead of last_insert_rowid, TEXT states, partial
// indexes, no INSERT OR REPLACE.
#include "daemon/store/sqlite_store_impl.h"

#include <cstdint>
#include <limits>
#include <memory>
#include <string_view>
#include <utility>

#include "daemon/store/sqlite_db.h"
#include "daemon/store/sqlite_rows.h"
#include "daemon/store/sqlite_schema.h"
#include "daemon/store/store.h"

namespace mab::store::sqlite {

namespace {

using rows::to_i64;
using rows::to_u32;
using rows::to_u64;

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
  d.delivery_id = to_u64(st.int64(0));
  d.seq = to_u64(st.int64(1));
  d.message_id = st.text(2);
  d.sender = st.text(3);
  d.recipient = st.text(4);
  d.envelope = st.blob(5);
  auto state = parse_state(st.text(6), op);
  if (!state) return state.err();
  d.state = *state;
  d.attempts = to_u32(st.int64(7));
  d.refusals = to_u32(st.int64(8));
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

}  // namespace

sqlite_store::sqlite_store(connection db) : db_(std::move(db)) {}
sqlite_store::~sqlite_store() { rollback(); }

status sqlite_store::begin() {
  if (in_tx_) return make_error("begin: a transaction is already open");
  // IMMEDIATE takes the write lock now, so busy surfaces here rather than mid-burst.
  auto st = db_.prepare("BEGIN IMMEDIATE", "begin");
  if (!st) return st.err();
  if (auto s = st->run(); !s) return s;
  in_tx_ = true;
  return ok_status();
}

status sqlite_store::commit() {
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

void sqlite_store::rollback() {
  if (!in_tx_) return;
  in_tx_ = false;
  if (db_.in_transaction()) (void)run_simple("ROLLBACK", "rollback");
}

result<std::optional<message_record>> sqlite_store::find_message(const std::string& message_id) {
  constexpr const char* op = "find_message";
  static const std::string select =
      std::string("SELECT ") + rows::message_columns + " FROM messages m WHERE message_id = ?";
  auto st = db_.prepare(select.c_str(), op);
  if (!st) return st.err();
  st->bind_text(message_id);
  auto row = st->step();
  if (!row) return row.err();
  if (!*row) return std::optional<message_record>();
  return std::optional<message_record>(rows::read_message(*st));
}

result<std::uint64_t> sqlite_store::append_message(const new_message& m) {
  constexpr const char* op = "append_message";
  // The recipients column is rows::join_lines, unambiguous only for non-empty, newline-free ids.
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
          .bind_text(rows::join_lines(m.recipients));
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
    return to_u64(seq);
  });
}

result<std::vector<delivery_record>> sqlite_store::due_deliveries(const std::string& recipient,
                                                                  time_point now,
                                                                  std::size_t limit) {
  constexpr const char* op = "due_deliveries";
  static const std::string sql = std::string(k_delivery_select) +
                                 "WHERE d.recipient = ? AND d.state = 'pending' "
                                 "AND d.next_attempt_at_ms <= ? ORDER BY d.seq LIMIT ?";
  auto st = db_.prepare(sql.c_str(), op);
  if (!st) return st.err();
  st->bind_text(recipient).bind(to_unix_ms(now)).bind(rows::limit_i64(limit));
  return read_deliveries(*st, op);
}

status sqlite_store::mark_attempted(std::uint64_t delivery_id, time_point next_attempt_at) {
  constexpr const char* op = "mark_attempted";
  auto done = write<ok_t>(op, [&]() -> status {
    auto st = db_.prepare(
        "UPDATE deliveries SET attempts = attempts + 1, next_attempt_at_ms = ? "
        "WHERE delivery_id = ? AND state = 'pending'",
        op);
    if (!st) return st.err();
    st->bind(to_unix_ms(next_attempt_at)).bind(to_i64(delivery_id));
    if (auto s = st->run(); !s) return s;
    if (db_.changes() == 0) {
      return make_error(std::string(op) + ": no pending delivery " + std::to_string(delivery_id));
    }
    return ok_status();
  });
  return done;
}

status sqlite_store::reschedule_pending(const std::string& recipient, time_point now) {
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

result<std::uint64_t> sqlite_store::pending_count(const std::string& recipient) {
  constexpr const char* op = "pending_count";
  auto st = db_.prepare(
      "SELECT COUNT(*) FROM deliveries WHERE recipient = ? AND state = 'pending'", op);
  if (!st) return st.err();
  st->bind_text(recipient);
  auto row = st->step();
  if (!row) return row.err();
  if (!*row) return make_error(std::string(op) + ": count returned no row");
  return to_u64(st->int64(0));
}

result<ack_outcome> sqlite_store::record_ack(const std::string& message_id,
                                             const std::string& recipient, time_point at,
                                             const std::string& sealed_ack) {
  constexpr const char* op = "record_ack";
  return write<ack_outcome>(op, [&]() -> result<ack_outcome> {
    auto ref = find_delivery(message_id, recipient, op);
    if (!ref) return ref.err();
    ack_outcome out;
    if (!*ref) return out;  // not_found
    out.delivery_id = (*ref)->delivery_id;
    out.sender = (*ref)->sender;
    out.received_at = (*ref)->received_at;
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
    st->bind(to_unix_ms(at)).bind_blob(sealed_ack).bind(to_i64(out.delivery_id));
    if (auto s = st->run(); !s) return s.err();
    out.result = ack_outcome::recorded;
    return out;
  });
}

result<refusal_outcome> sqlite_store::record_refusal(const std::string& message_id,
                                                     const std::string& recipient,
                                                     const std::string& reason, time_point at,
                                                     std::uint32_t max_refusals,
                                                     time_point retry_at) {
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
        .bind(to_i64(out.delivery_id));
    if (auto s = st->run(); !s) return s.err();
    out.result = dead ? refusal_outcome::dead_lettered : refusal_outcome::retry;
    return out;
  });
}

result<std::vector<delivery_record>> sqlite_store::dead_letters(std::size_t limit) {
  constexpr const char* op = "dead_letters";
  static const std::string sql =
      std::string(k_delivery_select) +
      "WHERE d.state = 'dead' ORDER BY d.seq, d.delivery_id LIMIT ?";
  auto st = db_.prepare(sql.c_str(), op);
  if (!st) return st.err();
  st->bind(rows::limit_i64(limit));
  return read_deliveries(*st, op);
}

result<bool> sqlite_store::replay_dead_letter(std::uint64_t delivery_id, time_point now) {
  constexpr const char* op = "replay_dead_letter";
  return write<bool>(op, [&]() -> result<bool> {
    auto st = db_.prepare(
        "UPDATE deliveries SET state = 'pending', refusals = 0, next_attempt_at_ms = ? "
        "WHERE delivery_id = ? AND state = 'dead'",
        op);
    if (!st) return st.err();
    st->bind(to_unix_ms(now)).bind(to_i64(delivery_id));
    if (auto s = st->run(); !s) return s.err();
    return db_.changes() > 0;
  });
}

result<std::uint64_t> sqlite_store::append_notice(const std::string& agency,
                                                  const std::string& payload, time_point at) {
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
    const auto id = to_u64(st->int64(0));
    if (auto s = st->run(); !s) return s.err();
    return id;
  });
}

result<std::vector<notice_record>> sqlite_store::due_notices(const std::string& agency,
                                                             time_point now, std::size_t limit) {
  constexpr const char* op = "due_notices";
  // Oldest by notice_id rather than created_at: ids are monotonic even if the clock steps back.
  auto st = db_.prepare(
      "SELECT notice_id, agency, payload, created_at_ms, attempts, next_attempt_at_ms "
      "FROM notices WHERE agency = ? AND state = 'pending' AND next_attempt_at_ms <= ? "
      "ORDER BY notice_id LIMIT ?",
      op);
  if (!st) return st.err();
  st->bind_text(agency).bind(to_unix_ms(now)).bind(rows::limit_i64(limit));
  std::vector<notice_record> out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.err();
    if (!*row) return out;
    notice_record n;
    n.notice_id = to_u64(st->int64(0));
    n.agency = st->text(1);
    n.payload = st->blob(2);
    n.created_at = from_unix_ms(st->int64(3));
    n.attempts = to_u32(st->int64(4));
    n.next_attempt_at = from_unix_ms(st->int64(5));
    out.push_back(std::move(n));
  }
}

status sqlite_store::mark_notice_attempted(std::uint64_t notice_id, time_point next_attempt_at) {
  constexpr const char* op = "mark_notice_attempted";
  return write<ok_t>(op, [&]() -> status {
    auto st = db_.prepare(
        "UPDATE notices SET attempts = attempts + 1, next_attempt_at_ms = ? "
        "WHERE notice_id = ? AND state = 'pending'",
        op);
    if (!st) return st.err();
    st->bind(to_unix_ms(next_attempt_at)).bind(to_i64(notice_id));
    if (auto s = st->run(); !s) return s;
    if (db_.changes() == 0) {
      return make_error(std::string(op) + ": no pending notice " + std::to_string(notice_id));
    }
    return ok_status();
  });
}

result<bool> sqlite_store::confirm_notice(const std::string& agency, std::uint64_t notice_id) {
  constexpr const char* op = "confirm_notice";
  // Deleted rather than marked done: confirmed notices are of no further use and the table
  // stays the size of the backlog. The agency check stops one agency confirming another's.
  return write<bool>(op, [&]() -> result<bool> {
    auto st = db_.prepare(
        "DELETE FROM notices WHERE notice_id = ? AND agency = ? AND state = 'pending'", op);
    if (!st) return st.err();
    st->bind(to_i64(notice_id)).bind_text(agency);
    if (auto s = st->run(); !s) return s.err();
    return db_.changes() > 0;
  });
}

status sqlite_store::run_simple(const char* sql, const char* op) {
  auto st = db_.prepare(sql, op);
  if (!st) return st.err();
  return st->run();
}

// Runs `body` atomically. Inside the caller's transaction it is a savepoint, so a call that
// fails halfway (say, the second recipient's insert) leaves the transaction as it was and the
// rest of the burst can still commit. Outside one it is a transaction of its own.
status sqlite_store::write_open(const char* op) {
  if (in_tx_) {
    if (!db_.in_transaction()) {
      // SQLite rolled back after an I/O, full or busy error. Writing on would autocommit
      // piecemeal what the caller means to commit as one.
      return make_error(std::string(op) + ": the open transaction was rolled back by an "
                        "earlier error; call rollback()");
    }
    return run_simple("SAVEPOINT mab_call", op);
  }
  return run_simple("BEGIN IMMEDIATE", op);
}

status sqlite_store::write_close(const char* op, bool body_ok) {
  if (in_tx_) {
    if (!body_ok) {
      // Best effort: after some errors SQLite has already dropped the whole transaction, and
      // commit() reports that.
      if (db_.in_transaction()) {
        (void)run_simple("ROLLBACK TO mab_call", op);
        (void)run_simple("RELEASE mab_call", op);
      }
      return ok_status();
    }
    return run_simple("RELEASE mab_call", op);
  }
  if (body_ok) {
    if (auto s = run_simple("COMMIT", op); !s) {
      if (db_.in_transaction()) (void)run_simple("ROLLBACK", op);
      return s;
    }
    return ok_status();
  }
  if (db_.in_transaction()) (void)run_simple("ROLLBACK", op);
  return ok_status();
}

result<std::optional<delivery_ref>> sqlite_store::find_delivery(const std::string& message_id,
                                                                const std::string& recipient,
                                                                const char* op) {
  auto st = db_.prepare(
      "SELECT d.delivery_id, d.state, d.refusals, m.sender, m.received_at_ms "
      "FROM deliveries d JOIN messages m ON m.seq = d.seq "
      "WHERE m.message_id = ? AND d.recipient = ?",
      op);
  if (!st) return st.err();
  st->bind_text(message_id).bind_text(recipient);
  auto row = st->step();
  if (!row) return row.err();
  if (!*row) return std::optional<delivery_ref>();
  delivery_ref ref;
  ref.delivery_id = to_u64(st->int64(0));
  auto state = parse_state(st->text(1), op);
  if (!state) return state.err();
  ref.state = *state;
  ref.refusals = to_u32(st->int64(2));
  ref.sender = st->text(3);
  ref.received_at = from_unix_ms(st->int64(4));
  return std::optional<delivery_ref>(std::move(ref));
}

}  // namespace mab::store::sqlite

namespace mab::store {

result<std::unique_ptr<store>> open_sqlite(const sqlite_options& options) {
  if (options.path.empty()) return make_error("open_sqlite: no database path configured");
  auto db = sqlite::connection::open(options.path);
  if (!db) return db.err();
  if (auto s = sqlite::prepare_database(*db, options); !s) {
    error e = s.err();
    e.message += " [" + options.path + "]";
    return e;
  }
  return std::unique_ptr<store>(std::make_unique<sqlite::sqlite_store>(std::move(*db)));
}

}  // namespace mab::store

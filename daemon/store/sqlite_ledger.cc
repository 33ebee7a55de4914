#include "daemon/store/sqlite_ledger.h"

#include "daemon/store/sqlite_rows.h"

namespace mab::store::sqlite {
namespace {

using rows::bind_time;
using rows::join_lines;
using rows::limit_i64;
using rows::opt_time;
using rows::read_all;
using rows::read_first;
using rows::returned_id;
using rows::run_update;
using rows::split_lines;
using rows::to_i64;
using rows::to_u32;
using rows::to_u64;

// Column orders shared by every query returning records (see read_obligation, read_flag).
constexpr const char* k_obligation_select =
    "SELECT obligation_id, kind, ref, subject_key, owed_by, owed_to, data, opened_at_ms, "
    "due_at_ms, warn_at_ms, warned, state, closed_at_ms FROM obligations ";
constexpr const char* k_flag_select =
    "SELECT flag_id, flag_type, dedupe_key, subject_key, obligation_id, owed_by, recipients, "
    "detail, raised_at_ms, due_at_ms, state, cleared_at_ms, next_send_at_ms, sends, acked_by, "
    "ack_note, acked_at_ms FROM flags ";

const char* state_text(obligation_state s) {
  switch (s) {
    case obligation_state::open:
      return "open";
    case obligation_state::fulfilled:
      return "fulfilled";
    case obligation_state::overdue:
      return "overdue";
  }
  return "open";
}
const char* state_text(flag_state s) { return s == flag_state::cleared ? "cleared" : "raised"; }

error unknown_state(const char* what, const std::string& s) {
  return make_error(std::string("unknown ") + what + " state '" + s + "'", store_error::corrupt);
}
result<obligation_state> parse_obligation_state(const std::string& s) {
  if (s == "open") return obligation_state::open;
  if (s == "fulfilled") return obligation_state::fulfilled;
  if (s == "overdue") return obligation_state::overdue;
  return unknown_state("obligation", s);
}
result<flag_state> parse_flag_state(const std::string& s) {
  if (s == "raised") return flag_state::raised;
  if (s == "cleared") return flag_state::cleared;
  return unknown_state("flag", s);
}

result<obligation_record> read_obligation(const statement& st) {
  obligation_record o;
  o.obligation_id = to_u64(st.int64(0));
  o.kind = st.text(1);
  o.ref = st.text(2);
  o.subject_key = st.text(3);
  o.owed_by = st.text(4);
  o.owed_to = st.text(5);
  o.data = st.text(6);
  o.opened_at = from_unix_ms(st.int64(7));
  o.due_at = from_unix_ms(st.int64(8));
  o.warn_at = opt_time(st, 9);
  o.warned = st.int64(10) != 0;
  auto state = parse_obligation_state(st.text(11));
  if (!state) return state.err();
  o.state = *state;
  o.closed_at = opt_time(st, 12);
  return o;
}

result<flag_record> read_flag(const statement& st) {
  flag_record f;
  f.flag_id = to_u64(st.int64(0));
  f.flag_type = st.text(1);
  f.dedupe_key = st.text(2);
  f.subject_key = st.text(3);
  if (!st.is_null(4)) f.obligation_id = to_u64(st.int64(4));
  f.owed_by = st.text(5);
  f.recipients = split_lines(st.text(6));
  f.detail = st.text(7);
  f.raised_at = from_unix_ms(st.int64(8));
  f.due_at = opt_time(st, 9);
  auto state = parse_flag_state(st.text(10));
  if (!state) return state.err();
  f.state = *state;
  f.cleared_at = opt_time(st, 11);
  f.next_send_at = from_unix_ms(st.int64(12));
  f.sends = to_u32(st.int64(13));
  f.acked_by = st.text(14);
  f.ack_note = st.text(15);
  f.acked_at = opt_time(st, 16);
  return f;
}

// Obligations selected by `sql`, whose two parameters are now and limit.
result<std::vector<obligation_record>> select_due(connection& db, const std::string& sql,
                                                  const char* op, time_point now,
                                                  std::size_t limit) {
  auto st = db.prepare(sql.c_str(), op);
  if (!st) return st.err();
  st->bind(to_unix_ms(now)).bind(limit_i64(limit));
  return read_all(*st, read_obligation);
}

}  // namespace

result<std::optional<std::uint64_t>> insert_obligation(connection& db, const obligation_record& o) {
  auto st = db.prepare(
      "INSERT INTO obligations (kind, ref, subject_key, owed_by, owed_to, data, opened_at_ms, "
      "due_at_ms, warn_at_ms, warned, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open') "
      "ON CONFLICT (kind, ref) DO NOTHING RETURNING obligation_id",
      "add_obligation");
  if (!st) return st.err();
  st->bind_text(o.kind).bind_text(o.ref).bind_text(o.subject_key).bind_text(o.owed_by);
  st->bind_text(o.owed_to).bind_text(o.data).bind(to_unix_ms(o.opened_at));
  st->bind(to_unix_ms(o.due_at));
  bind_time(*st, o.warn_at);
  st->bind(o.warned ? 1 : 0);
  return returned_id(*st);
}

result<std::optional<obligation_record>> select_obligation(connection& db, const std::string& kind,
                                                           const std::string& ref) {
  static const std::string sql = std::string(k_obligation_select) + "WHERE kind = ? AND ref = ?";
  auto st = db.prepare(sql.c_str(), "find_obligation");
  if (!st) return st.err();
  st->bind_text(kind).bind_text(ref);
  return read_first(*st, read_obligation);
}

result<std::vector<obligation_record>> select_overdue_obligations(connection& db, time_point now,
                                                                  std::size_t limit) {
  static const std::string sql =
      std::string(k_obligation_select) +
      "WHERE state = 'open' AND due_at_ms <= ? ORDER BY due_at_ms, obligation_id LIMIT ?";
  return select_due(db, sql, "overdue_obligations", now, limit);
}

result<std::vector<obligation_record>> select_warnable_obligations(connection& db, time_point now,
                                                                   std::size_t limit) {
  static const std::string sql = std::string(k_obligation_select) +
                                 "WHERE state = 'open' AND warned = 0 AND warn_at_ms <= ? "
                                 "ORDER BY warn_at_ms, obligation_id LIMIT ?";
  return select_due(db, sql, "warnable_obligations", now, limit);
}

status update_obligation_warned(connection& db, std::uint64_t obligation_id) {
  constexpr const char* op = "mark_warned";
  auto st = db.prepare("UPDATE obligations SET warned = 1 WHERE obligation_id = ?", op);
  if (!st) return st.err();
  st->bind(to_i64(obligation_id));
  return rows::require_row(run_update(db, *st), op, "obligation " + std::to_string(obligation_id));
}

result<bool> update_obligation_closed(connection& db, std::uint64_t obligation_id,
                                      obligation_state to, time_point at) {
  constexpr const char* op = "close_obligation";
  if (to == obligation_state::open) {
    return make_error(std::string(op) + ": an obligation closes as fulfilled or overdue");
  }
  // A late answer still fulfils: an overdue obligation can become fulfilled (its flags clear),
  // but nothing reopens and a fulfilled one never turns overdue.
  auto st = db.prepare(
      to == obligation_state::fulfilled
          ? "UPDATE obligations SET state = ?, closed_at_ms = ? "
            "WHERE obligation_id = ? AND state IN ('open', 'overdue')"
          : "UPDATE obligations SET state = ?, closed_at_ms = ? "
            "WHERE obligation_id = ? AND state = 'open'",
      op);
  if (!st) return st.err();
  st->bind_text(state_text(to)).bind(to_unix_ms(at)).bind(to_i64(obligation_id));
  return run_update(db, *st);
}

result<std::vector<obligation_record>> select_obligations(connection& db,
                                                          std::optional<obligation_state> state,
                                                          page p) {
  constexpr const char* op = "list_obligations";
  static const std::string all =
      std::string(k_obligation_select) + "ORDER BY obligation_id DESC LIMIT ? OFFSET ?";
  static const std::string in_state =
      std::string(k_obligation_select) +
      "WHERE state = ? ORDER BY obligation_id DESC LIMIT ? OFFSET ?";
  auto st = db.prepare(state ? in_state.c_str() : all.c_str(), op);
  if (!st) return st.err();
  if (state) st->bind_text(state_text(*state));
  st->bind(limit_i64(p.limit)).bind(limit_i64(p.offset));
  return read_all(*st, read_obligation);
}

result<std::optional<std::uint64_t>> insert_flag(connection& db, const flag_record& f) {
  constexpr const char* op = "raise_flag";
  for (const auto& r : f.recipients) {
    if (r.empty() || r.find('\n') != std::string::npos) {
      return make_error(std::string(op) + ": recipient id is empty or contains a newline");
    }
  }
  auto st = db.prepare(
      "INSERT INTO flags (flag_type, dedupe_key, subject_key, obligation_id, owed_by, "
      "recipients, detail, raised_at_ms, due_at_ms, state, next_send_at_ms, sends, acked_by, "
      "ack_note, acked_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'raised', ?, ?, ?, ?, ?) "
      "ON CONFLICT (dedupe_key) DO NOTHING RETURNING flag_id",
      op);
  if (!st) return st.err();
  st->bind_text(f.flag_type).bind_text(f.dedupe_key).bind_text(f.subject_key);
  if (f.obligation_id) {
    st->bind(to_i64(*f.obligation_id));
  } else {
    st->bind_null();
  }
  st->bind_text(f.owed_by).bind_text(join_lines(f.recipients)).bind_text(f.detail);
  st->bind(to_unix_ms(f.raised_at));
  bind_time(*st, f.due_at);
  st->bind(to_unix_ms(f.next_send_at)).bind(f.sends).bind_text(f.acked_by).bind_text(f.ack_note);
  bind_time(*st, f.acked_at);
  return returned_id(*st);
}

result<std::optional<flag_record>> select_flag(connection& db, std::uint64_t flag_id) {
  static const std::string sql = std::string(k_flag_select) + "WHERE flag_id = ?";
  auto st = db.prepare(sql.c_str(), "find_flag");
  if (!st) return st.err();
  st->bind(to_i64(flag_id));
  return read_first(*st, read_flag);
}

result<std::optional<flag_record>> select_flag_by_key(connection& db,
                                                      const std::string& dedupe_key) {
  static const std::string sql = std::string(k_flag_select) + "WHERE dedupe_key = ?";
  auto st = db.prepare(sql.c_str(), "find_flag_by_key");
  if (!st) return st.err();
  st->bind_text(dedupe_key);
  return read_first(*st, read_flag);
}

result<std::vector<flag_record>> select_obligation_flags(connection& db,
                                                         std::uint64_t obligation_id) {
  static const std::string sql = std::string(k_flag_select) +
                                 "WHERE obligation_id = ? AND state = 'raised' ORDER BY flag_id";
  auto st = db.prepare(sql.c_str(), "flags_for_obligation");
  if (!st) return st.err();
  st->bind(to_i64(obligation_id));
  return read_all(*st, read_flag);
}

result<std::vector<flag_record>> select_flags_to_send(connection& db, time_point now,
                                                      std::size_t limit) {
  static const std::string sql =
      std::string(k_flag_select) +
      "WHERE state = 'raised' AND next_send_at_ms <= ? ORDER BY flag_id LIMIT ?";
  auto st = db.prepare(sql.c_str(), "flags_to_send");
  if (!st) return st.err();
  st->bind(to_unix_ms(now)).bind(limit_i64(limit));
  return read_all(*st, read_flag);
}

status update_flag_sent(connection& db, std::uint64_t flag_id, time_point next) {
  constexpr const char* op = "mark_flag_sent";
  auto st = db.prepare(
      "UPDATE flags SET sends = sends + 1, next_send_at_ms = ? WHERE flag_id = ?", op);
  if (!st) return st.err();
  st->bind(to_unix_ms(next)).bind(to_i64(flag_id));
  return rows::require_row(run_update(db, *st), op, "flag " + std::to_string(flag_id));
}

result<bool> update_flag_cleared(connection& db, std::uint64_t flag_id, time_point at) {
  auto st = db.prepare(
      "UPDATE flags SET state = 'cleared', cleared_at_ms = ? "
      "WHERE flag_id = ? AND state = 'raised'",
      "clear_flag");
  if (!st) return st.err();
  st->bind(to_unix_ms(at)).bind(to_i64(flag_id));
  return run_update(db, *st);
}

result<bool> update_flag_acked(connection& db, std::uint64_t flag_id, const std::string& by,
                               const std::string& note, time_point at) {
  auto st = db.prepare(
      "UPDATE flags SET acked_by = ?, ack_note = ?, acked_at_ms = ? WHERE flag_id = ?",
      "ack_flag");
  if (!st) return st.err();
  st->bind_text(by).bind_text(note).bind(to_unix_ms(at)).bind(to_i64(flag_id));
  return run_update(db, *st);
}

result<std::vector<flag_record>> select_flags(connection& db, const flag_filter& f, page p) {
  // One cached statement per combination of filters (four at most).
  std::string sql = k_flag_select;
  std::string where;
  if (f.state) where += "state = ?";
  if (!f.flag_type.empty()) where += std::string(where.empty() ? "" : " AND ") + "flag_type = ?";
  if (!where.empty()) sql += "WHERE " + where + " ";
  sql += "ORDER BY flag_id DESC LIMIT ? OFFSET ?";
  auto st = db.prepare(sql.c_str(), "list_flags");
  if (!st) return st.err();
  if (f.state) st->bind_text(state_text(*f.state));
  if (!f.flag_type.empty()) st->bind_text(f.flag_type);
  st->bind(limit_i64(p.limit)).bind(limit_i64(p.offset));
  return read_all(*st, read_flag);
}

result<std::vector<flag_record>> select_transfer_flags(connection& db,
                                                       const std::string& transfer_id) {
  // A range on the unique dedupe_key index rather than LIKE, whose '_' and '%' a transfer id may
  // contain. Under byte-wise (BINARY) collation the keys starting "transfer/<id>/" are exactly
  // those in ["transfer/<id>/", "transfer/<id>0"), '0' being the byte after '/'.
  static const std::string sql =
      std::string(k_flag_select) + "WHERE dedupe_key >= ? AND dedupe_key < ? ORDER BY flag_id";
  auto st = db.prepare(sql.c_str(), "transfer_flags");
  if (!st) return st.err();
  const std::string prefix = "transfer/" + transfer_id;
  st->bind_text(prefix + "/").bind_text(prefix + "0");
  return read_all(*st, read_flag);
}

}  // namespace mab::store::sqlite

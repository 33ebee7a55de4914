#include "daemon/store/sqlite_transfers.h"

#include <utility>

#include "daemon/store/sqlite_rows.h"

namespace mab::store::sqlite {
namespace {

using rows::bind_time;
using rows::opt_time;
using rows::to_i64;
using rows::to_u32;
using rows::to_u64;

// Column orders shared by every query returning records (see read_transfer, read_part).
constexpr const char* k_transfer_select =
    "SELECT transfer_id, subject_id, subject_key, from_area, to_area, opened_by, reason, "
    "opened_at_ms, state, completed_at_ms FROM transfers ";
constexpr const char* k_part_select =
    "SELECT part_id, transfer_id, owed_by, kind, why, state, pieces_total, pieces_sent, "
    "pieces_acked, recipient, due_at_ms, sent_at_ms, acked_at_ms FROM transfer_parts ";

const char* state_text(transfer_state s) {
  return s == transfer_state::complete ? "complete" : "open";
}

result<transfer_state> parse_transfer_state(const std::string& s) {
  if (s == "open") return transfer_state::open;
  if (s == "complete") return transfer_state::complete;
  return make_error("unknown transfer state '" + s + "'", store_error::corrupt);
}

result<transfer_record> read_transfer(const statement& st) {
  transfer_record t;
  t.transfer_id = st.text(0);
  t.subject = to_u64(st.int64(1));
  t.subject_key = st.text(2);
  t.from_area = st.text(3);
  t.to_area = st.text(4);
  t.opened_by = st.text(5);
  t.reason = st.text(6);
  t.opened_at = from_unix_ms(st.int64(7));
  auto state = parse_transfer_state(st.text(8));
  if (!state) return state.err();
  t.state = *state;
  t.completed_at = opt_time(st, 9);
  return t;
}

result<part_record> read_part(const statement& st) {
  part_record p;
  p.part_id = to_u64(st.int64(0));
  p.transfer_id = st.text(1);
  p.owed_by = st.text(2);
  p.kind = st.text(3);
  p.why = st.text(4);
  p.state = st.text(5);
  p.pieces_total = to_u32(st.int64(6));
  p.pieces_sent = to_u32(st.int64(7));
  p.pieces_acked = to_u32(st.int64(8));
  p.recipient = st.text(9);
  p.due_at = from_unix_ms(st.int64(10));
  p.sent_at = opt_time(st, 11);
  p.acked_at = opt_time(st, 12);
  return p;
}

result<timeline_entry> read_timeline(const statement& st) {
  timeline_entry e;
  e.at = from_unix_ms(st.int64(0));
  e.what = st.text(1);
  return e;
}

}  // namespace

result<bool> insert_transfer(connection& db, const transfer_record& t) {
  auto st = db.prepare(
      "INSERT INTO transfers (transfer_id, subject_id, subject_key, from_area, to_area, "
      "opened_by, reason, opened_at_ms, state, completed_at_ms) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (transfer_id) DO NOTHING",
      "add_transfer");
  if (!st) return st.err();
  st->bind_text(t.transfer_id).bind(to_i64(t.subject)).bind_text(t.subject_key);
  st->bind_text(t.from_area).bind_text(t.to_area).bind_text(t.opened_by).bind_text(t.reason);
  st->bind(to_unix_ms(t.opened_at)).bind_text(state_text(t.state));
  bind_time(*st, t.completed_at);
  return rows::run_update(db, *st);
}

result<std::optional<transfer_record>> select_transfer(connection& db,
                                                       const std::string& transfer_id) {
  static const std::string sql = std::string(k_transfer_select) + "WHERE transfer_id = ?";
  auto st = db.prepare(sql.c_str(), "find_transfer");
  if (!st) return st.err();
  st->bind_text(transfer_id);
  return rows::read_first(*st, read_transfer);
}

result<std::vector<transfer_record>> select_subject_transfers(connection& db,
                                                              std::uint64_t subject) {
  static const std::string sql =
      std::string(k_transfer_select) +
      "WHERE subject_id = ? ORDER BY opened_at_ms DESC, transfer_id DESC";
  auto st = db.prepare(sql.c_str(), "transfers_of");
  if (!st) return st.err();
  st->bind(to_i64(subject));
  return rows::read_all(*st, read_transfer);
}

result<std::vector<transfer_record>> select_transfers(connection& db, const transfer_filter& f,
                                                      page p) {
  // One cached statement per combination of filters (sixteen at most). The flag test matches a
  // transfer's flags by their dedupe key prefix "transfer/<id>/" (see select_transfer_flags).
  std::vector<std::string> where;
  if (f.state) where.emplace_back("t.state = ?");
  if (!f.flag_type.empty()) {
    where.emplace_back(
        "EXISTS (SELECT 1 FROM flags g WHERE g.state = 'raised' AND g.flag_type = ? "
        "AND g.dedupe_key >= 'transfer/' || t.transfer_id || '/' "
        "AND g.dedupe_key < 'transfer/' || t.transfer_id || '0')");
  }
  if (!f.area.empty()) where.emplace_back("(t.from_area = ? OR t.to_area = ?)");
  if (!f.agency.empty()) {
    where.emplace_back(
        "(EXISTS (SELECT 1 FROM transfer_parts p WHERE p.transfer_id = t.transfer_id "
        "AND (p.owed_by = ? OR p.recipient = ?)) OR t.to_area = ?)");
  }
  std::string sql =
      "SELECT t.transfer_id, t.subject_id, t.subject_key, t.from_area, t.to_area, t.opened_by, "
      "t.reason, t.opened_at_ms, t.state, t.completed_at_ms FROM transfers t ";
  for (std::size_t i = 0; i < where.size(); ++i) sql += (i == 0 ? "WHERE " : " AND ") + where[i];
  sql += " ORDER BY t.opened_at_ms DESC, t.transfer_id DESC LIMIT ? OFFSET ?";
  auto st = db.prepare(sql.c_str(), "list_transfers");
  if (!st) return st.err();
  if (f.state) st->bind_text(state_text(*f.state));
  if (!f.flag_type.empty()) st->bind_text(f.flag_type);
  if (!f.area.empty()) st->bind_text(f.area).bind_text(f.area);
  if (!f.agency.empty()) {
    // An agency with no receiving area matches no to_area: area codes are never empty.
    st->bind_text(f.agency).bind_text(f.agency).bind_text(f.agency_area);
  }
  st->bind(rows::limit_i64(p.limit)).bind(rows::limit_i64(p.offset));
  return rows::read_all(*st, read_transfer);
}

result<bool> update_transfer_complete(connection& db, const std::string& transfer_id,
                                      time_point at) {
  auto st = db.prepare(
      "UPDATE transfers SET state = 'complete', completed_at_ms = ? "
      "WHERE transfer_id = ? AND state = 'open'",
      "complete_transfer");
  if (!st) return st.err();
  st->bind(to_unix_ms(at)).bind_text(transfer_id);
  return rows::run_update(db, *st);
}

result<std::optional<std::uint64_t>> insert_part(connection& db, const part_record& p) {
  auto st = db.prepare(
      "INSERT INTO transfer_parts (transfer_id, owed_by, kind, why, state, pieces_total, "
      "pieces_sent, pieces_acked, recipient, due_at_ms, sent_at_ms, acked_at_ms) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (transfer_id, owed_by, kind) DO NOTHING RETURNING part_id",
      "add_part");
  if (!st) return st.err();
  st->bind_text(p.transfer_id).bind_text(p.owed_by).bind_text(p.kind).bind_text(p.why);
  st->bind_text(p.state).bind(p.pieces_total).bind(p.pieces_sent).bind(p.pieces_acked);
  st->bind_text(p.recipient).bind(to_unix_ms(p.due_at));
  bind_time(*st, p.sent_at);
  bind_time(*st, p.acked_at);
  return rows::returned_id(*st);
}

result<std::vector<part_record>> select_parts(connection& db, const std::string& transfer_id) {
  static const std::string sql =
      std::string(k_part_select) + "WHERE transfer_id = ? ORDER BY part_id";
  auto st = db.prepare(sql.c_str(), "parts");
  if (!st) return st.err();
  st->bind_text(transfer_id);
  return rows::read_all(*st, read_part);
}

status update_part_row(connection& db, const part_record& p) {
  constexpr const char* op = "update_part";
  auto st = db.prepare(
      "UPDATE transfer_parts SET state = ?, pieces_total = ?, pieces_sent = ?, "
      "pieces_acked = ?, recipient = ?, due_at_ms = ?, sent_at_ms = ?, acked_at_ms = ? "
      "WHERE part_id = ?",
      op);
  if (!st) return st.err();
  st->bind_text(p.state).bind(p.pieces_total).bind(p.pieces_sent).bind(p.pieces_acked);
  st->bind_text(p.recipient).bind(to_unix_ms(p.due_at));
  bind_time(*st, p.sent_at);
  bind_time(*st, p.acked_at);
  st->bind(to_i64(p.part_id));
  return rows::require_row(rows::run_update(db, *st), op, "part " + std::to_string(p.part_id));
}

status insert_timeline(connection& db, const std::string& transfer_id, const timeline_entry& e) {
  auto st = db.prepare(
      "INSERT INTO transfer_timeline (transfer_id, at_ms, what) VALUES (?, ?, ?)",
      "add_timeline");
  if (!st) return st.err();
  st->bind_text(transfer_id).bind(to_unix_ms(e.at)).bind_text(e.what);
  return st->run();
}

result<std::vector<timeline_entry>> select_timeline(connection& db,
                                                    const std::string& transfer_id) {
  auto st = db.prepare(
      "SELECT at_ms, what FROM transfer_timeline WHERE transfer_id = ? ORDER BY pos",
      "timeline");
  if (!st) return st.err();
  st->bind_text(transfer_id);
  return rows::read_all(*st, read_timeline);
}

}  // namespace mab::store::sqlite

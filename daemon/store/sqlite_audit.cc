#include "daemon/store/sqlite_audit.h"

#include <utility>

#include "daemon/store/sqlite_rows.h"

namespace mab::store::sqlite {
namespace {

using rows::to_i64;
using rows::to_u64;

constexpr const char* entry_columns = "pos, seq, at_ms, kind, subject_key, data, prev_hash, hash";

audit_record read_entry(const statement& st) {
  audit_record e;
  e.seq = to_u64(st.int64(1));
  e.at_ms = st.int64(2);
  e.kind = st.text(3);
  e.subject_key = st.text(4);
  e.data = st.text(5);
  e.prev_hash = st.text(6);
  e.hash = st.text(7);
  return e;
}

}  // namespace

status insert_audit(connection& db, const audit_record& e) {
  auto st = db.prepare(
      "INSERT INTO audit_log (seq, at_ms, kind, subject_key, data, prev_hash, hash) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)",
      "append_audit");
  if (!st) return st.err();
  st->bind(to_i64(e.seq)).bind(e.at_ms).bind_text(e.kind).bind_text(e.subject_key);
  st->bind_text(e.data).bind_text(e.prev_hash).bind_text(e.hash);
  return st->run();
}

result<std::optional<audit_record>> select_audit_head(connection& db) {
  static const std::string sql =
      std::string("SELECT ") + entry_columns + " FROM audit_log ORDER BY pos DESC LIMIT 1";
  auto st = db.prepare(sql.c_str(), "audit_head");
  if (!st) return st.err();
  auto row = st->step();
  if (!row) return row.err();
  if (!*row) return std::optional<audit_record>();
  return std::optional<audit_record>(read_entry(*st));
}

result<std::vector<audit_record>> select_audit(connection& db, std::uint64_t after_pos,
                                               std::size_t limit, std::uint64_t& last_pos) {
  static const std::string sql = std::string("SELECT ") + entry_columns +
                                 " FROM audit_log WHERE pos > ? ORDER BY pos LIMIT ?";
  auto st = db.prepare(sql.c_str(), "audit_entries");
  if (!st) return st.err();
  st->bind(to_i64(after_pos)).bind(to_i64(limit));
  std::vector<audit_record> out;
  last_pos = after_pos;
  for (;;) {
    auto row = st->step();
    if (!row) return row.err();
    if (!*row) break;
    last_pos = to_u64(st->int64(0));
    out.push_back(read_entry(*st));
  }
  return out;
}

result<std::vector<audit_record>> select_audit_after(connection& db, std::uint64_t after_seq,
                                                     std::size_t limit) {
  static const std::string sql = std::string("SELECT ") + entry_columns +
                                 " FROM audit_log WHERE seq > ? ORDER BY seq, pos LIMIT ?";
  auto st = db.prepare(sql.c_str(), "audit_after");
  if (!st) return st.err();
  st->bind(to_i64(after_seq)).bind(rows::limit_i64(limit));
  std::vector<audit_record> out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.err();
    if (!*row) return out;
    out.push_back(read_entry(*st));
  }
}

status insert_checkpoint(connection& db, const checkpoint_record& cp) {
  auto st = db.prepare(
      "INSERT INTO audit_checkpoints (seq, at_ms, head_hash, key_id, signature) "
      "VALUES (?, ?, ?, ?, ?)",
      "append_checkpoint");
  if (!st) return st.err();
  st->bind(to_i64(cp.seq)).bind(cp.at_ms).bind_text(cp.head_hash).bind_text(cp.key_id);
  st->bind_blob(cp.signature);
  return st->run();
}

result<std::vector<checkpoint_record>> select_checkpoints(connection& db) {
  auto st = db.prepare(
      "SELECT seq, at_ms, head_hash, key_id, signature FROM audit_checkpoints ORDER BY pos",
      "checkpoints");
  if (!st) return st.err();
  std::vector<checkpoint_record> out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.err();
    if (!*row) break;
    checkpoint_record cp;
    cp.seq = to_u64(st->int64(0));
    cp.at_ms = st->int64(1);
    cp.head_hash = st->text(2);
    cp.key_id = st->text(3);
    cp.signature = st->blob(4);
    out.push_back(std::move(cp));
  }
  return out;
}

}  // namespace mab::store::sqlite

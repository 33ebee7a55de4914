#include "daemon/store/sqlite_views.h"

#include <utility>

#include "daemon/store/sqlite_rows.h"

namespace mab::store::sqlite {
namespace {

using rows::limit_i64;
using rows::to_i64;
using rows::to_u64;

// The single number a COUNT-style statement returns.
result<std::uint64_t> count(statement& st, const char* op) {
  auto row = st.step();
  if (!row) return row.err();
  if (!*row) return make_error(std::string(op) + ": count returned no row");
  return to_u64(st.int64(0));
}

result<std::uint64_t> count_sql(connection& db, const char* sql, const char* op) {
  auto st = db.prepare(sql, op);
  if (!st) return st.err();
  return count(*st, op);
}

// (name, count) rows into a map.
result<std::map<std::string, std::uint64_t>> grouped(connection& db, const char* sql,
                                                     const char* op) {
  auto st = db.prepare(sql, op);
  if (!st) return st.err();
  std::map<std::string, std::uint64_t> out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.err();
    if (!*row) return out;
    out[st->text(0)] += to_u64(st->int64(1));
  }
}

result<overdue_item> read_overdue(const statement& st) {
  overdue_item i;
  if (!st.is_null(0)) i.obligation_id = to_u64(st.int64(0));
  if (!st.is_null(1)) i.flag_id = to_u64(st.int64(1));
  i.flag_type = st.text(2);
  i.kind = st.text(3);
  i.subject_key = st.text(4);
  i.owed_by = st.text(5);
  i.due_at = from_unix_ms(st.int64(6));
  i.data = st.text(7);
  return i;
}

// The ack latency (ms) of rank `rank` (1-based) among `agency`'s acknowledged deliveries.
result<double> latency_at_rank(connection& db, const std::string& agency, std::uint64_t rank) {
  constexpr const char* op = "activity_of";
  auto st = db.prepare(
      "SELECT d.acked_at_ms - m.received_at_ms FROM deliveries d JOIN messages m ON m.seq = d.seq "
      "WHERE d.recipient = ? AND d.state = 'acked' AND d.acked_at_ms IS NOT NULL "
      "ORDER BY 1 LIMIT 1 OFFSET ?",
      op);
  if (!st) return st.err();
  st->bind_text(agency).bind(to_i64(rank - 1));
  auto row = st->step();
  if (!row) return row.err();
  if (!*row) {
    return make_error(std::string(op) + ": no acknowledgement of rank " + std::to_string(rank));
  }
  return static_cast<double>(st->int64(0)) / 1000.0;
}

// Nearest rank of the fraction num/den among n values: ceil(n * num / den), at least 1.
std::uint64_t nearest_rank(std::uint64_t n, std::uint64_t num, std::uint64_t den) {
  const std::uint64_t r = (n * num + den - 1) / den;
  return r == 0 ? 1 : r;
}

}  // namespace

result<ledger_counts> select_ledger_counts(connection& db, time_point now) {
  constexpr const char* op = "count_ledger";
  ledger_counts c;
  auto open = count_sql(db, "SELECT COUNT(*) FROM transfers WHERE state = 'open'", op);
  if (!open) return open.err();
  c.open_transfers = *open;
  auto overdue = count_sql(db, "SELECT COUNT(*) FROM obligations WHERE state = 'overdue'", op);
  if (!overdue) return overdue.err();
  c.overdue_obligations = *overdue;
  {
    auto st = db.prepare(
        "SELECT COUNT(*) FROM obligations WHERE state = 'open' AND warned = 1 AND due_at_ms > ?",
        op);
    if (!st) return st.err();
    st->bind(to_unix_ms(now));
    auto soon = count(*st, op);
    if (!soon) return soon.err();
    c.due_soon_obligations = *soon;
  }
  auto by_type = grouped(
      db, "SELECT flag_type, COUNT(*) FROM flags WHERE state = 'raised' GROUP BY flag_type", op);
  if (!by_type) return by_type.err();
  c.raised_flags_by_type = std::move(*by_type);
  auto by_area = grouped(db,
                         "SELECT COALESCE(s.area, ''), COUNT(*) FROM flags f "
                         "LEFT JOIN subject_keys k ON k.key = f.subject_key "
                         "LEFT JOIN subjects s ON s.subject_id = k.subject_id "
                         "WHERE f.state = 'raised' GROUP BY COALESCE(s.area, '')",
                         op);
  if (!by_area) return by_area.err();
  c.raised_flags_by_area = std::move(*by_area);
  return c;
}

result<std::vector<overdue_item>> select_oldest_overdue(connection& db, time_point now,
                                                        std::size_t limit) {
  // Overdue obligations with the oldest raised flag about them, then raised flags past their due
  // time that belong to no overdue obligation (so nothing is listed twice).
  auto st = db.prepare(
      "SELECT o.obligation_id, f.flag_id, COALESCE(f.flag_type, ''), o.kind, o.subject_key, "
      "o.owed_by, o.due_at_ms, o.data FROM obligations o "
      "LEFT JOIN flags f ON f.flag_id = (SELECT MIN(g.flag_id) FROM flags g "
      "WHERE g.obligation_id = o.obligation_id AND g.state = 'raised') "
      "WHERE o.state = 'overdue' "
      "UNION ALL "
      "SELECT f.obligation_id, f.flag_id, f.flag_type, COALESCE(o.kind, ''), f.subject_key, "
      "f.owed_by, f.due_at_ms, COALESCE(o.data, '') FROM flags f "
      "LEFT JOIN obligations o ON o.obligation_id = f.obligation_id "
      "WHERE f.state = 'raised' AND f.due_at_ms IS NOT NULL AND f.due_at_ms <= ? "
      "AND (o.obligation_id IS NULL OR o.state <> 'overdue') "
      "ORDER BY 7, 1, 2 LIMIT ?",
      "oldest_overdue");
  if (!st) return st.err();
  st->bind(to_unix_ms(now)).bind(limit_i64(limit));
  return rows::read_all(*st, read_overdue);
}

result<agency_activity> select_agency_activity(connection& db, const std::string& agency) {
  constexpr const char* op = "activity_of";
  agency_activity a;
  {
    auto st = db.prepare("SELECT COUNT(*) FROM messages WHERE sender = ?", op);
    if (!st) return st.err();
    st->bind_text(agency);
    auto sent = count(*st, op);
    if (!sent) return sent.err();
    a.sent = *sent;
  }
  {
    auto st = db.prepare(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN state = 'acked' THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN state = 'pending' THEN 1 ELSE 0 END), 0) "
        "FROM deliveries WHERE recipient = ?",
        op);
    if (!st) return st.err();
    st->bind_text(agency);
    auto row = st->step();
    if (!row) return row.err();
    if (!*row) return make_error(std::string(op) + ": count returned no row");
    a.received = to_u64(st->int64(0));
    a.acknowledged = to_u64(st->int64(1));
    a.pending = to_u64(st->int64(2));
  }
  {
    auto st = db.prepare(
        "SELECT (SELECT COUNT(*) FROM obligations WHERE owed_by = ? AND state = 'overdue') + "
        "(SELECT COUNT(*) FROM flags WHERE owed_by = ? AND state = 'raised' "
        "AND obligation_id IS NULL)",
        op);
    if (!st) return st.err();
    st->bind_text(agency).bind_text(agency);
    auto overdue = count(*st, op);
    if (!overdue) return overdue.err();
    a.overdue = *overdue;
  }
  if (a.acknowledged > 0) {
    auto median = latency_at_rank(db, agency, nearest_rank(a.acknowledged, 1, 2));
    if (!median) return median.err();
    auto p90 = latency_at_rank(db, agency, nearest_rank(a.acknowledged, 9, 10));
    if (!p90) return p90.err();
    a.ack_median_seconds = *median;
    a.ack_p90_seconds = *p90;
  }
  return a;
}

}  // namespace mab::store::sqlite

// Private to daemon/store: small helpers shared by the audit, ledger, subject and transfer SQL
// (binding optional times, reading rows into records, id conversions) and the queue's recipient
// lists.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/store/sqlite_db.h"
#include "daemon/store/store.h"

namespace mab::store::sqlite::rows {

inline std::int64_t to_i64(std::uint64_t v) {
  // Ids past int64 were never issued: clamped, they simply match no row.
  constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(std::min(v, max));
}
inline std::int64_t limit_i64(std::size_t limit) {
  return to_i64(static_cast<std::uint64_t>(limit));
}
inline std::uint64_t to_u64(std::int64_t v) { return v < 0 ? 0 : static_cast<std::uint64_t>(v); }
inline std::uint32_t to_u32(std::int64_t v) {
  constexpr std::int64_t max = std::numeric_limits<std::uint32_t>::max();
  return static_cast<std::uint32_t>(std::clamp<std::int64_t>(v, 0, max));
}

// Agency ids never contain a newline, so newline-joined is an unambiguous encoding of a list of
// them as long as no id is empty (which would make [""] and [] collide); writers refuse both.
inline std::string join_lines(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += '\n';
    out += item;
  }
  return out;
}
inline std::vector<std::string> split_lines(std::string_view joined) {
  std::vector<std::string> out;
  while (!joined.empty()) {
    const auto nl = joined.find('\n');
    out.emplace_back(joined.substr(0, nl));
    if (nl == std::string_view::npos) break;
    joined.remove_prefix(nl + 1);
  }
  return out;
}

inline void bind_time(statement& st, const std::optional<time_point>& t) {
  if (t) {
    st.bind(to_unix_ms(*t));
  } else {
    st.bind_null();
  }
}
inline std::optional<time_point> opt_time(const statement& st, int col) {
  if (st.is_null(col)) return std::nullopt;
  return from_unix_ms(st.int64(col));
}

// A message row, selected as `message_columns` (table alias `m`) in this order.
inline constexpr const char* message_columns =
    "m.seq, m.message_id, m.sender, m.body_kind, m.envelope, m.notification_sha256, "
    "m.received_at_ms, m.recipients";
inline message_record read_message(const statement& st) {
  message_record m;
  m.seq = to_u64(st.int64(0));
  m.message_id = st.text(1);
  m.sender = st.text(2);
  m.body_kind = st.text(3);
  m.envelope = st.blob(4);
  m.notification_sha256 = st.blob(5);
  m.received_at = from_unix_ms(st.int64(6));
  m.recipients = split_lines(st.text(7));
  return m;
}

template <class T>
result<std::vector<T>> read_all(statement& st, result<T> (*read)(const statement&)) {
  std::vector<T> out;
  for (;;) {
    auto row = st.step();
    if (!row) return row.err();
    if (!*row) return out;
    auto rec = read(st);
    if (!rec) return rec.err();
    out.push_back(std::move(*rec));
  }
}

template <class T>
result<std::optional<T>> read_first(statement& st, result<T> (*read)(const statement&)) {
  auto row = st.step();
  if (!row) return row.err();
  if (!*row) return std::optional<T>();
  auto rec = read(st);
  if (!rec) return rec.err();
  return std::optional<T>(std::move(*rec));
}

// The id from INSERT ... ON CONFLICT DO NOTHING RETURNING: no row means the key existed.
inline result<std::optional<std::uint64_t>> returned_id(statement& st) {
  auto row = st.step();
  if (!row) return row.err();
  if (!*row) return std::optional<std::uint64_t>();
  const auto id = to_u64(st.int64(0));
  if (auto s = st.run(); !s) return s.err();
  return std::optional<std::uint64_t>(id);
}

// Runs a bound write; true when it changed a row.
inline result<bool> run_update(connection& db, statement& st) {
  if (auto s = st.run(); !s) return s.err();
  return db.changes() > 0;
}

inline status require_row(result<bool> changed, const char* op, const std::string& what) {
  if (!changed) return changed.err();
  if (!*changed) return make_error(std::string(op) + ": no " + what);
  return ok_status();
}

}  // namespace mab::store::sqlite::rows

// Private to daemon/store: a thin RAII layer over the SQLite3 C API so the store itself reads as
// SQL plus error handling, with no manual finalize/reset/close to forget.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "daemon/common/result.h"

namespace mab::store::sqlite {

struct db_closer {
  // close_v2 defers the close if a statement is somehow still alive instead of failing.
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct stmt_finalizer {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using db_handle = std::unique_ptr<sqlite3, db_closer>;
using stmt_handle = std::unique_ptr<sqlite3_stmt, stmt_finalizer>;

// Maps an SQLite result code (primary or extended) to a store_error.
int store_code(int rc);
// "<op>: <sqlite3_errmsg> (sqlite error N)", with the mapped store_error code.
error db_error(sqlite3* db, int rc, const char* op);

// A cached statement lent out for one use. Parameters bind in order; the destructor resets the
// statement and clears its bindings, so an abandoned lease never keeps a read snapshot open or
// leaks a bound value into the next use.
class statement {
 public:
  statement(sqlite3_stmt* stmt, const char* op) noexcept : stmt_(stmt), op_(op) {}
  statement(statement&& other) noexcept;
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;
  statement& operator=(statement&&) = delete;
  ~statement();

  statement& bind(std::int64_t value);
  statement& bind_text(std::string_view value);
  statement& bind_blob(std::string_view value);
  statement& bind_null();

  // Steps once: true when a row is ready, false when the statement is done. A bind failure is
  // reported here, so call sites check one place.
  result<bool> step();
  // Steps to completion, ignoring any rows: for writes.
  status run();

  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string text(int col) const;
  std::string blob(int col) const;

 private:
  void note_bind(int rc);

  sqlite3_stmt* stmt_;
  const char* op_;
  int next_param_ = 1;
  int bind_rc_ = SQLITE_OK;
};

class connection {
 public:
  // Opens (creating if absent) the database file read-write with extended result codes on.
  static result<connection> open(const std::string& path);

  connection(connection&&) noexcept = default;
  connection& operator=(connection&&) = delete;

  // A cached prepared statement for `sql`, which must be one statement. `op` names the calling
  // operation in error messages and must outlive the lease (a string literal).
  result<statement> prepare(const char* sql, const char* op);
  // Runs one-off SQL (pragmas, schema scripts; may hold several statements) without caching.
  status exec(const char* sql, const char* op);

  // True while SQLite has a transaction open. SQLite itself may roll one back after an I/O,
  // disk-full or busy error, which the store must notice before writing on in autocommit mode.
  bool in_transaction() const { return sqlite3_get_autocommit(db_.get()) == 0; }
  std::int64_t changes() const { return sqlite3_changes64(db_.get()); }
  sqlite3* raw() const { return db_.get(); }

 private:
  explicit connection(db_handle db) : db_(std::move(db)) {}

  db_handle db_;
  // Declared after db_ so the statements are finalized before the connection closes.
  std::unordered_map<std::string, stmt_handle> cache_;
};

}  // namespace mab::store::sqlite

#include "daemon/store/sqlite_db.h"

#include <limits>
#include <utility>

#include "daemon/store/store.h"

namespace mab::store::sqlite {

namespace {

// SQLITE_TRANSIENT is a C-style cast in sqlite3.h; spelled here so -Wold-style-cast stays on.
// Transient makes SQLite copy the value, so a lease never points at a caller's dead temporary.
const sqlite3_destructor_type k_transient =
    reinterpret_cast<sqlite3_destructor_type>(static_cast<std::intptr_t>(-1));

}  // namespace

int store_code(int rc) {
  switch (rc & 0xff) {
    case SQLITE_FULL:
      return store_error::full;
    case SQLITE_IOERR:
      return store_error::io;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return store_error::corrupt;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return store_error::busy;
    default:
      return store_error::unspecified;
  }
}

error db_error(sqlite3* db, int rc, const char* op) {
  std::string message = op;
  message += ": ";
  // errmsg describes the most recent failure on the handle, which may not be `rc` if something
  // ran in between (e.g. a reset); errstr(rc) is the fallback that is always about `rc`.
  const int last = db ? sqlite3_extended_errcode(db) : SQLITE_OK;
  message += (db && last == rc) ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  message += " (sqlite error " + std::to_string(rc) + ")";
  return make_error(std::move(message), store_code(rc));
}

statement::statement(statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      op_(other.op_),
      next_param_(other.next_param_),
      bind_rc_(other.bind_rc_) {}

statement::~statement() {
  if (stmt_ == nullptr) return;
  // reset() repeats the last step error, which the caller has already been given.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void statement::note_bind(int rc) {
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  ++next_param_;
}

statement& statement::bind(std::int64_t value) {
  note_bind(sqlite3_bind_int64(stmt_, next_param_, value));
  return *this;
}

statement& statement::bind_text(std::string_view value) {
  note_bind(sqlite3_bind_text64(stmt_, next_param_, value.data(), value.size(), k_transient,
                                SQLITE_UTF8));
  return *this;
}

statement& statement::bind_blob(std::string_view value) {
  // A zero-length blob with a null pointer would bind NULL; the columns are NOT NULL.
  static constexpr char k_empty = 0;
  const char* data = value.empty() ? &k_empty : value.data();
  note_bind(sqlite3_bind_blob64(stmt_, next_param_, data, value.size(), k_transient));
  return *this;
}

statement& statement::bind_null() {
  note_bind(sqlite3_bind_null(stmt_, next_param_));
  return *this;
}

result<bool> statement::step() {
  if (bind_rc_ != SQLITE_OK) return db_error(sqlite3_db_handle(stmt_), bind_rc_, op_);
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_error(sqlite3_db_handle(stmt_), rc, op_);
}

status statement::run() {
  for (;;) {
    auto more = step();
    if (!more) return more.err();
    if (!*more) return ok_status();
  }
}

std::string statement::text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  const int n = sqlite3_column_bytes(stmt_, col);  // after the pointer, as SQLite requires
  if (p == nullptr || n <= 0) return {};
  return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
}

std::string statement::blob(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  const int n = sqlite3_column_bytes(stmt_, col);
  if (p == nullptr || n <= 0) return {};
  return std::string(static_cast<const char*>(p), static_cast<std::size_t>(n));
}

result<connection> connection::open(const std::string& path) {
  sqlite3* raw = nullptr;
  // NOMUTEX: one store object is used from one thread, so per-call locking buys nothing.
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  db_handle db(raw);  // owns the handle even when the open failed
  if (rc != SQLITE_OK) {
    error e = db_error(db.get(), rc, "open");
    e.message += " [" + path + "]";
    return e;
  }
  sqlite3_extended_result_codes(db.get(), 1);
  return connection(std::move(db));
}

result<statement> connection::prepare(const char* sql, const char* op) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db_.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    stmt_handle stmt(raw);
    if (rc != SQLITE_OK) return db_error(db_.get(), rc, op);
    if (!stmt) return make_error(std::string(op) + ": empty SQL statement");
    it = cache_.emplace(sql, std::move(stmt)).first;
  } else if (sqlite3_stmt_busy(it->second.get())) {
    // Two live leases of one statement would reset each other mid-iteration.
    return make_error(std::string(op) + ": statement already in use (nested use is a bug)");
  }
  return statement(it->second.get(), op);
}

status connection::exec(const char* sql, const char* op) {
  const int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return db_error(db_.get(), rc, op);
  return ok_status();
}

}  // namespace mab::store::sqlite

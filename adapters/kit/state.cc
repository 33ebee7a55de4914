// state: the adapter's own SQLite file (WAL, synchronous=FULL). Small on purpose: sent source
// keys, per-entity JSON, processed drop-folder files.
#include <sqlite3.h>

#include <string>

#include "adapters/kit/kit.h"

namespace mab::kit {

struct state::impl {
  sqlite3* db = nullptr;
  std::string path;
  bool in_tx = false;
  ~impl() {
    if (db != nullptr) sqlite3_close(db);
  }

  error fail(const std::string& what) const {
    return make_error(path + ": " + what + ": " + sqlite3_errmsg(db));
  }

  status exec(const char* sql) {
    char* msg = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
      std::string m = msg != nullptr ? msg : "unknown error";
      sqlite3_free(msg);
      return make_error(path + ": " + m);
    }
    return ok_status();
  }

  // One statement with text parameters; `row` receives each result row's text columns.
  status run(const char* sql, std::initializer_list<std::string_view> params,
             const std::function<void(sqlite3_stmt*)>& row = {}) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) return fail("prepare");
    int i = 1;
    for (auto p : params) {
      sqlite3_bind_text(st, i++, p.data(), static_cast<int>(p.size()), SQLITE_TRANSIENT);
    }
    int rc = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      if (row) row(st);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return fail("step");
    return ok_status();
  }
};

namespace {
std::string column(sqlite3_stmt* st, int i) {
  const auto* text = sqlite3_column_text(st, i);
  return text == nullptr ? std::string()
                         : std::string(reinterpret_cast<const char*>(text),
                                       static_cast<std::size_t>(sqlite3_column_bytes(st, i)));
}
}  // namespace

state::state(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
state::~state() = default;

result<std::unique_ptr<state>> state::open(const std::string& path) {
  auto p = std::make_unique<impl>();
  p->path = path;
  if (sqlite3_open_v2(path.c_str(), &p->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                      nullptr) != SQLITE_OK) {
    return p->db != nullptr ? p->fail("cannot open") : make_error(path + ": cannot open");
  }
  sqlite3_busy_timeout(p->db, 5000);
  auto s = p->exec(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
      "CREATE TABLE IF NOT EXISTS sent (source_key TEXT PRIMARY KEY, message_id TEXT NOT NULL,"
      " status TEXT NOT NULL, at TEXT NOT NULL DEFAULT (datetime('now')));"
      "CREATE TABLE IF NOT EXISTS entity (key TEXT PRIMARY KEY, json TEXT NOT NULL);"
      "CREATE TABLE IF NOT EXISTS files (fingerprint TEXT PRIMARY KEY, outcome TEXT NOT NULL,"
      " at TEXT NOT NULL DEFAULT (datetime('now')));");
  if (!s) return s.err();
  return std::unique_ptr<state>(new state(std::move(p)));
}

result<std::optional<sent_record>> state::sent(const std::string& source_key) {
  std::optional<sent_record> found;
  auto s = impl_->run("SELECT message_id, status FROM sent WHERE source_key = ?", {source_key},
                      [&](sqlite3_stmt* st) { found = sent_record{column(st, 0), column(st, 1)}; });
  if (!s) return s.err();
  return found;
}

status state::record_sent(const std::string& source_key, const sent_record& r) {
  return impl_->run("INSERT OR REPLACE INTO sent (source_key, message_id, status) VALUES (?, ?, ?)",
                    {source_key, r.message_id, r.status});
}

result<std::optional<std::string>> state::entity(const std::string& key) {
  std::optional<std::string> found;
  auto s = impl_->run("SELECT json FROM entity WHERE key = ?", {key},
                      [&](sqlite3_stmt* st) { found = column(st, 0); });
  if (!s) return s.err();
  return found;
}

status state::put_entity(const std::string& key, const std::string& json) {
  return impl_->run("INSERT OR REPLACE INTO entity (key, json) VALUES (?, ?)", {key, json});
}

result<bool> state::file_done(const std::string& fingerprint) {
  bool found = false;
  auto s = impl_->run("SELECT 1 FROM files WHERE fingerprint = ?", {fingerprint},
                      [&](sqlite3_stmt*) { found = true; });
  if (!s) return s.err();
  return found;
}

status state::mark_file_done(const std::string& fingerprint, const std::string& outcome) {
  return impl_->run("INSERT OR REPLACE INTO files (fingerprint, outcome) VALUES (?, ?)",
                    {fingerprint, outcome});
}

status state::in_transaction(const std::function<status()>& body) {
  if (impl_->in_tx) return body();  // nested: part of the outer transaction
  if (auto s = impl_->exec("BEGIN IMMEDIATE"); !s) return s;
  impl_->in_tx = true;
  status result = body();
  impl_->in_tx = false;
  if (!result) {
    (void)impl_->exec("ROLLBACK");
    return result;
  }
  if (auto s = impl_->exec("COMMIT"); !s) {
    (void)impl_->exec("ROLLBACK");
    return s;
  }
  return ok_status();
}

}  // namespace mab::kit

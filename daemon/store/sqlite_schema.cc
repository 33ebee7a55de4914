#include "daemon/store/sqlite_schema.h"

#include <iterator>
#include <string>

namespace mab::store::sqlite {

namespace {

// How long a statement waits for another connection's lock (e.g. an operator's sqlite3 shell)
// before failing with store_error::busy.
constexpr int k_busy_timeout_ms = 5000;

// k_migrations[i] takes a database from version i to version i + 1. Append new steps; never edit
// a released one, since databases in the field have already run it.
//
// AUTOINCREMENT (not plain rowid) so a seq or id is never reused even after the newest row is
// gone: seqs are handed out in receipts and ids are named in notices.
// Delivery and notice states are TEXT so the file is legible to an operator's sqlite3 shell.
constexpr const char* k_migrations[] = {
    // 0 -> 1: the initial schema.
    R"sql(
CREATE TABLE messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id TEXT NOT NULL UNIQUE,
  sender TEXT NOT NULL,
  body_kind TEXT NOT NULL,
  envelope BLOB NOT NULL,
  notification_sha256 BLOB NOT NULL,
  received_at_ms INTEGER NOT NULL,
  recipients TEXT NOT NULL
);
CREATE TABLE deliveries (
  delivery_id INTEGER PRIMARY KEY AUTOINCREMENT,
  seq INTEGER NOT NULL REFERENCES messages (seq),
  recipient TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'acked', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  refusals INTEGER NOT NULL DEFAULT 0,
  last_refusal_reason TEXT NOT NULL DEFAULT '',
  last_refusal_at_ms INTEGER,
  next_attempt_at_ms INTEGER NOT NULL,
  acked_at_ms INTEGER,
  ack BLOB,
  UNIQUE (seq, recipient)
);
CREATE INDEX deliveries_due ON deliveries (recipient, state, seq);
CREATE INDEX deliveries_dead ON deliveries (seq) WHERE state = 'dead';
CREATE TABLE notices (
  notice_id INTEGER PRIMARY KEY AUTOINCREMENT,
  agency TEXT NOT NULL,
  payload BLOB NOT NULL,
  created_at_ms INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at_ms INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'done'))
);
CREATE INDEX notices_due ON notices (agency, state, notice_id);
)sql",
    // 1 -> 2: the audit trail. `pos` is the stored order; `seq` is the chain's own numbering and
    // deliberately not a key, so a reordered or duplicated entry stays representable and the
    // verifier can report it instead of the database hiding it.
    R"sql(
CREATE TABLE audit_log (
  pos INTEGER PRIMARY KEY AUTOINCREMENT,
  seq INTEGER NOT NULL,
  at_ms INTEGER NOT NULL,
  kind TEXT NOT NULL,
  subject_key TEXT NOT NULL,
  data TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE audit_checkpoints (
  pos INTEGER PRIMARY KEY AUTOINCREMENT,
  seq INTEGER NOT NULL,
  at_ms INTEGER NOT NULL,
  head_hash TEXT NOT NULL,
  key_id TEXT NOT NULL,
  signature BLOB NOT NULL
);
)sql",
    // 2 -> 3: the ledger. (kind, ref) and dedupe_key are the natural keys the ledger inserts by,
    // so a restart replaying the same facts adds nothing. Times are Unix ms; optional ones NULL.
    // The partial indexes cover exactly the scheduler's queries (due, warnable, to send).
    R"sql(
CREATE TABLE obligations (
  obligation_id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  ref TEXT NOT NULL,
  subject_key TEXT NOT NULL,
  owed_by TEXT NOT NULL,
  owed_to TEXT NOT NULL,
  data TEXT NOT NULL,
  opened_at_ms INTEGER NOT NULL,
  due_at_ms INTEGER NOT NULL,
  warn_at_ms INTEGER,
  warned INTEGER NOT NULL DEFAULT 0 CHECK (warned IN (0, 1)),
  state TEXT NOT NULL CHECK (state IN ('open', 'fulfilled', 'overdue')),
  closed_at_ms INTEGER,
  UNIQUE (kind, ref)
);
CREATE INDEX obligations_due ON obligations (due_at_ms) WHERE state = 'open';
CREATE INDEX obligations_warn ON obligations (warn_at_ms) WHERE state = 'open' AND warned = 0;
CREATE INDEX obligations_state ON obligations (state, obligation_id);
CREATE TABLE flags (
  flag_id INTEGER PRIMARY KEY AUTOINCREMENT,
  flag_type TEXT NOT NULL,
  dedupe_key TEXT NOT NULL UNIQUE,
  subject_key TEXT NOT NULL,
  obligation_id INTEGER REFERENCES obligations (obligation_id),
  owed_by TEXT NOT NULL,
  recipients TEXT NOT NULL,
  detail TEXT NOT NULL,
  raised_at_ms INTEGER NOT NULL,
  due_at_ms INTEGER,
  state TEXT NOT NULL CHECK (state IN ('raised', 'cleared')),
  cleared_at_ms INTEGER,
  next_send_at_ms INTEGER NOT NULL,
  sends INTEGER NOT NULL DEFAULT 0,
  acked_by TEXT NOT NULL DEFAULT '',
  ack_note TEXT NOT NULL DEFAULT '',
  acked_at_ms INTEGER
);
CREATE INDEX flags_obligation ON flags (obligation_id);
CREATE INDEX flags_send ON flags (next_send_at_ms) WHERE state = 'raised';
CREATE INDEX flags_state ON flags (state, flag_id);
)sql",
    // 3 -> 4: subjects and transfers. A subject is one child, known by any number of keyed
    // identifiers (subject_keys); merging two subjects re-points every row and deletes one.
    // Facts hold keyed values only. Parts are unique per (transfer, agency, kind), so replaying
    // a transfer notice adds nothing. Times are Unix ms; optional ones NULL.
    R"sql(
CREATE TABLE subjects (
  subject_id INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at_ms INTEGER NOT NULL,
  area TEXT,
  area_at_ms INTEGER
);
CREATE TABLE subject_keys (
  key TEXT PRIMARY KEY,
  subject_id INTEGER NOT NULL REFERENCES subjects (subject_id)
);
CREATE INDEX subject_keys_subject ON subject_keys (subject_id);
CREATE TABLE subject_contacts (
  subject_id INTEGER NOT NULL REFERENCES subjects (subject_id),
  agency TEXT NOT NULL,
  first_at_ms INTEGER NOT NULL,
  last_at_ms INTEGER NOT NULL,
  PRIMARY KEY (subject_id, agency)
);
CREATE TABLE subject_facts (
  subject_id INTEGER NOT NULL REFERENCES subjects (subject_id),
  name TEXT NOT NULL,
  value_key TEXT NOT NULL,
  agency TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  UNIQUE (subject_id, name, value_key, agency)
);
CREATE TABLE transfers (
  transfer_id TEXT PRIMARY KEY,
  subject_id INTEGER NOT NULL REFERENCES subjects (subject_id),
  subject_key TEXT NOT NULL,
  from_area TEXT NOT NULL,
  to_area TEXT NOT NULL,
  opened_by TEXT NOT NULL,
  reason TEXT NOT NULL,
  opened_at_ms INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'complete')),
  completed_at_ms INTEGER
);
CREATE INDEX transfers_subject ON transfers (subject_id, opened_at_ms);
CREATE INDEX transfers_state ON transfers (state, opened_at_ms);
CREATE INDEX transfers_opened ON transfers (opened_at_ms);
CREATE TABLE transfer_parts (
  part_id INTEGER PRIMARY KEY AUTOINCREMENT,
  transfer_id TEXT NOT NULL REFERENCES transfers (transfer_id),
  owed_by TEXT NOT NULL,
  kind TEXT NOT NULL,
  why TEXT NOT NULL,
  state TEXT NOT NULL,
  pieces_total INTEGER NOT NULL DEFAULT 0,
  pieces_sent INTEGER NOT NULL DEFAULT 0,
  pieces_acked INTEGER NOT NULL DEFAULT 0,
  recipient TEXT NOT NULL DEFAULT '',
  due_at_ms INTEGER NOT NULL,
  sent_at_ms INTEGER,
  acked_at_ms INTEGER,
  UNIQUE (transfer_id, owed_by, kind)
);
CREATE TABLE transfer_timeline (
  pos INTEGER PRIMARY KEY AUTOINCREMENT,
  transfer_id TEXT NOT NULL REFERENCES transfers (transfer_id),
  at_ms INTEGER NOT NULL,
  what TEXT NOT NULL
);
CREATE INDEX transfer_timeline_transfer ON transfer_timeline (transfer_id, pos);
)sql",
    // 4 -> 5: what the operator API reads. subject_messages links each stored message to the
    // subject it is about (a message is about one child), so an audited reveal can find the
    // identifiers the agencies sent; messages linked before this version stay unlinked. The
    // indexes serve the scorecards (by sender, by owing agency), the flag filters, and reading
    // the audit trail by its own seq.
    R"sql(
CREATE TABLE subject_messages (
  seq INTEGER PRIMARY KEY REFERENCES messages (seq),
  subject_id INTEGER NOT NULL REFERENCES subjects (subject_id)
);
CREATE INDEX subject_messages_subject ON subject_messages (subject_id, seq);
CREATE INDEX messages_sender ON messages (sender);
CREATE INDEX obligations_owed_by ON obligations (owed_by, state);
CREATE INDEX flags_type ON flags (flag_type, state, flag_id);
CREATE INDEX flags_owed_by ON flags (owed_by, state);
CREATE INDEX audit_log_seq ON audit_log (seq);
)sql",
};

static_assert(std::size(k_migrations) == k_schema_version,
              "one migration step per schema version");

result<std::string> pragma_text(connection& db, const char* sql, const char* op) {
  auto st = db.prepare(sql, op);
  if (!st) return st.err();
  auto row = st->step();
  if (!row) return row.err();
  if (!*row) return make_error(std::string(op) + ": pragma returned no row");
  return st->text(0);
}

result<std::int64_t> pragma_int(connection& db, const char* sql, const char* op) {
  auto st = db.prepare(sql, op);
  if (!st) return st.err();
  auto row = st->step();
  if (!row) return row.err();
  if (!*row) return make_error(std::string(op) + ": pragma returned no row");
  return st->int64(0);
}

status migrate(connection& db) {
  // IMMEDIATE so two processes opening a fresh file cannot both create the schema.
  if (auto s = db.exec("BEGIN IMMEDIATE", "migrate: begin"); !s) return s;
  auto fail = [&db](error e) -> status {
    (void)db.exec("ROLLBACK", "migrate: rollback");  // best effort; the original error matters
    return e;
  };
  auto version = pragma_int(db, "PRAGMA user_version", "migrate: read user_version");
  if (!version) return fail(version.err());
  if (*version < 0 || *version > k_schema_version) {
    return fail(make_error("migrate: database schema version " + std::to_string(*version) +
                           " is not one this mab knows (newest " +
                           std::to_string(k_schema_version) + "); refusing to open it"));
  }
  for (auto v = static_cast<std::size_t>(*version); v < std::size(k_migrations); ++v) {
    if (auto s = db.exec(k_migrations[v], "migrate: apply step"); !s) {
      error e = s.err();
      e.message += " (step " + std::to_string(v) + " -> " + std::to_string(v + 1) + ")";
      return fail(std::move(e));
    }
  }
  // The version moves in the same transaction as the schema, so a crash leaves neither.
  const std::string set_version = "PRAGMA user_version = " + std::to_string(k_schema_version);
  if (auto s = db.exec(set_version.c_str(), "migrate: write user_version"); !s) {
    return fail(s.err());
  }
  if (auto s = db.exec("COMMIT", "migrate: commit"); !s) return fail(s.err());
  return ok_status();
}

}  // namespace

status prepare_database(connection& db, const sqlite_options& options) {
  // First, so that even switching to WAL waits out another process's lock.
  sqlite3_busy_timeout(db.raw(), k_busy_timeout_ms);

  // Also the first read of the file: a non-database file fails here with store_error::corrupt.
  auto mode = pragma_text(db, "PRAGMA journal_mode = WAL", "open: set journal_mode");
  if (!mode) return mode.err();
  const bool in_memory = options.path == ":memory:";
  if (*mode != "wal" && !(in_memory && *mode == "memory")) {
    return make_error("open: could not switch to WAL (journal_mode is " + *mode + ")");
  }

  // FULL fsyncs the WAL at every commit: a receipt is only sent after commit, so a commit that a
  // power cut could undo would be a lie. NORMAL is for tests and throwaway brokers.
  const char* sync =
      options.full_sync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL";
  if (auto s = db.exec(sync, "open: set synchronous"); !s) return s;
  // Off by default in SQLite, per connection, and a no-op inside a transaction: set it here.
  if (auto s = db.exec("PRAGMA foreign_keys = ON", "open: enable foreign_keys"); !s) return s;

  if (auto s = migrate(db); !s) return s;

  // After migrating, so a quota smaller than the schema still opens and reports full on writes.
  if (options.max_pages > 0) {
    const std::string sql = "PRAGMA max_page_count = " + std::to_string(options.max_pages);
    if (auto s = db.exec(sql.c_str(), "open: set max_page_count"); !s) return s;
  }
  return ok_status();
}

}  // namespace mab::store::sqlite

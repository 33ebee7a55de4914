// Private to daemon/store: connection settings and the schema migrations for the SQLite store.
#pragma once

#include "daemon/common/result.h"
#include "daemon/store/sqlite_db.h"
#include "daemon/store/store.h"

namespace mab::store::sqlite {

// The schema version this build writes; PRAGMA user_version holds the version of a database.
inline constexpr int k_schema_version = 5;

// Applies the connection pragmas from `options` and migrates the schema to k_schema_version.
// Refuses a database written by a newer mab rather than guess at its schema.
status prepare_database(connection& db, const sqlite_options& options);

}  // namespace mab::store::sqlite

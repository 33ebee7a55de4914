// Private to daemon/store: the audit-trail SQL, kept apart from the delivery queue's.
// Each function runs one statement on the store's connection; the store wraps writes in its
// transaction rules.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "daemon/store/sqlite_db.h"
#include "daemon/store/store.h"

namespace mab::store::sqlite {

status insert_audit(connection& db, const audit_record& e);
result<std::optional<audit_record>> select_audit_head(connection& db);
result<std::vector<audit_record>> select_audit(connection& db, std::uint64_t after_pos,
                                               std::size_t limit, std::uint64_t& last_pos);
// Entries with seq above `after_seq`, by seq (then stored order).
result<std::vector<audit_record>> select_audit_after(connection& db, std::uint64_t after_seq,
                                                     std::size_t limit);
status insert_checkpoint(connection& db, const checkpoint_record& cp);
result<std::vector<checkpoint_record>> select_checkpoints(connection& db);

}  // namespace mab::store::sqlite

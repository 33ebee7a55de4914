// Private to daemon/store: the ledger's SQL (obligations and flags), kept apart from the delivery
// queue's. Each function runs its statements on the store's connection; the store wraps writes
// in its transaction rules.
//
// Inserts take the natural key as the test of "already there": ON CONFLICT DO NOTHING, so a
// duplicate is nullopt, not an error, and leaves the caller's transaction untouched.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/store/sqlite_db.h"
#include "daemon/store/store.h"

namespace mab::store::sqlite {

// Stored as open, with no closed_at, whatever `o.state` and `o.closed_at` say.
result<std::optional<std::uint64_t>> insert_obligation(connection& db, const obligation_record& o);
result<std::optional<obligation_record>> select_obligation(connection& db, const std::string& kind,
                                                           const std::string& ref);
result<std::vector<obligation_record>> select_overdue_obligations(connection& db, time_point now,
                                                                  std::size_t limit);
result<std::vector<obligation_record>> select_warnable_obligations(connection& db, time_point now,
                                                                   std::size_t limit);
// Fails when there is no such obligation.
status update_obligation_warned(connection& db, std::uint64_t obligation_id);
// Fails when `to` is open; false when the obligation was not open.
result<bool> update_obligation_closed(connection& db, std::uint64_t obligation_id,
                                      obligation_state to, time_point at);
result<std::vector<obligation_record>> select_obligations(connection& db,
                                                          std::optional<obligation_state> state,
                                                          page p);

// Stored as raised, with no cleared_at, whatever `f.state` and `f.cleared_at` say. Refuses an
// empty recipient or one containing a newline (recipients are stored newline-joined).
result<std::optional<std::uint64_t>> insert_flag(connection& db, const flag_record& f);
result<std::optional<flag_record>> select_flag(connection& db, std::uint64_t flag_id);
result<std::optional<flag_record>> select_flag_by_key(connection& db,
                                                      const std::string& dedupe_key);
result<std::vector<flag_record>> select_obligation_flags(connection& db,
                                                         std::uint64_t obligation_id);
result<std::vector<flag_record>> select_flags_to_send(connection& db, time_point now,
                                                      std::size_t limit);
// Fails when there is no such flag.
status update_flag_sent(connection& db, std::uint64_t flag_id, time_point next);
result<bool> update_flag_cleared(connection& db, std::uint64_t flag_id, time_point at);
result<bool> update_flag_acked(connection& db, std::uint64_t flag_id, const std::string& by,
                               const std::string& note, time_point at);
result<std::vector<flag_record>> select_flags(connection& db, const flag_filter& f, page p);
// Flags whose dedupe key starts "transfer/<transfer_id>/", by flag_id.
result<std::vector<flag_record>> select_transfer_flags(connection& db,
                                                       const std::string& transfer_id);

}  // namespace mab::store::sqlite

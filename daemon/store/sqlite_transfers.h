// Private to daemon/store: the SQL for transfers (a child's record moving from one area to
// another), the parts of the record each old-area agency owes, and each transfer's timeline.
// The store wraps writes in its transaction rules.
//
// Inserts take the natural key as the test of "already there": ON CONFLICT DO NOTHING, so a
// duplicate is false/nullopt, not an error, and leaves the caller's transaction untouched.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/store/sqlite_db.h"
#include "daemon/store/store.h"

namespace mab::store::sqlite {

// Stored as given; false when the transfer id exists. Fails when the subject does not exist.
result<bool> insert_transfer(connection& db, const transfer_record& t);
result<std::optional<transfer_record>> select_transfer(connection& db,
                                                       const std::string& transfer_id);
// Newest (opened_at) first.
result<std::vector<transfer_record>> select_subject_transfers(connection& db,
                                                              std::uint64_t subject);
// Newest (opened_at, then id) first; see transfer_filter for what each filter keeps.
result<std::vector<transfer_record>> select_transfers(connection& db, const transfer_filter& f,
                                                      page p);
// open -> complete; false when it was not open (or does not exist).
result<bool> update_transfer_complete(connection& db, const std::string& transfer_id,
                                      time_point at);

// nullopt when (transfer_id, owed_by, kind) exists. Fails when the transfer does not exist.
result<std::optional<std::uint64_t>> insert_part(connection& db, const part_record& p);
// In part_id order.
result<std::vector<part_record>> select_parts(connection& db, const std::string& transfer_id);
// Writes state, pieces, recipient and times by part_id; fails when there is no such part.
status update_part_row(connection& db, const part_record& p);

// Fails when the transfer does not exist.
status insert_timeline(connection& db, const std::string& transfer_id, const timeline_entry& e);
// In the order added.
result<std::vector<timeline_entry>> select_timeline(connection& db,
                                                    const std::string& transfer_id);

}  // namespace mab::store::sqlite

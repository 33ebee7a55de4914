// Private to daemon/store: the SQL for subjects (one child each), the keyed identifiers that map
// to them, who has been in contact about them, the keyed facts agencies reported, and merging
// two subjects found to be one child. The store wraps writes in its transaction rules.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/store/sqlite_db.h"
#include "daemon/store/store.h"

namespace mab::store::sqlite {

result<std::optional<std::uint64_t>> select_subject_for_key(connection& db,
                                                            const std::string& key);
result<std::uint64_t> insert_subject(connection& db, time_point at);
// Inserts or re-points; fails when `subject` does not exist.
status upsert_subject_key(connection& db, const std::string& key, std::uint64_t subject);
// Re-points keys, contacts (first = earliest, last = latest when both have the agency), facts
// (duplicates dropped), transfers and message links from `from` to `into`; `into` keeps the
// more recently reported area and the earlier creation time; `from` is deleted. Fails when
// either subject does not exist; merging a subject into itself changes nothing.
status merge_subject_rows(connection& db, std::uint64_t into, std::uint64_t from);
// nullopt when the subject has no area (or does not exist).
result<std::optional<std::string>> select_subject_area(connection& db, std::uint64_t subject);
// Fails when there is no such subject.
status update_subject_area(connection& db, std::uint64_t subject, const std::string& area,
                           time_point at);
// Upsert: first_at = earliest seen, last_at = latest seen.
status upsert_contact(connection& db, std::uint64_t subject, const std::string& agency,
                      time_point at);
// last_at >= since, by first contact (then agency).
result<std::vector<contact_record>> select_contacts(connection& db, std::uint64_t subject,
                                                    time_point since);
// Does nothing when the same (subject, name, value_key, agency) is recorded.
status insert_fact(connection& db, std::uint64_t subject, const fact_record& f);
// By time reported, then name, agency, value_key.
result<std::vector<fact_record>> select_facts(connection& db, std::uint64_t subject);
// Does nothing when message `seq` is already linked. Fails when the subject or the message does
// not exist.
status insert_subject_message(connection& db, std::uint64_t subject, std::uint64_t seq);
// The linked message with the highest seq.
result<std::optional<message_record>> select_latest_subject_message(connection& db,
                                                                    std::uint64_t subject);

}  // namespace mab::store::sqlite

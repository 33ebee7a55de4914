// The sqlite_store methods of the audit trail, the ledger (obligations and flags), subjects,
// transfers and the operator views. Each forwards to its SQL (sqlite_audit.cc, sqlite_ledger.cc,
// sqlite_subjects.cc, sqlite_transfers.cc, sqlite_views.cc), writes wrapped in
// sqlite_store::write; the queue is in sqlite_store.cc.
#include "daemon/store/sqlite_audit.h"
#include "daemon/store/sqlite_ledger.h"
#include "daemon/store/sqlite_store_impl.h"
#include "daemon/store/sqlite_subjects.h"
#include "daemon/store/sqlite_transfers.h"
#include "daemon/store/sqlite_views.h"

namespace mab::store::sqlite {

// The audit trail (SQL in sqlite_audit.cc).

status sqlite_store::append_audit(const audit_record& entry) {
  return write<ok_t>("append_audit", [&]() { return insert_audit(db_, entry); });
}
result<std::optional<audit_record>> sqlite_store::audit_head() { return select_audit_head(db_); }
result<std::vector<audit_record>> sqlite_store::audit_entries(std::uint64_t after_pos,
                                                              std::size_t limit,
                                                              std::uint64_t& last_pos) {
  return select_audit(db_, after_pos, limit, last_pos);
}
result<std::vector<audit_record>> sqlite_store::audit_after(std::uint64_t after_seq,
                                                            std::size_t limit) {
  return select_audit_after(db_, after_seq, limit);
}
status sqlite_store::append_checkpoint(const checkpoint_record& cp) {
  return write<ok_t>("append_checkpoint", [&]() { return insert_checkpoint(db_, cp); });
}
result<std::vector<checkpoint_record>> sqlite_store::checkpoints() {
  return select_checkpoints(db_);
}

// The ledger: obligations and flags (SQL in sqlite_ledger.cc).
result<std::optional<std::uint64_t>> sqlite_store::add_obligation(const obligation_record& o) {
  return write<std::optional<std::uint64_t>>("add_obligation",
                                             [&]() { return insert_obligation(db_, o); });
}
result<std::optional<obligation_record>> sqlite_store::find_obligation(const std::string& kind,
                                                                       const std::string& ref) {
  return select_obligation(db_, kind, ref);
}
result<std::vector<obligation_record>> sqlite_store::overdue_obligations(time_point now,
                                                                         std::size_t limit) {
  return select_overdue_obligations(db_, now, limit);
}
result<std::vector<obligation_record>> sqlite_store::warnable_obligations(time_point now,
                                                                          std::size_t limit) {
  return select_warnable_obligations(db_, now, limit);
}
status sqlite_store::mark_warned(std::uint64_t obligation_id) {
  return write<ok_t>("mark_warned", [&]() { return update_obligation_warned(db_, obligation_id); });
}
result<bool> sqlite_store::close_obligation(std::uint64_t obligation_id, obligation_state to,
                                            time_point at) {
  return write<bool>("close_obligation",
                     [&]() { return update_obligation_closed(db_, obligation_id, to, at); });
}
result<std::vector<obligation_record>> sqlite_store::list_obligations(
    std::optional<obligation_state> state, page p) {
  return select_obligations(db_, state, p);
}
result<std::optional<std::uint64_t>> sqlite_store::raise_flag(const flag_record& f) {
  return write<std::optional<std::uint64_t>>("raise_flag", [&]() { return insert_flag(db_, f); });
}
result<std::optional<flag_record>> sqlite_store::find_flag(std::uint64_t flag_id) {
  return select_flag(db_, flag_id);
}
result<std::optional<flag_record>> sqlite_store::find_flag_by_key(const std::string& dedupe_key) {
  return select_flag_by_key(db_, dedupe_key);
}
result<std::vector<flag_record>> sqlite_store::flags_for_obligation(std::uint64_t obligation_id) {
  return select_obligation_flags(db_, obligation_id);
}
result<std::vector<flag_record>> sqlite_store::flags_to_send(time_point now, std::size_t limit) {
  return select_flags_to_send(db_, now, limit);
}
status sqlite_store::mark_flag_sent(std::uint64_t flag_id, time_point next) {
  return write<ok_t>("mark_flag_sent", [&]() { return update_flag_sent(db_, flag_id, next); });
}
result<bool> sqlite_store::clear_flag(std::uint64_t flag_id, time_point at) {
  return write<bool>("clear_flag", [&]() { return update_flag_cleared(db_, flag_id, at); });
}
result<bool> sqlite_store::ack_flag(std::uint64_t flag_id, const std::string& by,
                                    const std::string& note, time_point at) {
  return write<bool>("ack_flag", [&]() { return update_flag_acked(db_, flag_id, by, note, at); });
}
result<std::vector<flag_record>> sqlite_store::list_flags(const flag_filter& f, page p) {
  return select_flags(db_, f, p);
}
result<std::vector<flag_record>> sqlite_store::transfer_flags(const std::string& transfer_id) {
  return select_transfer_flags(db_, transfer_id);
}

// Subjects (SQL in sqlite_subjects.cc).
result<std::optional<std::uint64_t>> sqlite_store::subject_for_key(const std::string& key) {
  return select_subject_for_key(db_, key);
}
result<std::uint64_t> sqlite_store::new_subject(time_point at) {
  return write<std::uint64_t>("new_subject", [&]() { return insert_subject(db_, at); });
}
status sqlite_store::map_key(const std::string& key, std::uint64_t subject) {
  return write<ok_t>("map_key", [&]() { return upsert_subject_key(db_, key, subject); });
}
status sqlite_store::merge_subjects(std::uint64_t into, std::uint64_t from) {
  return write<ok_t>("merge_subjects", [&]() { return merge_subject_rows(db_, into, from); });
}
result<std::optional<std::string>> sqlite_store::subject_area(std::uint64_t subject) {
  return select_subject_area(db_, subject);
}
status sqlite_store::set_subject_area(std::uint64_t subject, const std::string& area,
                                      time_point at) {
  return write<ok_t>("set_subject_area",
                     [&]() { return update_subject_area(db_, subject, area, at); });
}
status sqlite_store::add_contact(std::uint64_t subject, const std::string& agency, time_point at) {
  return write<ok_t>("add_contact", [&]() { return upsert_contact(db_, subject, agency, at); });
}
result<std::vector<contact_record>> sqlite_store::contacts(std::uint64_t subject,
                                                           time_point since) {
  return select_contacts(db_, subject, since);
}
status sqlite_store::add_fact(std::uint64_t subject, const fact_record& f) {
  return write<ok_t>("add_fact", [&]() { return insert_fact(db_, subject, f); });
}
result<std::vector<fact_record>> sqlite_store::facts(std::uint64_t subject) {
  return select_facts(db_, subject);
}
status sqlite_store::link_message(std::uint64_t subject, std::uint64_t seq) {
  return write<ok_t>("link_message", [&]() { return insert_subject_message(db_, subject, seq); });
}
result<std::optional<message_record>> sqlite_store::latest_message_about(std::uint64_t subject) {
  return select_latest_subject_message(db_, subject);
}

// Transfers (SQL in sqlite_transfers.cc).
result<bool> sqlite_store::add_transfer(const transfer_record& t) {
  return write<bool>("add_transfer", [&]() { return insert_transfer(db_, t); });
}
result<std::optional<transfer_record>> sqlite_store::find_transfer(const std::string& transfer_id) {
  return select_transfer(db_, transfer_id);
}
result<std::vector<transfer_record>> sqlite_store::transfers_of(std::uint64_t subject) {
  return select_subject_transfers(db_, subject);
}
result<std::vector<transfer_record>> sqlite_store::list_transfers(const transfer_filter& f,
                                                                  page p) {
  return select_transfers(db_, f, p);
}
result<bool> sqlite_store::complete_transfer(const std::string& transfer_id, time_point at) {
  return write<bool>("complete_transfer",
                     [&]() { return update_transfer_complete(db_, transfer_id, at); });
}
result<std::optional<std::uint64_t>> sqlite_store::add_part(const part_record& p) {
  return write<std::optional<std::uint64_t>>("add_part", [&]() { return insert_part(db_, p); });
}
result<std::vector<part_record>> sqlite_store::parts(const std::string& transfer_id) {
  return select_parts(db_, transfer_id);
}
status sqlite_store::update_part(const part_record& p) {
  return write<ok_t>("update_part", [&]() { return update_part_row(db_, p); });
}
status sqlite_store::add_timeline(const std::string& transfer_id, const timeline_entry& e) {
  return write<ok_t>("add_timeline", [&]() { return insert_timeline(db_, transfer_id, e); });
}
result<std::vector<timeline_entry>> sqlite_store::timeline(const std::string& transfer_id) {
  return select_timeline(db_, transfer_id);
}

// Operator views (SQL in sqlite_views.cc).
result<ledger_counts> sqlite_store::count_ledger(time_point now) {
  return select_ledger_counts(db_, now);
}
result<std::vector<overdue_item>> sqlite_store::oldest_overdue(time_point now, std::size_t limit) {
  return select_oldest_overdue(db_, now, limit);
}
result<agency_activity> sqlite_store::activity_of(const std::string& agency) {
  return select_agency_activity(db_, agency);
}

}  // namespace mab::store::sqlite

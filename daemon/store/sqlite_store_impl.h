// Private to daemon/store: the embedded SQLite implementation of mab::store::store.
//
// The queue (messages, deliveries, notices) and the transaction rules are in sqlite_store.cc;
// the audit trail, ledger, subject, transfer and operator-view methods, which forward to their
// own SQL files, are in sqlite_store_ledger.cc. Only open_sqlite (sqlite_store.cc) creates one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/store/sqlite_db.h"
#include "daemon/store/store.h"

namespace mab::store::sqlite {

// What record_ack and record_refusal need to know about one (message, recipient) delivery.
struct delivery_ref {
  std::uint64_t delivery_id = 0;
  delivery_state state = delivery_state::pending;
  std::uint32_t refusals = 0;
  std::string sender;
  time_point received_at;          // of the message
};

class sqlite_store final : public store {
 public:
  explicit sqlite_store(connection db);
  ~sqlite_store() override;

  sqlite_store(const sqlite_store&) = delete;
  sqlite_store& operator=(const sqlite_store&) = delete;

  // Transactions and the queue (sqlite_store.cc).
  status begin() override;
  status commit() override;
  void rollback() override;

  result<std::optional<message_record>> find_message(const std::string& message_id) override;
  result<std::uint64_t> append_message(const new_message& m) override;
  result<std::vector<delivery_record>> due_deliveries(const std::string& recipient, time_point now,
                                                      std::size_t limit) override;
  status mark_attempted(std::uint64_t delivery_id, time_point next_attempt_at) override;
  status reschedule_pending(const std::string& recipient, time_point now) override;
  result<std::uint64_t> pending_count(const std::string& recipient) override;
  result<ack_outcome> record_ack(const std::string& message_id, const std::string& recipient,
                                 time_point at, const std::string& sealed_ack) override;
  result<refusal_outcome> record_refusal(const std::string& message_id,
                                         const std::string& recipient, const std::string& reason,
                                         time_point at, std::uint32_t max_refusals,
                                         time_point retry_at) override;
  result<std::vector<delivery_record>> dead_letters(std::size_t limit) override;
  result<bool> replay_dead_letter(std::uint64_t delivery_id, time_point now) override;

  result<std::uint64_t> append_notice(const std::string& agency, const std::string& payload,
                                      time_point at) override;
  result<std::vector<notice_record>> due_notices(const std::string& agency, time_point now,
                                                 std::size_t limit) override;
  status mark_notice_attempted(std::uint64_t notice_id, time_point next_attempt_at) override;
  result<bool> confirm_notice(const std::string& agency, std::uint64_t notice_id) override;

  // The audit trail (sqlite_store_ledger.cc; SQL in sqlite_audit.cc).
  status append_audit(const audit_record& entry) override;
  result<std::optional<audit_record>> audit_head() override;
  result<std::vector<audit_record>> audit_entries(std::uint64_t after_pos, std::size_t limit,
                                                  std::uint64_t& last_pos) override;
  result<std::vector<audit_record>> audit_after(std::uint64_t after_seq,
                                               std::size_t limit) override;
  status append_checkpoint(const checkpoint_record& cp) override;
  result<std::vector<checkpoint_record>> checkpoints() override;

  // The ledger: obligations and flags (sqlite_store_ledger.cc; SQL in sqlite_ledger.cc).
  result<std::optional<std::uint64_t>> add_obligation(const obligation_record& o) override;
  result<std::optional<obligation_record>> find_obligation(const std::string& kind,
                                                           const std::string& ref) override;
  result<std::vector<obligation_record>> overdue_obligations(time_point now,
                                                             std::size_t limit) override;
  result<std::vector<obligation_record>> warnable_obligations(time_point now,
                                                              std::size_t limit) override;
  status mark_warned(std::uint64_t obligation_id) override;
  result<bool> close_obligation(std::uint64_t obligation_id, obligation_state to,
                                time_point at) override;
  using store::list_obligations;
  result<std::vector<obligation_record>> list_obligations(std::optional<obligation_state> state,
                                                          page p) override;
  result<std::optional<std::uint64_t>> raise_flag(const flag_record& f) override;
  result<std::optional<flag_record>> find_flag(std::uint64_t flag_id) override;
  result<std::optional<flag_record>> find_flag_by_key(const std::string& dedupe_key) override;
  result<std::vector<flag_record>> flags_for_obligation(std::uint64_t obligation_id) override;
  result<std::vector<flag_record>> flags_to_send(time_point now, std::size_t limit) override;
  status mark_flag_sent(std::uint64_t flag_id, time_point next) override;
  result<bool> clear_flag(std::uint64_t flag_id, time_point at) override;
  result<bool> ack_flag(std::uint64_t flag_id, const std::string& by, const std::string& note,
                        time_point at) override;
  using store::list_flags;
  result<std::vector<flag_record>> list_flags(const flag_filter& f, page p) override;
  result<std::vector<flag_record>> transfer_flags(const std::string& transfer_id) override;

  // Subjects (sqlite_store_ledger.cc; SQL in sqlite_subjects.cc).
  result<std::optional<std::uint64_t>> subject_for_key(const std::string& key) override;
  result<std::uint64_t> new_subject(time_point at) override;
  status map_key(const std::string& key, std::uint64_t subject) override;
  status merge_subjects(std::uint64_t into, std::uint64_t from) override;
  result<std::optional<std::string>> subject_area(std::uint64_t subject) override;
  status set_subject_area(std::uint64_t subject, const std::string& area,
                          time_point at) override;
  status add_contact(std::uint64_t subject, const std::string& agency, time_point at) override;
  result<std::vector<contact_record>> contacts(std::uint64_t subject, time_point since) override;
  status add_fact(std::uint64_t subject, const fact_record& f) override;
  result<std::vector<fact_record>> facts(std::uint64_t subject) override;
  status link_message(std::uint64_t subject, std::uint64_t seq) override;
  result<std::optional<message_record>> latest_message_about(std::uint64_t subject) override;

  // Transfers (sqlite_store_ledger.cc; SQL in sqlite_transfers.cc).
  result<bool> add_transfer(const transfer_record& t) override;
  result<std::optional<transfer_record>> find_transfer(const std::string& transfer_id) override;
  result<std::vector<transfer_record>> transfers_of(std::uint64_t subject) override;
  using store::list_transfers;
  result<std::vector<transfer_record>> list_transfers(const transfer_filter& f, page p) override;
  result<bool> complete_transfer(const std::string& transfer_id, time_point at) override;
  result<std::optional<std::uint64_t>> add_part(const part_record& p) override;
  result<std::vector<part_record>> parts(const std::string& transfer_id) override;
  status update_part(const part_record& p) override;
  status add_timeline(const std::string& transfer_id, const timeline_entry& e) override;
  result<std::vector<timeline_entry>> timeline(const std::string& transfer_id) override;

  // Operator views (sqlite_store_ledger.cc; SQL in sqlite_views.cc).
  result<ledger_counts> count_ledger(time_point now) override;
  result<std::vector<overdue_item>> oldest_overdue(time_point now, std::size_t limit) override;
  result<agency_activity> activity_of(const std::string& agency) override;

 private:
  status run_simple(const char* sql, const char* op);

  // Runs `body` atomically. Inside the caller's transaction it is a savepoint, so a call that
  // fails halfway (say, the second recipient's insert) leaves the transaction as it was and the
  // rest of the burst can still commit. Outside one it is a transaction of its own. The rules
  // live in write_open and write_close (sqlite_store.cc); this only wraps `body` in them.
  template <class T, class F>
  result<T> write(const char* op, F&& body) {
    if (auto s = write_open(op); !s) return s.err();
    result<T> r = body();
    if (auto s = write_close(op, r.ok()); !s) return s.err();
    return r;
  }
  // Opens the savepoint, or the transaction of write's own.
  status write_open(const char* op);
  // Releases or commits what write_open opened when `body_ok`, else rolls it back (best effort;
  // the error reported is then the body's, and this returns ok).
  status write_close(const char* op, bool body_ok);

  result<std::optional<delivery_ref>> find_delivery(const std::string& message_id,
                                                    const std::string& recipient, const char* op);

  connection db_;
  bool in_tx_ = false;  // between a successful begin() and commit()/rollback()
};

}  // namespace mab::store::sqlite

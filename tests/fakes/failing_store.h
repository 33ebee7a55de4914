// A store that forwards to a real one but can be told to fail, LevelDB SpecialEnv style:
// "the disk is full from now on" without filling a disk.
#pragma once

#include "daemon/store/store.h"

namespace mab::testing {

class failing_store final : public mab::store::store {
 public:
  explicit failing_store(mab::store::store& inner) : inner_(inner) {}

  bool full = false;  // every write and commit fails with store_error::full
  // The reads behind the operator API and its readiness probe fail with store_error::io (the
  // disk went away under a running broker).
  bool unreadable = false;

  status begin() override { return inner_.begin(); }
  status commit() override {
    if (full) {
      inner_.rollback();
      return make_error("disk full (simulated)", mab::store::store_error::full);
    }
    return inner_.commit();
  }
  void rollback() override { inner_.rollback(); }
  result<std::optional<mab::store::message_record>> find_message(const std::string& id) override {
    return inner_.find_message(id);
  }
  result<std::uint64_t> append_message(const mab::store::new_message& m) override {
    if (full) return make_error("disk full (simulated)", mab::store::store_error::full);
    return inner_.append_message(m);
  }
  result<std::vector<mab::store::delivery_record>> due_deliveries(const std::string& r, time_point now,
                                                             std::size_t limit) override {
    return inner_.due_deliveries(r, now, limit);
  }
  status mark_attempted(std::uint64_t id, time_point next) override {
    return inner_.mark_attempted(id, next);
  }
  status reschedule_pending(const std::string& r, time_point now) override {
    return inner_.reschedule_pending(r, now);
  }
  result<std::uint64_t> pending_count(const std::string& r) override {
    return inner_.pending_count(r);
  }
  result<mab::store::ack_outcome> record_ack(const std::string& id, const std::string& r, time_point at,
                                        const std::string& ack) override {
    return inner_.record_ack(id, r, at, ack);
  }
  result<mab::store::refusal_outcome> record_refusal(const std::string& id, const std::string& r,
                                                const std::string& reason, time_point at,
                                                std::uint32_t max, time_point retry) override {
    return inner_.record_refusal(id, r, reason, at, max, retry);
  }
  result<std::vector<mab::store::delivery_record>> dead_letters(std::size_t limit) override {
    return inner_.dead_letters(limit);
  }
  result<bool> replay_dead_letter(std::uint64_t id, time_point now) override {
    return inner_.replay_dead_letter(id, now);
  }
  result<std::uint64_t> append_notice(const std::string& a, const std::string& p,
                                      time_point at) override {
    return inner_.append_notice(a, p, at);
  }
  result<std::vector<mab::store::notice_record>> due_notices(const std::string& a, time_point now,
                                                        std::size_t limit) override {
    return inner_.due_notices(a, now, limit);
  }
  status mark_notice_attempted(std::uint64_t id, time_point next) override {
    return inner_.mark_notice_attempted(id, next);
  }
  result<bool> confirm_notice(const std::string& a, std::uint64_t id) override {
    return inner_.confirm_notice(a, id);
  }
  status append_audit(const mab::store::audit_record& e) override {
    if (full) return make_error("disk full (simulated)", mab::store::store_error::full);
    return inner_.append_audit(e);
  }
  result<std::optional<mab::store::audit_record>> audit_head() override {
    if (unreadable) return io_error();
    return inner_.audit_head();
  }
  result<std::vector<mab::store::audit_record>> audit_entries(std::uint64_t after,
                                                              std::size_t limit,
                                                              std::uint64_t& last) override {
    if (unreadable) return io_error();
    return inner_.audit_entries(after, limit, last);
  }
  result<std::vector<mab::store::audit_record>> audit_after(std::uint64_t after,
                                                            std::size_t limit) override {
    if (unreadable) return io_error();
    return inner_.audit_after(after, limit);
  }
  status append_checkpoint(const mab::store::checkpoint_record& cp) override {
    return inner_.append_checkpoint(cp);
  }
  result<std::vector<mab::store::checkpoint_record>> checkpoints() override {
    return inner_.checkpoints();
  }

  // The ledger: reads forward; writes fail when `full`.
  result<std::optional<std::uint64_t>> add_obligation(
      const mab::store::obligation_record& o) override {
    if (full) return disk_full();
    return inner_.add_obligation(o);
  }
  result<std::optional<mab::store::obligation_record>> find_obligation(
      const std::string& kind, const std::string& ref) override {
    return inner_.find_obligation(kind, ref);
  }
  result<std::vector<mab::store::obligation_record>> overdue_obligations(
      time_point now, std::size_t limit) override {
    return inner_.overdue_obligations(now, limit);
  }
  result<std::vector<mab::store::obligation_record>> warnable_obligations(
      time_point now, std::size_t limit) override {
    return inner_.warnable_obligations(now, limit);
  }
  status mark_warned(std::uint64_t id) override {
    if (full) return disk_full();
    return inner_.mark_warned(id);
  }
  result<bool> close_obligation(std::uint64_t id, mab::store::obligation_state to,
                                time_point at) override {
    if (full) return disk_full();
    return inner_.close_obligation(id, to, at);
  }
  using mab::store::store::list_obligations;
  result<std::vector<mab::store::obligation_record>> list_obligations(
      std::optional<mab::store::obligation_state> state, mab::store::page p) override {
    if (unreadable) return io_error();
    return inner_.list_obligations(state, p);
  }
  result<std::optional<std::uint64_t>> raise_flag(const mab::store::flag_record& f) override {
    if (full) return disk_full();
    return inner_.raise_flag(f);
  }
  result<std::optional<mab::store::flag_record>> find_flag(std::uint64_t id) override {
    return inner_.find_flag(id);
  }
  result<std::optional<mab::store::flag_record>> find_flag_by_key(const std::string& k) override {
    return inner_.find_flag_by_key(k);
  }
  result<std::vector<mab::store::flag_record>> flags_for_obligation(std::uint64_t id) override {
    return inner_.flags_for_obligation(id);
  }
  result<std::vector<mab::store::flag_record>> flags_to_send(time_point now,
                                                             std::size_t limit) override {
    return inner_.flags_to_send(now, limit);
  }
  status mark_flag_sent(std::uint64_t id, time_point next) override {
    if (full) return disk_full();
    return inner_.mark_flag_sent(id, next);
  }
  result<bool> clear_flag(std::uint64_t id, time_point at) override {
    if (full) return disk_full();
    return inner_.clear_flag(id, at);
  }
  result<bool> ack_flag(std::uint64_t id, const std::string& by, const std::string& note,
                        time_point at) override {
    if (full) return disk_full();
    return inner_.ack_flag(id, by, note, at);
  }
  using mab::store::store::list_flags;
  result<std::vector<mab::store::flag_record>> list_flags(const mab::store::flag_filter& f,
                                                          mab::store::page p) override {
    if (unreadable) return io_error();
    return inner_.list_flags(f, p);
  }
  result<std::vector<mab::store::flag_record>> transfer_flags(const std::string& id) override {
    if (unreadable) return io_error();
    return inner_.transfer_flags(id);
  }

  // Subjects and transfers: reads forward; writes fail when `full`.
  result<std::optional<std::uint64_t>> subject_for_key(const std::string& key) override {
    return inner_.subject_for_key(key);
  }
  result<std::uint64_t> new_subject(time_point at) override {
    if (full) return disk_full();
    return inner_.new_subject(at);
  }
  status map_key(const std::string& key, std::uint64_t subject) override {
    if (full) return disk_full();
    return inner_.map_key(key, subject);
  }
  status merge_subjects(std::uint64_t into, std::uint64_t from) override {
    if (full) return disk_full();
    return inner_.merge_subjects(into, from);
  }
  result<std::optional<std::string>> subject_area(std::uint64_t subject) override {
    return inner_.subject_area(subject);
  }
  status set_subject_area(std::uint64_t subject, const std::string& area,
                          time_point at) override {
    if (full) return disk_full();
    return inner_.set_subject_area(subject, area, at);
  }
  status add_contact(std::uint64_t subject, const std::string& agency, time_point at) override {
    if (full) return disk_full();
    return inner_.add_contact(subject, agency, at);
  }
  result<std::vector<mab::store::contact_record>> contacts(std::uint64_t subject,
                                                           time_point since) override {
    return inner_.contacts(subject, since);
  }
  status add_fact(std::uint64_t subject, const mab::store::fact_record& f) override {
    if (full) return disk_full();
    return inner_.add_fact(subject, f);
  }
  result<std::vector<mab::store::fact_record>> facts(std::uint64_t subject) override {
    return inner_.facts(subject);
  }
  status link_message(std::uint64_t subject, std::uint64_t seq) override {
    if (full) return disk_full();
    return inner_.link_message(subject, seq);
  }
  result<std::optional<mab::store::message_record>> latest_message_about(
      std::uint64_t subject) override {
    if (unreadable) return io_error();
    return inner_.latest_message_about(subject);
  }
  result<bool> add_transfer(const mab::store::transfer_record& t) override {
    if (full) return disk_full();
    return inner_.add_transfer(t);
  }
  result<std::optional<mab::store::transfer_record>> find_transfer(
      const std::string& id) override {
    return inner_.find_transfer(id);
  }
  result<std::vector<mab::store::transfer_record>> transfers_of(std::uint64_t subject) override {
    return inner_.transfers_of(subject);
  }
  using mab::store::store::list_transfers;
  result<std::vector<mab::store::transfer_record>> list_transfers(
      const mab::store::transfer_filter& f, mab::store::page p) override {
    if (unreadable) return io_error();
    return inner_.list_transfers(f, p);
  }
  result<bool> complete_transfer(const std::string& id, time_point at) override {
    if (full) return disk_full();
    return inner_.complete_transfer(id, at);
  }
  result<std::optional<std::uint64_t>> add_part(const mab::store::part_record& p) override {
    if (full) return disk_full();
    return inner_.add_part(p);
  }
  result<std::vector<mab::store::part_record>> parts(const std::string& id) override {
    return inner_.parts(id);
  }
  status update_part(const mab::store::part_record& p) override {
    if (full) return disk_full();
    return inner_.update_part(p);
  }
  status add_timeline(const std::string& id, const mab::store::timeline_entry& e) override {
    if (full) return disk_full();
    return inner_.add_timeline(id, e);
  }
  result<std::vector<mab::store::timeline_entry>> timeline(const std::string& id) override {
    return inner_.timeline(id);
  }

  // Operator views: reads only.
  result<mab::store::ledger_counts> count_ledger(time_point now) override {
    if (unreadable) return io_error();
    return inner_.count_ledger(now);
  }
  result<std::vector<mab::store::overdue_item>> oldest_overdue(time_point now,
                                                               std::size_t limit) override {
    if (unreadable) return io_error();
    return inner_.oldest_overdue(now, limit);
  }
  result<mab::store::agency_activity> activity_of(const std::string& agency) override {
    if (unreadable) return io_error();
    return inner_.activity_of(agency);
  }

 private:
  static error disk_full() {
    return make_error("disk full (simulated)", mab::store::store_error::full);
  }
  static error io_error() {
    return make_error("disk read failed (simulated)", mab::store::store_error::io);
  }

  mab::store::store& inner_;
};

}  // namespace mab::testing

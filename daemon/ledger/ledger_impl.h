// Private to the ledger module.
#pragma once

#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "daemon/ledger/ledger.h"

namespace mab::ledger {

struct ledger::impl {
  impl(const config::config& c, const calendar::calendar& k, store::store& s,
       const subjects::keyer& y)
      : cfg(c), cal(k), st(s), keyer(y) {}

  const config::config& cfg;
  const calendar::calendar& cal;
  store::store& st;
  const subjects::keyer& keyer;

  // ---- helpers (ledger.cc) ----
  // `start + d`, in `area`'s calendar. A calendar that cannot say (no holiday list for that
  // year, no school terms for the area) falls back to plain days: early rather than never.
  time_point due(time_point start, const calendar::duration& d, const std::string& area) const;
  std::optional<time_point> warn(time_point start, time_point due_at) const;
  std::string front_door_of_area(const std::string& area) const;
  std::string area_of_agency(const std::string& agency) const;
  std::string area_of(const mab::v1::Notification& n) const;
  // Front door of `area` plus its escalation recipients, then `also`, without duplicates.
  std::vector<std::string> told(const std::string& area, std::vector<std::string> also) const;
  bool is_front_door_kind(const std::string& agency) const;

  // Opens an obligation unless one exists for (kind, ref); records it in `fx`.
  status open_obligation(store::obligation_record o, effects& fx);
  // Fulfils (also late: an overdue one) and clears its raised flags.
  status fulfil(const store::obligation_record& o, time_point now, effects& fx);
  // Raises a flag unless its dedupe key was ever used; records it in `fx`.
  status raise(store::flag_record f, time_point now, effects& fx);
  status clear_flags_of(std::uint64_t obligation_id, time_point now, effects& fx);
  status clear_by_key(const std::string& dedupe_key, time_point now, effects& fx);

  // ---- rules (rules.cc) ----
  status on_referral(const mab::v1::Notification& n, const std::vector<std::string>& recipients,
                     const std::string& sk, time_point now, effects& fx);
  status on_outcome(const mab::v1::Notification& n, time_point now, effects& fx);
  status on_missing(const mab::v1::Notification& n, const std::string& sk, time_point now,
                    effects& fx);
  status on_ack_required(const mab::v1::Notification& n, const std::vector<std::string>& recipients,
                         const std::string& sk, time_point now, effects& fx,
                         std::uint64_t part_id = 0);

  // ---- subjects (subjects.cc) ----
  // The subject the notification is about (0 when it has no identifier), linking identifiers
  // that arrive together and merging subjects they prove to be one child.
  result<std::uint64_t> link_subject(const mab::v1::Notification& n, time_point now);
  status check_facts(std::uint64_t subject, const std::string& sk, const mab::v1::Notification& n,
                     time_point now, effects& fx);

  // ---- transfers (transfers.cc) ----
  status track_transfers(std::uint64_t subject, const std::string& sk,
                         const mab::v1::Notification& n, const std::vector<std::string>& recipients,
                         time_point now, effects& fx, std::uint64_t& part_id);
  status open_transfer(store::transfer_record t, const mab::v1::Notification& n, time_point now,
                       effects& fx);
  status expect_part(const store::transfer_record& t, const std::string& agency,
                     const std::string& kind, const std::string& why, time_point now, effects& fx);
  status on_record_part(const mab::v1::Notification& n, const std::vector<std::string>& recipients,
                        time_point now, effects& fx, std::uint64_t& part_id);
  status on_part_acked(const std::string& transfer_id, std::uint64_t part_id, time_point now,
                       effects& fx);
  status note(const std::string& transfer_id, time_point at, std::string what);
  // The part an acknowledgement obligation tracks, if it tracks one.
  result<std::optional<store::part_record>> part_of(const store::obligation_record& ack);
  // Information arriving after a transfer completed goes on that transfer's timeline.
  status after_completion(std::uint64_t subject, const mab::v1::Notification& n,
                          const std::vector<std::string>& recipients, time_point now);

  // ---- deadlines (deadlines.cc) ----
  status raise_overdue(const store::obligation_record& o, time_point now, effects& fx);
  status warn_due_soon(const store::obligation_record& o, time_point now, effects& fx);
};

}  // namespace mab::ledger

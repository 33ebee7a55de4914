// The ledger's deadline engine: turns notifications into obligations with deadlines (a referral
// owes an outcome, a returned child is owed a return home interview, a delivery that policy
// marks as needing acknowledgement owes one), fulfils them when the answer arrives, and raises
// flags, to named agencies, when one is missed, answered only in part, or urgent.
//
// It writes through the store inside the broker's cycle transaction and says what it changed
// (`effects`); the broker turns raised and cleared flags into signed notifications and writes
// the audit entries. No sockets, no clock of its own: time comes in as `now`.
//
// Threading: one ledger, used from the broker's thread.
#pragma once

#include <string>
#include <vector>

#include "daemon/calendar/calendar.h"
#include "daemon/common/clock.h"
#include "daemon/common/result.h"
#include "daemon/config/config.h"
#include "daemon/store/store.h"
#include "daemon/subjects/subjects.h"
#include "mab/v1/notification.pb.h"

namespace mab::ledger {

// Flag types (Flag.flag_type).
namespace flag_type {
inline constexpr const char* no_feedback = "NO_FEEDBACK";
inline constexpr const char* concerns_not_addressed = "CONCERNS_NOT_ADDRESSED";
inline constexpr const char* high_risk_missing = "HIGH_RISK_MISSING";
inline constexpr const char* cse_consideration = "CSE_CONSIDERATION";
inline constexpr const char* return_interview_overdue = "RETURN_INTERVIEW_OVERDUE";
inline constexpr const char* unacknowledged = "UNACKNOWLEDGED";
inline constexpr const char* due_soon = "DUE_SOON";
inline constexpr const char* incomplete = "INCOMPLETE";
inline constexpr const char* undelivered = "UNDELIVERED";
inline constexpr const char* data_quality = "DATA_QUALITY";
}  // namespace flag_type

// "2026-11-23T10:00:00Z": how the ledger writes times for people and JSON.
std::string iso(time_point t);

struct audit_event {
  std::string kind;         // "obligation.opened", "flag.raised", ...
  std::string subject_key;
  std::string data;         // compact JSON
};

struct effects {
  std::vector<store::flag_record> raised;   // to send now (the broker also re-sends on schedule)
  std::vector<store::flag_record> cleared;  // to send once, as CLEARED
  std::vector<audit_event> audit;
  void merge(effects&& other);
};

class ledger {
 public:
  // All references must outlive the ledger.
  ledger(const config::config& cfg, const calendar::calendar& cal, store::store& st,
         const subjects::keyer& keyer);

  // Before a notification is stored: agencies that must also receive it. Information about a
  // child whose transfer has completed, from an agency of the old area, goes to the new area's
  // front door too ("information is not a one-off event").
  result<std::vector<std::string>> extra_recipients(const mab::v1::Notification& n,
                                                    const std::vector<std::string>& routed);

  // A notification was stored with these recipients. Links its identifiers into one subject,
  // checks its facts against other agencies', records who is involved, opens transfers, tracks
  // record parts, and opens what it owes.
  result<effects> on_accepted(const mab::v1::Notification& n, const std::vector<std::string>& recipients,
                              time_point now);
  // `message_id` was first handed to a receiver of `recipient` (a record part becomes delivered).
  result<effects> on_delivered(const std::string& message_id, const std::string& recipient,
                               time_point now);
  // `recipient` acknowledged `message_id`.
  result<effects> on_acked(const std::string& message_id, const std::string& recipient,
                           time_point now);
  // Deadlines: obligations now overdue raise their flags (once, even across restarts: the
  // store refuses a second flag for the same fact), and due-soon warnings fire.
  result<effects> on_tick(time_point now);

  // When a raised flag should be sent again.
  time_point next_send(time_point now) const;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace mab::ledger

// Deadlines that pass: overdue obligations raise their flag, and due-soon warnings fire.
#include <spdlog/spdlog.h>

#include "daemon/ledger/ledger_impl.h"

namespace mab::ledger {

result<effects> ledger::on_tick(time_point now) {
  auto& m = *impl_;
  effects fx;
  auto overdue = m.st.overdue_obligations(now, 200);
  if (!overdue) return overdue.err();
  for (const auto& o : *overdue) {
    if (auto s = m.raise_overdue(o, now, fx); !s) return s.err();
  }
  auto warnable = m.st.warnable_obligations(now, 200);
  if (!warnable) return warnable.err();
  for (const auto& o : *warnable) {
    if (auto s = m.warn_due_soon(o, now, fx); !s) return s.err();
  }
  return fx;
}

status ledger::impl::raise_overdue(const store::obligation_record& o, time_point now, effects& fx) {
  auto closed = st.close_obligation(o.obligation_id, store::obligation_state::overdue, now);
  if (!closed) return closed.err();
  if (!*closed) return ok_status();
  fx.audit.push_back({"obligation.overdue", o.subject_key,
                      nlohmann::json{{"obligation_id", o.obligation_id}, {"kind", o.kind},
                                     {"owed_by", o.owed_by}, {"due_at", iso(o.due_at)}}
                          .dump()});
  // The due-soon warning has done its job; the overdue flag replaces it.
  if (auto s = clear_flags_of(o.obligation_id, now, fx); !s) return s;

  store::flag_record f;
  f.dedupe_key = "overdue/" + std::to_string(o.obligation_id);
  f.subject_key = o.subject_key;
  f.obligation_id = o.obligation_id;
  f.owed_by = o.owed_by;
  f.due_at = o.due_at;
  if (o.kind == "referral_outcome") {
    f.flag_type = flag_type::no_feedback;
    f.recipients = told(area_of_agency(o.owed_to), {o.owed_to});
    f.detail = o.owed_by + " has given " + o.owed_to + " no outcome for a referral due " + iso(o.due_at);
  } else if (o.kind == "transfer_part") {
    const auto data = nlohmann::json::parse(o.data, nullptr, false);
    const std::string from = data.value("from_area", ""), to = data.value("to_area", "");
    const std::string transfer = data.value("transfer_id", "");
    f.flag_type = flag_type::incomplete;
    f.dedupe_key = "transfer/" + transfer + "/" + f.dedupe_key;
    f.recipients = told(to, told(from, {}));
    f.detail = "transfer " + transfer + " (" + from + " -> " + to + ") is incomplete: " +
               o.owed_by + " has not sent its " + data.value("kind", "part") + " part, due " +
               iso(o.due_at);
    if (auto s = note(transfer, now, "INCOMPLETE raised: " + o.owed_by + " is late; told " +
                                         nlohmann::json(f.recipients).dump());
        !s) {
      return s;
    }
  } else if (o.kind == "return_interview") {
    f.flag_type = flag_type::return_interview_overdue;
    f.recipients = told(area_of_agency(o.owed_by), {o.owed_by, o.owed_to});
    f.detail = "no return home interview recorded by " + iso(o.due_at) + " (" + o.data + ")";
  } else {
    auto part = part_of(o);
    if (!part) return part.err();
    // A record part its recipient never even collected is a different failure from one it
    // collected and did not acknowledge: someone must find out why nobody is receiving.
    const bool never_collected = part->has_value() && (*part)->state == "sent";
    f.flag_type = never_collected ? flag_type::undelivered : flag_type::unacknowledged;
    f.recipients = told(area_of_agency(o.owed_by), {o.owed_to});
    f.detail = never_collected
                   ? o.owed_by + " never collected a record part from " + o.owed_to + " due " +
                         iso(o.due_at) + " (is its adapter running?)"
                   : o.owed_by + " has not acknowledged a delivery from " + o.owed_to + " due " +
                         iso(o.due_at);
    if (part->has_value()) {
      f.dedupe_key = "transfer/" + (*part)->transfer_id + "/" + f.dedupe_key;
      if (auto s = note((*part)->transfer_id, now, f.flag_type + std::string(" raised: ") + f.detail); !s) {
        return s;
      }
    }
  }
  return raise(std::move(f), now, fx);
}

status ledger::impl::warn_due_soon(const store::obligation_record& o, time_point now, effects& fx) {
  if (auto s = st.mark_warned(o.obligation_id); !s) return s;
  store::flag_record f;
  f.flag_type = flag_type::due_soon;
  f.dedupe_key = "due_soon/" + std::to_string(o.obligation_id);
  f.subject_key = o.subject_key;
  f.obligation_id = o.obligation_id;
  f.owed_by = o.owed_by;
  f.due_at = o.due_at;
  f.recipients = {o.owed_by};
  f.detail = o.kind + " owed by " + o.owed_by + " to " + o.owed_to + " is due " + iso(o.due_at);
  return raise(std::move(f), now, fx);
}

}  // namespace mab::ledger

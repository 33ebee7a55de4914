// What each kind of notification owes, and what it answers.
#include <algorithm>
#include <set>

#include "daemon/ledger/ledger_impl.h"

namespace mab::ledger {
namespace {

std::string episode_of(const mab::v1::MissingEpisode& m) {
  return m.episode_id().empty() ? m.police_reference() : m.episode_id();
}

}  // namespace

// Every delivery of a body kind that policy marks as needing acknowledgement owes one.
status ledger::impl::on_ack_required(const mab::v1::Notification& n,
                                     const std::vector<std::string>& recipients,
                                     const std::string& sk, time_point now, effects& fx,
                                     std::uint64_t part_id) {
  for (const auto& r : recipients) {
    store::obligation_record o;
    o.kind = "acknowledgement";
    o.ref = n.message_id() + "/" + r;
    o.subject_key = sk;
    o.owed_by = r;
    o.owed_to = n.sender();
    o.opened_at = now;
    o.due_at = due(now, cfg.ledger.acknowledgement_due, area_of_agency(r));
    o.warn_at = warn(now, o.due_at);
    nlohmann::json data{{"message_id", n.message_id()}};
    if (part_id != 0) {
      data["part_id"] = part_id;
      data["transfer_id"] = n.record_part().transfer_id();
    }
    o.data = data.dump();
    if (auto s = open_obligation(std::move(o), fx); !s) return s;
  }
  return ok_status();
}

// A referral to a front door owes the referrer an outcome, with a decision on every concern.
status ledger::impl::on_referral(const mab::v1::Notification& n,
                                 const std::vector<std::string>& recipients, const std::string& sk,
                                 time_point now, effects& fx) {
  std::vector<std::string> concerns;
  for (const auto& c : n.referral().concerns()) concerns.push_back(c.concern_id());
  for (const auto& r : recipients) {
    if (!is_front_door_kind(r)) continue;
    store::obligation_record o;
    o.kind = "referral_outcome";
    o.ref = n.message_id() + "/" + r;
    o.subject_key = sk;
    o.owed_by = r;
    o.owed_to = n.sender();
    o.opened_at = now;
    o.due_at = due(now, cfg.ledger.referral_outcome_due, area_of_agency(r));
    o.warn_at = warn(now, o.due_at);
    o.data = nlohmann::json{{"referral_id", n.referral().referral_id()}, {"concerns", concerns}}.dump();
    if (auto s = open_obligation(std::move(o), fx); !s) return s;
  }
  return ok_status();
}

// An outcome answers the referral it correlates with. One concern discounted does not make the
// others go away: every concern without a decision is flagged to the referrer.
status ledger::impl::on_outcome(const mab::v1::Notification& n, time_point now, effects& fx) {
  if (n.correlation_id().empty()) return ok_status();
  auto found = st.find_obligation("referral_outcome", n.correlation_id() + "/" + n.sender());
  if (!found) return found.err();
  if (!found->has_value()) return ok_status();
  const auto o = std::move(**found);
  if (auto s = fulfil(o, now, fx); !s) return s;

  std::set<std::string> decided;
  for (const auto& d : n.referral_outcome().decisions()) {
    if (d.decision() != mab::v1::ConcernDecision::DECISION_UNSPECIFIED) decided.insert(d.concern_id());
  }
  std::vector<std::string> open;
  const auto data = nlohmann::json::parse(o.data, nullptr, false);
  if (data.is_object() && data.contains("concerns")) {
    for (const auto& c : data["concerns"]) {
      if (c.is_string() && decided.count(c.get<std::string>()) == 0) open.push_back(c.get<std::string>());
    }
  }
  if (open.empty()) return ok_status();
  store::flag_record f;
  f.flag_type = flag_type::concerns_not_addressed;
  f.dedupe_key = "concerns/" + std::to_string(o.obligation_id);
  f.subject_key = o.subject_key;
  f.owed_by = o.owed_by;
  f.recipients = {o.owed_to};
  std::string ids;
  for (const auto& c : open) ids += (ids.empty() ? "" : ", ") + c;
  f.detail = "the outcome from " + o.owed_by + " decides " + std::to_string(decided.size()) +
             " concern(s) but none of: " + ids + "; they still need a decision";
  return raise(std::move(f), now, fx);
}

// Missing episodes: high risk tells the child's front door at once; every episode prompts a CSE
// consideration; a return owes the child a return home interview.
status ledger::impl::on_missing(const mab::v1::Notification& n, const std::string& sk,
                                time_point now, effects& fx) {
  const auto& m = n.missing_episode();
  const std::string episode = episode_of(m);
  const std::string area = area_of(n);
  const std::string front_door = front_door_of_area(area);
  switch (m.status()) {
    case mab::v1::MissingEpisode::REPORTED_MISSING: {
      if (m.risk_grade() == mab::v1::MissingEpisode::HIGH) {
        store::flag_record f;
        f.flag_type = flag_type::high_risk_missing;
        f.dedupe_key = "high_risk/" + n.sender() + "/" + episode;
        f.subject_key = sk;
        f.recipients = told(area, {});
        f.detail = "reported missing at high risk by " + n.sender() + " (episode " + episode +
                   "): immediate safe-and-well check";
        if (auto s = raise(std::move(f), now, fx); !s) return s;
      }
      store::flag_record cse;
      cse.flag_type = flag_type::cse_consideration;
      cse.dedupe_key = "cse/" + n.sender() + "/" + episode;
      cse.subject_key = sk;
      cse.recipients = told(area, {});
      cse.detail = "missing episode " + episode + ": consider child sexual exploitation (" +
                   std::to_string(m.cse_indicators_size()) + " indicator(s) reported" +
                   (m.cse_considered() ? ", police have considered it" : "") + ")";
      return raise(std::move(cse), now, fx);
    }
    case mab::v1::MissingEpisode::RETURNED: {
      if (auto s = clear_by_key("high_risk/" + n.sender() + "/" + episode, now, fx); !s) return s;
      if (front_door.empty()) return ok_status();  // no front door configured for the area
      store::obligation_record o;
      o.kind = "return_interview";
      o.ref = episode;
      o.subject_key = sk;
      o.owed_by = front_door;
      o.owed_to = n.sender();
      o.opened_at = now;
      const time_point returned = m.has_returned_at() ? from_unix_ms(m.returned_at().seconds() * 1000) : now;
      o.due_at = due(std::min(returned, now), cfg.ledger.return_interview_due, area);
      o.warn_at = warn(std::min(returned, now), o.due_at);
      o.data = nlohmann::json{{"episode", episode}}.dump();
      return open_obligation(std::move(o), fx);
    }
    case mab::v1::MissingEpisode::RETURN_INTERVIEW_HELD: {
      auto found = st.find_obligation("return_interview", episode);
      if (!found) return found.err();
      if (!found->has_value()) return ok_status();
      return fulfil(**found, now, fx);
    }
    default:
      return ok_status();
  }
}

}  // namespace mab::ledger

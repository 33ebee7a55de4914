#include "daemon/ledger/ledger.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "daemon/ledger/ledger_impl.h"
#include "daemon/validate/validate.h"

namespace mab::ledger {

std::string iso(time_point t) {
  const auto secs = std::chrono::floor<std::chrono::seconds>(t);
  const auto day = std::chrono::floor<std::chrono::days>(secs);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss hms(secs - day);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02lldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                static_cast<long long>(hms.seconds().count()));
  return buf;
}

void effects::merge(effects&& other) {
  raised.insert(raised.end(), std::make_move_iterator(other.raised.begin()),
                std::make_move_iterator(other.raised.end()));
  cleared.insert(cleared.end(), std::make_move_iterator(other.cleared.begin()),
                 std::make_move_iterator(other.cleared.end()));
  audit.insert(audit.end(), std::make_move_iterator(other.audit.begin()),
               std::make_move_iterator(other.audit.end()));
}

ledger::ledger(const config::config& cfg, const calendar::calendar& cal, store::store& st,
               const subjects::keyer& keyer)
    : impl_(std::make_shared<impl>(cfg, cal, st, keyer)) {}

time_point ledger::next_send(time_point now) const {
  return impl_->due(now, impl_->cfg.ledger.flag_resend, "");
}

result<effects> ledger::on_accepted(const mab::v1::Notification& n,
                                    const std::vector<std::string>& recipients, time_point now) {
  auto& m = *impl_;
  effects fx;
  const auto keys = subjects::identifier_keys(m.keyer, n.subject());
  const std::string sk = keys.empty() ? std::string() : keys.front();
  auto subject = m.link_subject(n, now);
  if (!subject) return subject.err();
  if (*subject != 0) {
    if (auto s = m.check_facts(*subject, sk, n, now, fx); !s) return s.err();
    for (const auto& agency : recipients) {
      if (auto s = m.st.add_contact(*subject, agency, now); !s) return s.err();
    }
    if (auto s = m.st.add_contact(*subject, n.sender(), now); !s) return s.err();
  }
  std::uint64_t part_id = 0;
  if (auto s = m.track_transfers(*subject, sk, n, recipients, now, fx, part_id); !s) return s.err();
  const std::string kind = validate::body_kind(n);
  status s = ok_status();
  // A record part is always tracked to its acknowledgement: the transfer completes on it.
  if (m.cfg.ledger.ack_required.count(kind) > 0 || part_id != 0) {
    s = m.on_ack_required(n, recipients, sk, now, fx, part_id);
  }
  if (!s) return s.err();
  if (n.has_referral()) s = m.on_referral(n, recipients, sk, now, fx);
  if (n.has_referral_outcome()) s = m.on_outcome(n, now, fx);
  if (n.has_missing_episode()) s = m.on_missing(n, sk, now, fx);
  if (!s) return s.err();
  if (*subject != 0) {
    if (auto t = m.after_completion(*subject, n, recipients, now); !t) return t.err();
  }
  return fx;
}

result<effects> ledger::on_acked(const std::string& message_id, const std::string& recipient,
                                 time_point now) {
  auto& m = *impl_;
  effects fx;
  auto o = m.st.find_obligation("acknowledgement", message_id + "/" + recipient);
  if (!o) return o.err();
  if (!o->has_value()) return fx;
  if (auto s = m.fulfil(**o, now, fx); !s) return s.err();
  const auto data = nlohmann::json::parse((*o)->data, nullptr, false);
  if (data.is_object() && data.contains("part_id") && data.contains("transfer_id")) {
    if (auto s = m.on_part_acked(data["transfer_id"].get<std::string>(),
                                 data["part_id"].get<std::uint64_t>(), now, fx);
        !s) {
      return s.err();
    }
  }
  return fx;
}

result<effects> ledger::on_delivered(const std::string& message_id, const std::string& recipient,
                                     time_point now) {
  auto& m = *impl_;
  effects fx;
  auto o = m.st.find_obligation("acknowledgement", message_id + "/" + recipient);
  if (!o) return o.err();
  if (!o->has_value()) return fx;
  auto part = m.part_of(**o);
  if (!part) return part.err();
  if (!part->has_value() || (*part)->state != "sent") return fx;
  auto p = std::move(**part);
  p.state = "delivered";
  if (auto s = m.st.update_part(p); !s) return s.err();
  fx.audit.push_back({"part.delivered", (*o)->subject_key,
                      nlohmann::json{{"transfer_id", p.transfer_id}, {"part_id", p.part_id},
                                     {"owed_by", p.owed_by}, {"recipient", recipient}}
                          .dump()});
  if (auto s = m.note(p.transfer_id, now, "delivered: " + p.kind + " from " + p.owed_by +
                                              " handed to " + recipient);
      !s) {
    return s.err();
  }
  return fx;
}

// ---- helpers ----

time_point ledger::impl::due(time_point start, const calendar::duration& d,
                             const std::string& area) const {
  auto t = cal.add(start, d, area);
  if (t) return *t;
  spdlog::warn("deadline calendar: {}; counting {} as plain days", t.message(), calendar::to_string(d));
  return start + std::chrono::hours(24) * d.n;
}

std::optional<time_point> ledger::impl::warn(time_point start, time_point due_at) const {
  const double f = cfg.ledger.due_soon_fraction;
  if (f <= 0.0 || f >= 1.0) return std::nullopt;
  return calendar::warn_at(start, due_at, f);
}

std::string ledger::impl::front_door_of_area(const std::string& area) const {
  const auto* a = cfg.find_area(area);
  return a ? a->front_door : std::string();
}

std::string ledger::impl::area_of_agency(const std::string& agency) const {
  const auto* a = cfg.find_agency(agency);
  return a ? a->area : std::string();
}

std::string ledger::impl::area_of(const mab::v1::Notification& n) const {
  return n.subject().area().empty() ? area_of_agency(n.sender()) : n.subject().area();
}

std::vector<std::string> ledger::impl::told(const std::string& area,
                                            std::vector<std::string> also) const {
  std::vector<std::string> out;
  const auto add = [&](const std::string& id) {
    if (!id.empty() && cfg.find_agency(id) && std::find(out.begin(), out.end(), id) == out.end()) {
      out.push_back(id);
    }
  };
  for (const auto& id : also) add(id);
  if (const auto* a = cfg.find_area(area)) {
    add(a->front_door);
    for (const auto& id : a->escalation) add(id);
  }
  return out;
}

bool ledger::impl::is_front_door_kind(const std::string& agency) const {
  const auto* a = cfg.find_agency(agency);
  return a && (a->kind == "csc" || a->kind == "mash");
}

status ledger::impl::open_obligation(store::obligation_record o, effects& fx) {
  auto id = st.add_obligation(o);
  if (!id) return id.err();
  if (!id->has_value()) return ok_status();  // already owed: a repeat of the same fact
  fx.audit.push_back({"obligation.opened", o.subject_key,
                      nlohmann::json{{"obligation_id", **id}, {"kind", o.kind}, {"ref", o.ref},
                                     {"owed_by", o.owed_by}, {"owed_to", o.owed_to},
                                     {"due_at", iso(o.due_at)}}
                          .dump()});
  return ok_status();
}

status ledger::impl::fulfil(const store::obligation_record& o, time_point now, effects& fx) {
  auto closed = st.close_obligation(o.obligation_id, store::obligation_state::fulfilled, now);
  if (!closed) return closed.err();
  if (*closed) {
    fx.audit.push_back({"obligation.fulfilled", o.subject_key,
                        nlohmann::json{{"obligation_id", o.obligation_id}, {"kind", o.kind},
                                       {"owed_by", o.owed_by},
                                       {"late", o.state == store::obligation_state::overdue}}
                            .dump()});
  }
  return clear_flags_of(o.obligation_id, now, fx);
}

status ledger::impl::raise(store::flag_record f, time_point now, effects& fx) {
  f.raised_at = now;
  f.next_send_at = now;
  auto id = st.raise_flag(f);
  if (!id) return id.err();
  if (!id->has_value()) return ok_status();  // this fact already raised its flag, once
  f.flag_id = **id;
  fx.audit.push_back({"flag.raised", f.subject_key,
                      nlohmann::json{{"flag_id", f.flag_id}, {"flag_type", f.flag_type},
                                     {"owed_by", f.owed_by}, {"recipients", f.recipients}}
                          .dump()});
  spdlog::warn("flag {} {} raised: {} (told {})", f.flag_id, f.flag_type, f.detail,
               nlohmann::json(f.recipients).dump());
  fx.raised.push_back(std::move(f));
  return ok_status();
}

status ledger::impl::clear_flags_of(std::uint64_t obligation_id, time_point now, effects& fx) {
  auto flags = st.flags_for_obligation(obligation_id);
  if (!flags) return flags.err();
  for (auto& f : *flags) {
    auto cleared = st.clear_flag(f.flag_id, now);
    if (!cleared) return cleared.err();
    if (!*cleared) continue;
    f.state = store::flag_state::cleared;
    f.cleared_at = now;
    fx.audit.push_back({"flag.cleared", f.subject_key,
                        nlohmann::json{{"flag_id", f.flag_id}, {"flag_type", f.flag_type}}.dump()});
    fx.cleared.push_back(std::move(f));
  }
  return ok_status();
}

status ledger::impl::clear_by_key(const std::string& dedupe_key, time_point now, effects& fx) {
  auto f = st.find_flag_by_key(dedupe_key);
  if (!f) return f.err();
  if (!f->has_value() || (*f)->state != store::flag_state::raised) return ok_status();
  auto cleared = st.clear_flag((*f)->flag_id, now);
  if (!cleared) return cleared.err();
  if (!*cleared) return ok_status();
  auto flag = std::move(**f);
  flag.state = store::flag_state::cleared;
  flag.cleared_at = now;
  fx.audit.push_back({"flag.cleared", flag.subject_key,
                      nlohmann::json{{"flag_id", flag.flag_id}, {"flag_type", flag.flag_type}}.dump()});
  fx.cleared.push_back(std::move(flag));
  return ok_status();
}

}  // namespace mab::ledger

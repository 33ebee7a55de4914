// Cross-border record transfers. When a child moves area, every agency of the old area that was
// involved with the child within the look-back window owes its part of the record, as do the
// agencies policy names; each part has a deadline, and a missed one raises INCOMPLETE naming the
// agency (the Child MD lesson: three agencies knew, none transferred, nobody noticed).
#include <algorithm>
#include <set>

#include "daemon/ledger/ledger_impl.h"
#include "daemon/validate/validate.h"

namespace mab::ledger {
namespace {

bool school_age(const std::string& dob, time_point now) {
  auto d = calendar::parse_date(dob);
  if (!d) return false;
  const auto born = std::chrono::sys_days(*d);
  const auto age_days = std::chrono::duration_cast<std::chrono::days>(now - born).count();
  return age_days >= 5 * 365 && age_days < 17 * 365;
}

std::string part_obligation_ref(std::uint64_t part_id) { return "part/" + std::to_string(part_id); }

}  // namespace

result<std::optional<store::part_record>> ledger::impl::part_of(const store::obligation_record& ack) {
  const auto data = nlohmann::json::parse(ack.data, nullptr, false);
  if (!data.is_object() || !data.contains("part_id") || !data.contains("transfer_id")) {
    return std::optional<store::part_record>();
  }
  auto parts = st.parts(data["transfer_id"].get<std::string>());
  if (!parts) return parts.err();
  for (auto& p : *parts) {
    if (p.part_id == data["part_id"].get<std::uint64_t>()) return std::optional(std::move(p));
  }
  return std::optional<store::part_record>();
}

status ledger::impl::note(const std::string& transfer_id, time_point at, std::string what) {
  return st.add_timeline(transfer_id, {at, std::move(what)});
}

status ledger::impl::track_transfers(std::uint64_t subject, const std::string& sk,
                                     const mab::v1::Notification& n,
                                     const std::vector<std::string>& recipients, time_point now,
                                     effects& fx, std::uint64_t& part_id) {
  if (n.has_record_part()) return on_record_part(n, recipients, now, fx, part_id);
  if (subject == 0) return ok_status();
  std::string new_area = n.subject().area();
  if (n.has_housing_change() && !n.housing_change().new_area().empty()) {
    new_area = n.housing_change().new_area();
  }
  if (n.has_transfer_notice()) {
    const auto& t = n.transfer_notice();
    store::transfer_record rec;
    rec.transfer_id = t.transfer_id();
    rec.subject = subject;
    rec.subject_key = sk;
    rec.from_area = t.from_area();
    rec.to_area = t.to_area();
    rec.opened_by = n.message_id();
    rec.reason = "transfer_notice";
    rec.opened_at = now;
    if (auto s = open_transfer(std::move(rec), n, now, fx); !s) return s;
    new_area = t.to_area();
  }
  auto recorded = st.subject_area(subject);
  if (!recorded) return recorded.err();
  if (new_area.empty()) return ok_status();
  // Housing knows where a family came from even when mab has never heard of the child: a move
  // across a boundary is a transfer either way.
  std::optional<std::string> previous_value = *recorded;
  if (!previous_value && n.has_housing_change() && !n.housing_change().previous_area().empty()) {
    previous_value = n.housing_change().previous_area();
  }
  const std::optional<std::string>* previous = &previous_value;
  // A move is news only from someone who would know: housing reporting it, or an agency of the
  // new area seeing the child there. An old-area agency still writing the old area is stale.
  // And an old-area agency still writing the area the child moved away from is not news.
  bool moved_away = false;
  if (!n.has_housing_change()) {
    auto ts = st.transfers_of(subject);
    if (!ts) return ts.err();
    for (const auto& t : *ts) moved_away = moved_away || t.from_area == new_area;
  }
  const bool credible =
      n.has_housing_change() || (area_of_agency(n.sender()) == new_area && !moved_away);
  if (previous->has_value() && **previous != new_area && !n.has_transfer_notice() &&
      cfg.ledger.open_transfer_on_area_change && credible) {
    store::transfer_record rec;
    rec.transfer_id = "auto-" + n.message_id();
    rec.subject = subject;
    rec.subject_key = sk;
    rec.from_area = **previous;
    rec.to_area = new_area;
    rec.opened_by = n.message_id();
    rec.reason = "area_change";
    rec.opened_at = now;
    if (auto s = open_transfer(std::move(rec), n, now, fx); !s) return s;
  }
  if (!recorded->has_value() || credible || n.has_transfer_notice()) {
    return st.set_subject_area(subject, new_area, now);
  }
  return ok_status();
}

status ledger::impl::open_transfer(store::transfer_record t, const mab::v1::Notification& n,
                                   time_point now, effects& fx) {
  // One open transfer per move: a second notice (or a notice after an automatic opening) for
  // the same child and areas adds nothing.
  auto existing = st.transfers_of(t.subject);
  if (!existing) return existing.err();
  for (const auto& e : *existing) {
    if (e.state == store::transfer_state::open && e.from_area == t.from_area && e.to_area == t.to_area) {
      return ok_status();
    }
  }
  auto added = st.add_transfer(t);
  if (!added) return added.err();
  if (!*added) return ok_status();
  fx.audit.push_back({"transfer.opened", t.subject_key,
                      nlohmann::json{{"transfer_id", t.transfer_id}, {"from_area", t.from_area},
                                     {"to_area", t.to_area}, {"reason", t.reason},
                                     {"opened_by", n.sender()}}
                          .dump()});
  if (auto s = note(t.transfer_id, now, "transfer opened (" + t.reason + " from " + n.sender() +
                                            "): " + t.from_area + " -> " + t.to_area);
      !s) {
    return s;
  }
  // Policy first: an agency with a named part needs no generic one.
  const bool on_plan = n.has_transfer_notice() && n.transfer_notice().child_protection_plan();
  const bool of_school_age = school_age(n.subject().date_of_birth(), now);
  std::set<std::string> owing;
  for (const auto& rule : cfg.ledger.expected_parts) {
    const bool applies = rule.when == "always" || (rule.when == "child_protection_plan" && on_plan) ||
                         (rule.when == "school_age" && of_school_age);
    if (!applies) continue;
    for (const auto& a : cfg.agencies) {
      if (a.kind != rule.from_kind || a.area != t.from_area) continue;
      if (auto s = expect_part(t, a.id, rule.kind, "policy: " + rule.kind + " from the " + a.kind +
                                                        " (" + rule.when + ")", now, fx);
          !s) {
        return s;
      }
      owing.insert(a.id);
    }
  }
  auto involved = st.contacts(t.subject, now - std::chrono::duration_cast<time_point::duration>(
                                                    std::chrono::hours(24) * cfg.ledger.lookback.n));
  if (!involved) return involved.err();
  for (const auto& c : *involved) {
    if (owing.count(c.agency) > 0 || area_of_agency(c.agency) != t.from_area) continue;
    if (auto s = expect_part(t, c.agency, "ANY",
                             "history: involved with the child since " + iso(c.first_at), now, fx);
        !s) {
      return s;
    }
    owing.insert(c.agency);
  }
  return ok_status();
}

status ledger::impl::expect_part(const store::transfer_record& t, const std::string& agency,
                                 const std::string& kind, const std::string& why, time_point now,
                                 effects& fx) {
  store::part_record p;
  p.transfer_id = t.transfer_id;
  p.owed_by = agency;
  p.kind = kind;
  p.why = why;
  p.due_at = due(now, cfg.ledger.transfer_part_due, t.from_area);
  auto id = st.add_part(p);
  if (!id) return id.err();
  if (!id->has_value()) return ok_status();
  store::obligation_record o;
  o.kind = "transfer_part";
  o.ref = part_obligation_ref(**id);
  o.subject_key = t.subject_key;
  o.owed_by = agency;
  o.owed_to = front_door_of_area(t.to_area);
  o.opened_at = now;
  o.due_at = p.due_at;
  o.warn_at = warn(now, p.due_at);
  o.data = nlohmann::json{{"transfer_id", t.transfer_id}, {"part_id", **id}, {"kind", kind},
                          {"from_area", t.from_area}, {"to_area", t.to_area}}
               .dump();
  if (auto s = open_obligation(std::move(o), fx); !s) return s;
  return note(t.transfer_id, now,
              "expected: " + agency + " owes " + kind + " by " + iso(p.due_at) + " (" + why + ")");
}

status ledger::impl::on_record_part(const mab::v1::Notification& n,
                                    const std::vector<std::string>& recipients, time_point now,
                                    effects& fx, std::uint64_t& part_id) {
  const auto& rp = n.record_part();
  auto t = st.find_transfer(rp.transfer_id());
  if (!t) return t.err();
  if (!t->has_value()) return ok_status();  // a part for a transfer mab does not know: just routed
  const std::string kind = mab::v1::RecordPart::Kind_Name(rp.kind());
  auto parts = st.parts(rp.transfer_id());
  if (!parts) return parts.err();
  std::optional<store::part_record> part;
  for (const auto& p : *parts) {
    if (p.owed_by == n.sender() && (p.kind == kind || p.kind == "ANY")) part = p;
    if (part && part->kind == kind) break;
  }
  if (!part) {
    if (auto s = expect_part(**t, n.sender(), kind, "offered by " + n.sender(), now, fx); !s) return s;
    auto again = st.parts(rp.transfer_id());
    if (!again) return again.err();
    for (const auto& p : *again) {
      if (p.owed_by == n.sender() && p.kind == kind) part = p;
    }
    if (!part) return make_error("record part could not be recorded");
  }
  part->pieces_total = std::max(part->pieces_total, std::max(rp.total(), 1u));
  part->pieces_sent += 1;
  if (part->state == "expected") part->state = "sent";
  if (!part->sent_at) part->sent_at = now;
  if (!recipients.empty()) part->recipient = recipients.front();
  if (auto s = st.update_part(*part); !s) return s;
  part_id = part->part_id;
  fx.audit.push_back({"part.sent", (*t)->subject_key,
                      nlohmann::json{{"transfer_id", part->transfer_id}, {"part_id", part->part_id},
                                     {"owed_by", part->owed_by}, {"kind", kind},
                                     {"piece", std::max(rp.sequence(), 1u)},
                                     {"of", part->pieces_total}, {"message_id", n.message_id()}}
                          .dump()});
  if (auto s = note(part->transfer_id, now,
                    "sent: " + n.sender() + " sent " + kind + " piece " +
                        std::to_string(std::max(rp.sequence(), 1u)) + " of " +
                        std::to_string(part->pieces_total) + " to " + part->recipient);
      !s) {
    return s;
  }
  if (part->pieces_sent < part->pieces_total) return ok_status();
  // Every piece sent: the sending obligation is met (a late sender clears INCOMPLETE).
  auto o = st.find_obligation("transfer_part", part_obligation_ref(part->part_id));
  if (!o) return o.err();
  if (o->has_value()) return fulfil(**o, now, fx);
  return ok_status();
}

status ledger::impl::on_part_acked(const std::string& transfer_id, std::uint64_t part_id,
                                   time_point now, effects& fx) {
  auto parts = st.parts(transfer_id);
  if (!parts) return parts.err();
  bool complete = true;
  for (auto p : *parts) {
    if (p.part_id == part_id) {
      p.pieces_acked += 1;
      if (p.pieces_acked >= p.pieces_total && p.pieces_total > 0) {
        p.state = "acknowledged";
        p.acked_at = now;
        fx.audit.push_back({"part.acknowledged", "",
                            nlohmann::json{{"transfer_id", transfer_id}, {"part_id", p.part_id},
                                           {"owed_by", p.owed_by}, {"recipient", p.recipient}}
                                .dump()});
      }
      if (auto s = st.update_part(p); !s) return s;
      if (auto s = note(transfer_id, now, "acknowledged: " + p.recipient + " acknowledged " +
                                              p.kind + " from " + p.owed_by + " (" +
                                              std::to_string(p.pieces_acked) + " of " +
                                              std::to_string(p.pieces_total) + " pieces)");
          !s) {
        return s;
      }
    }
    complete = complete && p.state == "acknowledged";
  }
  if (!complete) return ok_status();
  auto done = st.complete_transfer(transfer_id, now);
  if (!done) return done.err();
  if (!*done) return ok_status();
  auto t = st.find_transfer(transfer_id);
  fx.audit.push_back({"transfer.completed", t && t->has_value() ? (*t)->subject_key : "",
                      nlohmann::json{{"transfer_id", transfer_id}}.dump()});
  return note(transfer_id, now, "complete: every expected part acknowledged");
}

status ledger::impl::after_completion(std::uint64_t subject, const mab::v1::Notification& n,
                                      const std::vector<std::string>& recipients, time_point now) {
  auto ts = st.transfers_of(subject);
  if (!ts) return ts.err();
  const std::string sender_area = area_of_agency(n.sender());
  for (const auto& t : *ts) {
    if (t.state != store::transfer_state::complete || t.from_area != sender_area) continue;
    std::string to;
    for (const auto& r : recipients) to += (to.empty() ? "" : ", ") + r;
    if (auto s = note(t.transfer_id, now,
                      "after completion: " + validate::body_kind(n) + " from " + n.sender() +
                          " (old area), delivered to " + to);
        !s) {
      return s;
    }
  }
  return ok_status();
}

result<std::vector<std::string>> ledger::extra_recipients(const mab::v1::Notification& n,
                                                          const std::vector<std::string>& routed) {
  auto& m = *impl_;
  std::vector<std::string> extra;
  const auto keys = subjects::identifier_keys(m.keyer, n.subject());
  if (keys.empty()) return extra;
  const std::string sender_area = m.area_of_agency(n.sender());
  std::set<std::uint64_t> seen;
  for (const auto& k : keys) {
    auto s = m.st.subject_for_key(k);
    if (!s) return s.err();
    if (!*s || !seen.insert(**s).second) continue;
    auto ts = m.st.transfers_of(**s);
    if (!ts) return ts.err();
    for (const auto& t : *ts) {
      if (t.state != store::transfer_state::complete || t.from_area != sender_area) continue;
      const std::string door = m.front_door_of_area(t.to_area);
      if (door.empty() || door == n.sender()) continue;
      if (std::find(routed.begin(), routed.end(), door) == routed.end() &&
          std::find(extra.begin(), extra.end(), door) == extra.end()) {
        extra.push_back(door);
      }
    }
  }
  return extra;
}

}  // namespace mab::ledger

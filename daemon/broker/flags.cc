// The ledger inside the broker's cycle: its effects become audit entries, and its flags become
// notifications from the broker itself ("mab"), signed with the broker's key, stored and
// delivered like any other, and re-sent at the policy interval until their cause is resolved.
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "daemon/broker/broker_impl.h"

namespace mab::broker {

bool broker::impl::apply_effects(mab::ledger::effects&& fx, mab::error& failure) {
  for (const auto& a : fx.audit) {
    if (!record(a.kind, a.subject_key, nlohmann::json::parse(a.data), failure)) return false;
  }
  for (const auto& f : fx.cleared) {
    if (!emit_flag(f, failure)) return false;
  }
  return true;  // raised flags go out with send_due_flags, due at once
}

bool broker::impl::ledger_tick(mab::error& failure) {
  const auto now = clk.now();
  if (now < next_ledger_tick) return true;
  next_ledger_tick = now + std::chrono::seconds(1);
  auto fx = ledger.on_tick(now);
  if (!fx) {
    failure = fx.err();
    return false;
  }
  return apply_effects(std::move(*fx), failure) && send_due_flags(failure);
}

bool broker::impl::send_due_flags(mab::error& failure) {
  const auto now = clk.now();
  auto due = st.flags_to_send(now, 200);
  if (!due) {
    failure = due.err();
    return false;
  }
  for (const auto& f : *due) {
    if (!emit_flag(f, failure)) return false;
    if (auto s = st.mark_flag_sent(f.flag_id, ledger.next_send(now)); !s) {
      failure = s.err();
      return false;
    }
  }
  return true;
}

bool broker::impl::emit_flag(const store::flag_record& f, mab::error& failure) {
  const auto now = clk.now();
  if (f.recipients.empty()) return true;  // nobody configured to tell; it stays on the ledger
  mab::v1::Notification n;
  n.set_message_id(crypto::uuid_v4());
  n.set_sender(config::broker_agency_id);
  for (const auto& r : f.recipients) n.add_recipients(r);
  *n.mutable_created_at() = wire::to_timestamp(now);
  auto* b = n.mutable_flag();
  b->set_flag_id(std::to_string(f.flag_id));
  b->set_flag_type(f.flag_type);
  b->set_state(f.state == store::flag_state::cleared ? "CLEARED" : (f.sends > 0 ? "ESCALATED" : "RAISED"));
  b->set_subject_key(f.subject_key);
  b->set_owed_by(f.owed_by);
  if (f.due_at) *b->mutable_due_at() = wire::to_timestamp(*f.due_at);
  *b->mutable_raised_at() = wire::to_timestamp(f.raised_at);
  b->set_detail(f.detail);
  const auto env = wire::sign_notification(signer, n);
  store::new_message m;
  m.message_id = n.message_id();
  m.sender = config::broker_agency_id;
  m.body_kind = "flag";
  m.envelope = wire::serialize(env);
  m.notification_sha256 = crypto::sha256(env.notification());
  m.received_at = now;
  m.recipients = f.recipients;
  auto seq = st.append_message(m);
  if (!seq) {
    failure = seq.err();
    return false;
  }
  ++counters.flags_sent;
  return record("flag.sent", f.subject_key,
                nlohmann::json{{"flag_id", f.flag_id}, {"flag_type", f.flag_type},
                               {"state", b->state()}, {"message_id", m.message_id},
                               {"recipients", f.recipients}, {"store_seq", *seq}},
                failure);
}

result<std::vector<store::obligation_record>> broker::obligations(
    std::optional<store::obligation_state> state, std::size_t limit) {
  return impl_->st.list_obligations(state, store::page{limit, 0});
}

result<std::vector<store::obligation_record>> broker::obligations(
    std::optional<store::obligation_state> state, store::page p) {
  return impl_->st.list_obligations(state, p);
}

result<std::vector<store::flag_record>> broker::flags(std::optional<store::flag_state> state,
                                                      std::size_t limit) {
  return impl_->st.list_flags(store::flag_filter{state, {}}, store::page{limit, 0});
}

result<std::vector<store::flag_record>> broker::flags(const store::flag_filter& f,
                                                      store::page p) {
  return impl_->st.list_flags(f, p);
}

result<std::optional<store::flag_record>> broker::flag(std::uint64_t flag_id) {
  return impl_->st.find_flag(flag_id);
}

result<bool> broker::acknowledge_flag(std::uint64_t flag_id, const std::string& by,
                                      const std::string& note) {
  auto& m = *impl_;
  if (by.empty() || note.empty()) {
    return make_error("acknowledging a flag needs who (by) and a note saying what was done");
  }
  bool found = false;
  auto s = m.transact([&](mab::error& failure) {
    auto r = m.st.ack_flag(flag_id, by, note, m.clk.now());
    if (!r) {
      failure = r.err();
      return false;
    }
    found = *r;
    // The note is kept with the flag; the trail holds its hash, so it cannot be rewritten unseen.
    return !found ||
           m.record("flag.acknowledged", "",
                    nlohmann::json{{"flag_id", flag_id}, {"by", by},
                                   {"note_sha256", crypto::to_hex(crypto::sha256(note))}},
                    failure);
  });
  if (!s) return s.err();
  return found;
}

}  // namespace mab::broker

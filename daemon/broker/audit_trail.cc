// The broker's side of the audit trail: every change to who holds what (accepted, acknowledged,
// refused, dead-lettered, replayed) becomes a hash-chained entry written in the same transaction
// as the change itself, and the chain is sealed by a broker-signed checkpoint at intervals.
#include <nlohmann/json.hpp>

#include "daemon/broker/broker_impl.h"

namespace mab::broker {

bool broker::impl::record(std::string_view kind, const std::string& subject_key,
                          const nlohmann::json& data, mab::error& failure) {
  if (!chain) {
    // Resume from what is stored: after a restart, or after a rollback discarded entries that
    // the in-memory chain had already counted.
    auto head = st.audit_head();
    if (!head) {
      failure = head.err();
      return false;
    }
    chain = head->has_value() ? audit::chain((*head)->seq, (*head)->hash) : audit::chain();
  }
  const auto e = chain->append(to_unix_ms(clk.now()), std::string(kind), subject_key, data.dump());
  store::audit_record r{e.seq, e.at_ms, e.kind, e.subject_key, e.data, e.prev_hash, e.hash};
  if (auto s = st.append_audit(r); !s) {
    failure = s.err();
    chain.reset();
    return false;
  }
  ++unsealed;
  return true;
}

bool broker::impl::maybe_checkpoint(bool force, mab::error& failure) {
  if (unsealed == 0 || !chain) return true;
  const auto now = clk.now();
  const auto interval = std::chrono::milliseconds(
      static_cast<std::int64_t>(cfg.broker.audit_checkpoint_seconds * 1000.0));
  if (!force && unsealed < cfg.broker.audit_checkpoint_entries && now - last_checkpoint < interval) {
    return true;
  }
  const auto cp = audit::seal_checkpoint(signer, chain->last_seq(), to_unix_ms(now), chain->last_hash());
  if (auto s = st.append_checkpoint({cp.seq, cp.at_ms, cp.head_hash, cp.key_id, cp.signature}); !s) {
    failure = s.err();
    return false;
  }
  pending_seal = true;
  return true;
}

void broker::impl::after_commit() {
  for (const double seconds : ack_latencies) counters.ack_latency_seconds.observe(seconds);
  ack_latencies.clear();
  if (pending_seal) {
    unsealed = 0;
    last_checkpoint = clk.now();
    pending_seal = false;
  }
}

void broker::impl::after_rollback() {
  chain.reset();  // entries written in the failed transaction are gone
  pending_seal = false;
  ack_latencies.clear();
}

std::string broker::impl::subject_key_of(const mab::v1::Notification& n) const {
  const auto keys = subjects::identifier_keys(keyer, n.subject());
  return keys.empty() ? std::string() : keys.front();
}

nlohmann::json broker::impl::accepted_entry(const store::new_message& m, std::uint64_t seq,
                                            const std::vector<std::string>& subject_keys) const {
  return nlohmann::json{{"message_id", m.message_id},
                        {"sender", m.sender},
                        {"body_kind", m.body_kind},
                        {"recipients", m.recipients},
                        {"store_seq", seq},
                        {"notification_sha256", crypto::to_hex(m.notification_sha256)},
                        {"subject_keys", subject_keys}};
}

}  // namespace mab::broker

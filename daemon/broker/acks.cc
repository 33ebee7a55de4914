// ACK and REFUSE: a recipient's signed answer to a delivery. Verified as it arrives, recorded in
// the cycle's transaction, and reported to the sender as a durable notice.
#include <algorithm>
#include <chrono>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "daemon/broker/broker_impl.h"

namespace mab::broker {
namespace {

// The signing key of `agency` that made `sealed`, or nullptr.
const config::signing_key* signer_key(const config::config& cfg, const std::string& agency,
                                      const mab::v1::Sealed& sealed) {
  const config::signing_key* key = nullptr;
  const config::agency* owner = cfg.agency_for_key(sealed.key_id(), &key);
  return owner != nullptr && owner->id == agency ? key : nullptr;
}

}  // namespace

void broker::impl::on_ack(const std::string& peer, const std::string& agency,
                          const std::string& payload) {
  mab::v1::Sealed sealed;
  mab::v1::Ack ack;
  if (!sealed.ParseFromString(payload)) {
    reply_error(peer, wire::cmd::error, mab::v1::MALFORMED_PROTOBUF, "ack", "ACK payload is not a mab.v1.Sealed");
    return;
  }
  const auto* key = signer_key(cfg, agency, sealed);
  if (key == nullptr) {
    reply_error(peer, wire::cmd::error, mab::v1::KEY_NOT_SENDERS, "ack.key_id",
                "the ack is not signed with a key of '" + agency + "'");
    return;
  }
  if (!wire::open_sealed(sealed, wire::sealed_type::ack, key->public_key, ack)) {
    reply_error(peer, wire::cmd::error, mab::v1::BAD_SIGNATURE, "ack.signature",
                "the ack's signature does not verify, or it is not an Ack");
    return;
  }
  if (ack.recipient() != agency) {
    reply_error(peer, wire::cmd::error, mab::v1::SENDER_MISMATCH, "ack.recipient",
                "the ack names '" + ack.recipient() + "' but the connection is '" + agency + "'");
    return;
  }
  pending_ack p;
  p.peer = peer;
  p.agency = agency;
  p.message_id = ack.message_id();
  p.sealed = payload;
  p.sealed_msg = std::move(sealed);
  p.acked_at = clk.now();
  acks.push_back(std::move(p));
}

void broker::impl::on_refuse(const std::string& peer, const std::string& agency,
                             const std::string& payload) {
  mab::v1::Sealed sealed;
  mab::v1::Refusal refusal;
  if (!sealed.ParseFromString(payload)) {
    reply_error(peer, wire::cmd::error, mab::v1::MALFORMED_PROTOBUF, "refusal", "REFUSE payload is not a mab.v1.Sealed");
    return;
  }
  const auto* key = signer_key(cfg, agency, sealed);
  if (key == nullptr || !wire::open_sealed(sealed, wire::sealed_type::refusal, key->public_key, refusal)) {
    reply_error(peer, wire::cmd::error, mab::v1::BAD_SIGNATURE, "refusal.signature",
                "the refusal is not a Refusal signed with a key of '" + agency + "'");
    return;
  }
  if (refusal.recipient() != agency) {
    reply_error(peer, wire::cmd::error, mab::v1::SENDER_MISMATCH, "refusal.recipient",
                "the refusal names '" + refusal.recipient() + "' but the connection is '" + agency + "'");
    return;
  }
  refusals.push_back({peer, agency, refusal.message_id(), refusal.reason().substr(0, 500)});
}

bool broker::impl::apply_answers(mab::error& failure) {
  const auto now = clk.now();
  for (auto& a : acks) {
    auto r = st.record_ack(a.message_id, a.agency, a.acked_at, a.sealed);
    if (!r) {
      failure = r.err();
      return false;
    }
    if (r->result != store::ack_outcome::recorded) {
      if (r->result == store::ack_outcome::not_found) {
        reply_error(a.peer, wire::cmd::error, mab::v1::NOT_DELIVERED_TO_YOU, "ack.message_id",
                    "no delivery of '" + a.message_id + "' to '" + a.agency + "'");
      }
      continue;  // already acknowledged: a repeated ack is harmless
    }
    forget_in_flight(a.agency, r->delivery_id);
    if (!record("delivery.acked", "",
                nlohmann::json{{"message_id", a.message_id}, {"recipient", a.agency},
                               {"sender", r->sender},
                               {"ack_sha256", crypto::to_hex(crypto::sha256(a.sealed))}},
                failure)) {
      return false;
    }
    ++counters.acks;
    const std::chrono::duration<double> latency = a.acked_at - r->received_at;
    ack_latencies.push_back(std::max(0.0, latency.count()));
    auto fx = ledger.on_acked(a.message_id, a.agency, now);
    if (!fx) {
      failure = fx.err();
      return false;
    }
    if (!apply_effects(std::move(*fx), failure)) return false;
    spdlog::info("message '{}' acknowledged by '{}'", a.message_id, a.agency);
    // The broker's own flags need no notice back: it has no receiver.
    if (r->sender == config::broker_agency_id) continue;
    mab::v1::AckNotice notice;
    notice.set_message_id(a.message_id);
    notice.set_recipient(a.agency);
    *notice.mutable_acked_at() = wire::to_timestamp(a.acked_at);
    *notice.mutable_ack() = a.sealed_msg;
    auto sealed = wire::seal(signer, wire::sealed_type::ack_notice, notice);
    auto n = st.append_notice(r->sender, wire::serialize(sealed), now);
    if (!n) {
      failure = n.err();
      return false;
    }
  }
  for (auto& f : refusals) {
    auto r = st.record_refusal(f.message_id, f.agency, f.reason, now, cfg.broker.max_refusals,
                               now + backoff(1));
    if (!r) {
      failure = r.err();
      return false;
    }
    if (r->result == store::refusal_outcome::not_found) {
      reply_error(f.peer, wire::cmd::error, mab::v1::NOT_DELIVERED_TO_YOU, "refusal.message_id",
                  "no delivery of '" + f.message_id + "' to '" + f.agency + "'");
      continue;
    }
    if (r->result != store::refusal_outcome::retry && r->result != store::refusal_outcome::dead_lettered) continue;
    forget_in_flight(f.agency, r->delivery_id);
    const bool dead = r->result == store::refusal_outcome::dead_lettered;
    if (!record(dead ? "delivery.dead_lettered" : "delivery.refused", "",
                nlohmann::json{{"message_id", f.message_id}, {"recipient", f.agency},
                               {"sender", r->sender}, {"refusals", r->refusals}},
                failure)) {
      return false;
    }
    ++counters.refusals;
    spdlog::warn("message '{}' refused by '{}' ({} of {})", f.message_id, f.agency, r->refusals,
                 cfg.broker.max_refusals);
    if (r->result != store::refusal_outcome::dead_lettered) continue;
    ++counters.dead_letters;
    if (r->sender == config::broker_agency_id) {
      // A flag nobody would take: operators see it in the dead-letter store and on the ledger.
      spdlog::error("flag message '{}' dead-lettered after {} refusals by '{}'", f.message_id,
                    r->refusals, f.agency);
      continue;
    }
    mab::v1::DeadLetterNotice notice;
    notice.set_message_id(f.message_id);
    notice.set_recipient(f.agency);
    notice.set_refusals(r->refusals);
    notice.set_last_reason(f.reason);
    *notice.mutable_dead_at() = wire::to_timestamp(now);
    auto sealed = wire::seal(signer, wire::sealed_type::dead_letter_notice, notice);
    auto n = st.append_notice(r->sender, wire::serialize(sealed), now);
    if (!n) {
      failure = n.err();
      return false;
    }
    spdlog::error("message '{}' dead-lettered after {} refusals by '{}'; sender '{}' told",
                  f.message_id, r->refusals, f.agency, r->sender);
  }
  for (const auto& c : notice_acks) {
    auto r = st.confirm_notice(c.agency, c.notice_id);
    if (!r) {
      failure = r.err();
      return false;
    }
  }
  return true;
}

}  // namespace mab::broker

// SUBMIT: every check that needs no store runs as the frame arrives; what passes waits for the
// cycle's transaction, where duplicates are settled and the message is stored.
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "daemon/broker/broker_impl.h"
#include "daemon/routing/routing.h"

namespace mab::broker {
namespace {

validate::rejection rej(mab::v1::ReasonCode code, std::string field, std::string detail) {
  return validate::rejection{code, std::move(field), std::move(detail)};
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

}  // namespace

void broker::impl::reject(const std::string& peer, mab::v1::Receipt receipt,
                          const validate::rejection& r) {
  receipt.set_status(mab::v1::Receipt::REJECTED);
  receipt.set_reason(r.reason);
  receipt.set_field(r.field);
  receipt.set_detail(r.detail);
  ++counters.rejected;
  ++counters.rejected_by_reason[mab::v1::ReasonCode_Name(r.reason)];
  // The detail may quote a submitted value (an NHS number, say): it goes back to the sender
  // only, never into the log.
  spdlog::warn("rejected message '{}' from '{}': {} on '{}'", receipt.message_id(),
               peer_agency.count(peer) ? peer_agency[peer] : std::string("?"),
               mab::v1::ReasonCode_Name(r.reason), r.field);
  send_receipt(peer, wire::cmd::receipt, std::move(receipt));
}

std::optional<validate::rejection> broker::impl::check_submit(
    const std::string& agency, const mab::v1::SignedEnvelope& env, mab::v1::Notification& n,
    std::vector<std::string>& recipients) {
  if (env.notification().empty()) {
    return rej(mab::v1::MISSING_FIELD, "envelope.notification", "the envelope carries no notification bytes");
  }
  const config::signing_key* key = nullptr;
  const config::agency* owner = cfg.agency_for_key(env.key_id(), &key);
  if (owner == nullptr) {
    return rej(mab::v1::UNKNOWN_KEY, "envelope.key_id",
               "signing key '" + env.key_id().substr(0, 80) + "' is not registered to any agency");
  }
  if (owner->id != agency) {
    return rej(mab::v1::KEY_NOT_SENDERS, "envelope.key_id",
               "signing key '" + env.key_id() + "' belongs to agency '" + owner->id +
                   "', not to '" + agency + "', the agency this connection authenticated as");
  }
  if (!crypto::verify(key->public_key, env.notification(), env.signature())) {
    return rej(mab::v1::BAD_SIGNATURE, "envelope.signature",
               "the Ed25519 signature does not verify over the notification bytes with key '" +
                   env.key_id() + "'");
  }
  if (!n.ParseFromString(env.notification())) {
    return rej(mab::v1::MALFORMED_PROTOBUF, "envelope.notification",
               "the signed bytes are not a mab.v1.Notification");
  }
  if (n.sender().empty()) return rej(mab::v1::MISSING_FIELD, "sender", "sender is required");
  if (cfg.find_agency(n.sender()) == nullptr) {
    return rej(mab::v1::UNKNOWN_SENDER, "sender",
               "'" + n.sender().substr(0, 80) + "' is not a registered agency");
  }
  if (n.sender() != agency) {
    return rej(mab::v1::SENDER_MISMATCH, "sender",
               "sender is '" + n.sender() + "' but this connection authenticated as '" + agency +
                   "'");
  }
  validate::limits lim;
  lim.clock_skew = std::chrono::seconds(cfg.broker.clock_skew_seconds);
  if (auto r = validate::check(n, clk.now(), lim)) return r;
  auto routed = routing::route(cfg, *cfg.find_agency(agency), n);
  if (auto* r = std::get_if<validate::rejection>(&routed)) return *r;
  recipients = std::get<std::vector<std::string>>(std::move(routed));
  return std::nullopt;
}

bool broker::impl::is_stored_copy(const mab::v1::Notification& n,
                                  const mab::v1::SignedEnvelope& env) {
  auto existing = st.find_message(n.message_id());
  return existing && existing->has_value() &&
         (*existing)->notification_sha256 == crypto::sha256(env.notification());
}

void broker::impl::on_submit(const std::string& peer, const std::string& agency,
                             std::string payload) {
  mab::v1::Receipt receipt;
  *receipt.mutable_received_at() = wire::to_timestamp(clk.now());
  receipt.set_envelope_sha256(crypto::sha256(payload));
  if (payload.size() > cfg.broker.max_message_bytes) {
    reject(peer, std::move(receipt),
           rej(mab::v1::MESSAGE_TOO_LARGE, "envelope",
               std::to_string(payload.size()) + " bytes; the limit is " +
                   std::to_string(cfg.broker.max_message_bytes)));
    return;
  }
  mab::v1::SignedEnvelope env;
  if (!env.ParseFromString(payload)) {
    reject(peer, std::move(receipt),
           rej(mab::v1::MALFORMED_PROTOBUF, "envelope", "the SUBMIT payload is not a mab.v1.SignedEnvelope"));
    return;
  }
  mab::v1::Notification n;
  std::vector<std::string> recipients;
  auto problem = check_submit(agency, env, n, recipients);
  receipt.set_message_id(n.message_id());
  if (problem && problem->reason == mab::v1::CLOCK_SKEW && is_stored_copy(n, env)) {
    // A sender re-sending what we already hold, long after, must learn DUPLICATE (its
    // message is safe), not that its clock is wrong.
    problem.reset();
  }
  if (problem) {
    reject(peer, std::move(receipt), *problem);
    return;
  }
  pending_submit p;
  p.peer = peer;
  p.message.message_id = n.message_id();
  p.message.sender = n.sender();
  p.message.body_kind = validate::body_kind(n);
  p.message.notification_sha256 = crypto::sha256(env.notification());
  p.message.received_at = clk.now();
  p.message.recipients = std::move(recipients);
  p.subject_keys = subjects::identifier_keys(keyer, n.subject());
  p.notification = std::move(n);
  p.message.envelope = std::move(payload);
  p.receipt = std::move(receipt);
  submits.push_back(std::move(p));
}

bool broker::impl::link_subject(const std::vector<std::string>& subject_keys, std::uint64_t seq,
                                mab::error& failure) {
  if (subject_keys.empty()) return true;
  // The ledger has just linked every key of this notification into one subject.
  auto subject = st.subject_for_key(subject_keys.front());
  if (!subject) {
    failure = subject.err();
    return false;
  }
  if (!subject->has_value()) return true;
  if (auto s = st.link_message(**subject, seq); !s) {
    failure = s.err();
    return false;
  }
  return true;
}

bool broker::impl::apply_submits(std::vector<std::pair<std::string, mab::v1::Receipt>>& receipts,
                                 mab::error& failure) {
  for (auto& s : submits) {
    auto existing = st.find_message(s.message.message_id);
    if (!existing) {
      failure = existing.err();
      return false;
    }
    mab::v1::Receipt r = s.receipt;
    if (existing->has_value()) {
      const auto& old = **existing;
      if (old.notification_sha256 == s.message.notification_sha256) {
        // The original receipt's facts, so a sender that lost its receipt learns the same.
        r.set_status(mab::v1::Receipt::DUPLICATE);
        r.set_store_seq(old.seq);
        *r.mutable_received_at() = wire::to_timestamp(old.received_at);
        for (const auto& rc : old.recipients) r.add_recipients(rc);
        ++counters.duplicates;
      } else {
        r.set_status(mab::v1::Receipt::REJECTED);
        r.set_reason(mab::v1::DUPLICATE_CONFLICT);
        r.set_field("message_id");
        r.set_detail("message_id was already used (store seq " + std::to_string(old.seq) +
                     ") for different notification bytes; a new message needs a new id");
        ++counters.rejected;
        ++counters.rejected_by_reason["DUPLICATE_CONFLICT"];
      }
      receipts.emplace_back(s.peer, std::move(r));
      continue;
    }
    auto extra = ledger.extra_recipients(s.notification, s.message.recipients);
    if (!extra) {
      failure = extra.err();
      return false;
    }
    s.message.recipients.insert(s.message.recipients.end(), extra->begin(), extra->end());
    auto seq = st.append_message(s.message);
    if (!seq) {
      failure = seq.err();
      return false;
    }
    if (!record("message.accepted", s.subject_keys.empty() ? std::string() : s.subject_keys.front(),
                accepted_entry(s.message, *seq, s.subject_keys), failure)) {
      return false;
    }
    auto fx = ledger.on_accepted(s.notification, s.message.recipients, clk.now());
    if (!fx) {
      failure = fx.err();
      return false;
    }
    if (!apply_effects(std::move(*fx), failure)) return false;
    if (!link_subject(s.subject_keys, *seq, failure)) return false;
    r.set_status(mab::v1::Receipt::ACCEPTED);
    r.set_store_seq(*seq);
    for (const auto& rc : s.message.recipients) r.add_recipients(rc);
    ++counters.accepted;
    spdlog::info("accepted message '{}' from '{}' ({}) as seq {} for {}", s.message.message_id,
                 s.message.sender, s.message.body_kind, *seq, join(s.message.recipients));
    receipts.emplace_back(s.peer, std::move(r));
  }
  return true;
}

}  // namespace mab::broker

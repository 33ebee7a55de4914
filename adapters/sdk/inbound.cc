#include "adapters/sdk/inbound.h"

#include <string>

#include "daemon/crypto/crypto.h"
#include "daemon/wire/wire.h"

namespace mab::sdk::detail {
namespace {

// The first reason a verified delivery must not reach the application, or empty.
std::string delivery_problem(const mab::v1::Delivery& d, bool notification_readable,
                             const mab::v1::Notification& n, std::string_view broker_key) {
  const auto& env = d.envelope();
  mab::v1::KeyAttestation att;
  if (!wire::open_sealed(d.sender_key(), wire::sealed_type::key_attestation, broker_key, att)) {
    return "sender key attestation does not verify against broker_signing_key";
  }
  if (att.key_id() != env.key_id()) {
    return "attested key_id '" + att.key_id() + "' is not the envelope's key_id '" +
           env.key_id() + "'";
  }
  if (!wire::verify_envelope(env, att.public_key())) {
    return "envelope signature does not verify under sender key '" + env.key_id() + "'";
  }
  // Checked after the signature so this never reports on bytes nobody vouched for.
  if (!notification_readable) return "notification bytes are not a mab.v1.Notification";
  if (n.sender() != att.agency()) {
    return "notification sender '" + n.sender() + "' is not the attested agency '" +
           att.agency() + "'";
  }
  return {};
}

}  // namespace

std::variant<delivery, rejected_delivery> check_delivery(std::string_view payload,
                                                         std::string_view broker_key) {
  mab::v1::Delivery d;
  if (!d.ParseFromString(std::string(payload))) {
    return rejected_delivery{0, "", "DELIVER payload is not a mab.v1.Delivery"};
  }
  mab::v1::Notification n;
  const bool readable = n.ParseFromString(d.envelope().notification());
  std::string problem = delivery_problem(d, readable, n, broker_key);
  if (!problem.empty()) {
    return rejected_delivery{d.delivery_id(), readable ? n.message_id() : "",
                             std::move(problem)};
  }
  delivery out;
  out.delivery_id = d.delivery_id();
  out.attempt = d.attempt();
  out.store_seq = d.store_seq();
  out.sender_key_id = d.envelope().key_id();
  out.envelope = std::move(*d.mutable_envelope());
  out.notification = std::move(n);
  return out;
}

result<notice> open_notice(std::string_view payload, std::string_view broker_key) {
  mab::v1::Notice msg;
  if (!msg.ParseFromString(std::string(payload))) {
    return make_error("NOTICE payload is not a mab.v1.Notice");
  }
  const auto& sealed = msg.notice();
  notice out;
  out.notice_id = msg.notice_id();
  if (sealed.type() == wire::sealed_type::ack_notice) {
    mab::v1::AckNotice body;
    if (wire::open_sealed(sealed, wire::sealed_type::ack_notice, broker_key, body)) {
      out.body = std::move(body);
      return out;
    }
  } else if (sealed.type() == wire::sealed_type::dead_letter_notice) {
    mab::v1::DeadLetterNotice body;
    if (wire::open_sealed(sealed, wire::sealed_type::dead_letter_notice, broker_key, body)) {
      out.body = std::move(body);
      return out;
    }
  } else {
    return make_error("notice " + std::to_string(msg.notice_id()) + " has unknown type '" +
                      sealed.type() + "'");
  }
  return make_error("notice " + std::to_string(msg.notice_id()) +
                    " does not verify against broker_signing_key");
}

}  // namespace mab::sdk::detail

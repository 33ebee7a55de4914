// The framing both ends of a ZeroMQ connection speak, and the signing rules for everything
// that is not a notification. Shared by mabd and the adapter SDK so the two cannot drift.
//
// Every ZeroMQ message is multipart: [protocol tag, command, payload...]. (The broker's ROUTER
// socket adds and strips the peer's routing id itself.)
//
//   adapter -> broker                          broker -> adapter
//   SUBMIT     SignedEnvelope                   RECEIPT  Sealed(Receipt)
//   READY      (none): "send me deliveries";    DELIVER  Delivery
//              repeated as a heartbeat          NOTICE   Notice
//   ACK        Sealed(Ack)                      PONG     echoed nonce
//   REFUSE     Sealed(Refusal)                  ERROR    Sealed(Receipt), for a bad frame or
//   NOTICE_ACK decimal notice id                         a command other than SUBMIT
//   PING       nonce
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/timestamp.pb.h>

#include "daemon/common/clock.h"
#include "daemon/crypto/crypto.h"
#include "mab/v1/envelope.pb.h"
#include "mab/v1/notification.pb.h"

namespace mab::wire {

inline constexpr std::string_view protocol_tag = "MAB1";

namespace cmd {
inline constexpr std::string_view submit = "SUBMIT";
inline constexpr std::string_view ready = "READY";
inline constexpr std::string_view ack = "ACK";
inline constexpr std::string_view refuse = "REFUSE";
inline constexpr std::string_view notice_ack = "NOTICE_ACK";
inline constexpr std::string_view ping = "PING";
inline constexpr std::string_view receipt = "RECEIPT";
inline constexpr std::string_view deliver = "DELIVER";
inline constexpr std::string_view notice = "NOTICE";
inline constexpr std::string_view pong = "PONG";
inline constexpr std::string_view error = "ERROR";
}  // namespace cmd

using frames = std::vector<std::string>;

frames make_frames(std::string_view command, std::string payload = {});

// Types carried in Sealed.type.
namespace sealed_type {
inline constexpr std::string_view receipt = "Receipt";
inline constexpr std::string_view ack = "Ack";
inline constexpr std::string_view refusal = "Refusal";
inline constexpr std::string_view ack_notice = "AckNotice";
inline constexpr std::string_view dead_letter_notice = "DeadLetterNotice";
inline constexpr std::string_view key_attestation = "KeyAttestation";
}  // namespace sealed_type

// What a Sealed signature covers: "mab.v1." + type + "\n" + payload. The prefix binds the
// signature to its type, so a signed Ack can never pass as a signed Receipt.
std::string sealed_signing_input(std::string_view type, std::string_view payload);

// Serializes `message` deterministically and signs it as `type`.
mab::v1::Sealed seal(const crypto::signer& signer, std::string_view type,
                     const google::protobuf::MessageLite& message);

// True when `sealed` is of `type` and its signature verifies under `public_key`.
bool verify_sealed(const mab::v1::Sealed& sealed, std::string_view type,
                   std::string_view public_key);

// Verifies, then parses the payload into `out`. False on any failure.
bool open_sealed(const mab::v1::Sealed& sealed, std::string_view type,
                 std::string_view public_key, google::protobuf::MessageLite& out);

// Serializes a notification (deterministically) and signs the exact bytes.
mab::v1::SignedEnvelope sign_notification(const crypto::signer& signer,
                                          const mab::v1::Notification& n);

// True when the envelope's signature verifies over its notification bytes.
bool verify_envelope(const mab::v1::SignedEnvelope& env, std::string_view public_key);

std::string serialize(const google::protobuf::MessageLite& message);  // deterministic

google::protobuf::Timestamp to_timestamp(time_point t);
time_point from_timestamp(const google::protobuf::Timestamp& ts);

}  // namespace mab::wire

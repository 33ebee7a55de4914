// The adapter SDK: what an agency's system links to talk to mabd. Connects over CurveZMQ,
// signs notifications, waits for the broker's signed receipt, receives deliveries, verifies each
// one against its sender's key (attested by the broker, whose key the adapter pins), and
// acknowledges or refuses them.
//
// Threading: a client is used from one thread at a time. Errors come back as values; nothing
// here throws across the API.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "daemon/common/result.h"
#include "mab/v1/envelope.pb.h"
#include "mab/v1/notification.pb.h"

namespace mab::sdk {

// An adapter's configuration (TOML; see README "Adapter configuration"):
//   agency = "school-e09-01"
//   endpoint = "tcp://127.0.0.1:7750"
//   broker_curve_key = "<Z85 broker Curve public key>"
//   broker_signing_key = "<base64 broker Ed25519 public key>"
//   signing_key_file = "school-e09-01.sign.key"     # relative: against the file's folder
//   curve_secret_key_file = "school-e09-01.curve.key"
struct options {
  std::string agency;
  std::string endpoint;
  std::string broker_curve_key;        // Z85
  std::string broker_signing_key;      // raw 32 bytes
  std::string signing_key_file;        // absolute after load_options
  std::string curve_secret_key_file;   // absolute after load_options
  std::chrono::milliseconds heartbeat{5000};  // READY interval while receiving
};

// Reads and validates an adapter config file; the error names the file, line and field.
result<options> load_options(const std::string& path);

// A notification delivered to this agency, verified.
struct delivery {
  std::uint64_t delivery_id = 0;
  std::uint32_t attempt = 0;
  std::uint64_t store_seq = 0;
  mab::v1::SignedEnvelope envelope;    // as the sender signed it
  mab::v1::Notification notification; // parsed from envelope.notification()
  std::string sender_key_id;
};

// A broker notice: one of ours was acknowledged, or dead-lettered.
struct notice {
  std::uint64_t notice_id = 0;
  std::variant<mab::v1::AckNotice, mab::v1::DeadLetterNotice> body;
};

// A delivery whose signature or key attestation did not verify. The SDK refuses it to the
// broker itself (with the reason), so it is never silently lost, and reports it here.
struct rejected_delivery {
  std::uint64_t delivery_id = 0;
  std::string message_id;  // when readable
  std::string reason;
};

using event = std::variant<delivery, notice, rejected_delivery>;

class client {
 public:
  static result<std::unique_ptr<client>> connect(const options& opts);
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  const options& opts() const;

  // Fills message_id (UUID v4), sender and created_at when empty; other fields untouched.
  void complete(mab::v1::Notification& n) const;
  // Signs the exact serialized bytes with this agency's key.
  mab::v1::SignedEnvelope sign(const mab::v1::Notification& n) const;
  // Submits and waits for the broker's receipt (verified against the pinned broker key).
  // An error means no verified receipt arrived in time: the outcome is unknown, and sending
  // the same envelope again is safe (the broker answers DUPLICATE if it already has it).
  result<mab::v1::Receipt> submit(const mab::v1::SignedEnvelope& env,
                                  std::chrono::milliseconds timeout);
  // complete + sign + submit.
  result<mab::v1::Receipt> send(mab::v1::Notification n, std::chrono::milliseconds timeout);

  // Waits up to `timeout` for the next delivery or notice; nullopt when none came. Announces
  // this client as a receiver (READY) on first use and at the heartbeat interval.
  result<std::optional<event>> receive(std::chrono::milliseconds timeout);
  // Signed acknowledgement / refusal of a delivery; confirmation of a notice.
  status ack(const delivery& d);
  status refuse(const delivery& d, const std::string& reason);
  status confirm(const notice& n);

  // Round trip to the broker; returns the time it took.
  result<std::chrono::microseconds> ping(std::chrono::milliseconds timeout);

 private:
  struct impl;
  explicit client(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace mab::sdk

// A tiny in-process stand-in for mabd, for SDK tests: a Curve ROUTER socket on
// tcp://127.0.0.1:*, a real broker signing key, and a thread that records every message and
// hands it to a test-supplied handler, which may reply.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "adapters/sdk/client.h"
#include "daemon/crypto/crypto.h"
#include "daemon/wire/wire.h"

namespace mab::sdk::testing {

struct peer_message {
  std::string peer;     // ROUTER routing id
  wire::frames frames;  // [MAB1, command, payload...]
  const std::string& command() const { return frames.at(1); }
  const std::string& payload() const { return frames.at(2); }
};

class fake_broker {
 public:
  using handler = std::function<void(fake_broker&, const peer_message&)>;

  fake_broker();
  ~fake_broker();
  fake_broker(const fake_broker&) = delete;
  fake_broker& operator=(const fake_broker&) = delete;

  // Replaces the handler. Handlers run on the broker thread.
  void on_message(handler h);
  // Sends to a peer; call only from a handler.
  void reply(const std::string& peer, std::string_view command, std::string payload);
  // The first recorded message with `command` not yet taken, waiting up to `timeout`.
  std::optional<peer_message> take(std::string_view command, std::chrono::milliseconds timeout);
  std::size_t count(std::string_view command);

  const std::string& endpoint() const { return endpoint_; }
  const std::string& curve_public() const { return curve_.public_z85; }
  const crypto::signer& signer() const { return signer_; }

 private:
  void run();

  crypto::curve_key_pair curve_;
  crypto::signer signer_;
  zmq::context_t ctx_{1};
  zmq::socket_t sock_{ctx_, zmq::socket_type::router};
  std::string endpoint_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<peer_message> seen_;
  handler handler_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// An agency's key files in a temporary folder, and options to connect as it.
class test_agency {
 public:
  test_agency(std::string id, const fake_broker& broker);
  ~test_agency();
  test_agency(const test_agency&) = delete;
  test_agency& operator=(const test_agency&) = delete;

  const options& opts() const { return opts_; }
  const crypto::signer& signer() const { return signer_; }

 private:
  std::filesystem::path dir_;
  std::string seed_;
  crypto::signer signer_;
  options opts_;
};

// A DELIVER payload carrying `n` signed by `sender` (an agency with id `sender_id`), with the
// broker's attestation of the sender's key.
std::string make_delivery(const fake_broker& broker, const crypto::signer& sender,
                          const std::string& sender_id, const mab::v1::Notification& n,
                          std::uint64_t delivery_id);

}  // namespace mab::sdk::testing

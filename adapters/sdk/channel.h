// The SDK's DEALER socket to mabd, wrapped so that ZeroMQ exceptions become error values and
// every wait is bounded. Private to the SDK.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "daemon/common/result.h"
#include "daemon/wire/wire.h"

namespace mab::sdk::detail {

struct channel_keys {
  std::string server_public;  // broker Curve key, Z85
  std::string public_key;     // ours, Z85
  std::string secret_key;     // ours, Z85
};

class channel {
 public:
  static result<std::unique_ptr<channel>> open(const std::string& endpoint,
                                               const channel_keys& keys);
  ~channel();
  channel(const channel&) = delete;
  channel& operator=(const channel&) = delete;

  // Sends, waiting up to `timeout` for a connection to the broker to exist.
  status send(const wire::frames& f, std::chrono::milliseconds timeout);
  // Sends only if that is possible right now; false otherwise (e.g. not connected yet).
  result<bool> try_send(const wire::frames& f);

  struct readiness {
    bool readable = false;
    bool writable = false;
  };
  // Waits up to `timeout` for an incoming message, or also for writability if `want_write`.
  result<readiness> wait(std::chrono::milliseconds timeout, bool want_write);
  // The next incoming message if one is waiting (never blocks).
  result<std::optional<wire::frames>> take();
  // wait + take.
  result<std::optional<wire::frames>> recv(std::chrono::milliseconds timeout);

  const std::string& endpoint() const;

 private:
  struct impl;
  explicit channel(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace mab::sdk::detail

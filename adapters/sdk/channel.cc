#include "adapters/sdk/channel.h"

#include <iterator>
#include <vector>

#include <zmq.hpp>
#include <zmq_addon.hpp>

namespace mab::sdk::detail {
namespace {

// ZeroMQ's own heartbeats notice a dead broker (or a half-open TCP connection) within
// seconds, so the socket reconnects instead of waiting on a connection that is gone.
constexpr int heartbeat_ivl_ms = 2000;
constexpr int heartbeat_timeout_ms = 6000;
// Unsent messages are not worth keeping at close: every command is safe to resend, and a
// client being destroyed should not hang on a broker that is down.
constexpr int linger_ms = 0;
constexpr int reconnect_max_ms = 2000;

std::vector<zmq::const_buffer> buffers_of(const wire::frames& f) {
  std::vector<zmq::const_buffer> out;
  out.reserve(f.size());
  for (const auto& part : f) out.push_back(zmq::buffer(part));
  return out;
}

error zmq_failure(const std::string& what, const zmq::error_t& e) {
  return make_error(what + ": " + e.what());
}

int clamp_ms(std::chrono::milliseconds t) {
  if (t.count() < 0) return 0;
  if (t.count() > 1'000'000'000) return 1'000'000'000;
  return static_cast<int>(t.count());
}

}  // namespace

struct channel::impl {
  std::string endpoint;
  zmq::context_t ctx{1};
  zmq::socket_t sock{ctx, zmq::socket_type::dealer};
};

channel::channel(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
channel::~channel() = default;

result<std::unique_ptr<channel>> channel::open(const std::string& endpoint,
                                               const channel_keys& keys) {
  try {
    auto p = std::make_unique<impl>();
    p->endpoint = endpoint;
    auto& s = p->sock;
    s.set(zmq::sockopt::curve_serverkey, keys.server_public);
    s.set(zmq::sockopt::curve_publickey, keys.public_key);
    s.set(zmq::sockopt::curve_secretkey, keys.secret_key);
    s.set(zmq::sockopt::linger, linger_ms);
    s.set(zmq::sockopt::heartbeat_ivl, heartbeat_ivl_ms);
    s.set(zmq::sockopt::heartbeat_timeout, heartbeat_timeout_ms);
    s.set(zmq::sockopt::heartbeat_ttl, heartbeat_timeout_ms);
    s.set(zmq::sockopt::reconnect_ivl_max, reconnect_max_ms);
    // Queue only to a completed (authenticated) connection, so a send that cannot reach the
    // broker fails within its timeout rather than sitting in a queue.
    s.set(zmq::sockopt::immediate, true);
    s.connect(endpoint);
    return std::unique_ptr<channel>(new channel(std::move(p)));
  } catch (const zmq::error_t& e) {
    return zmq_failure("cannot open a connection to " + endpoint, e);
  }
}

status channel::send(const wire::frames& f, std::chrono::milliseconds timeout) {
  try {
    impl_->sock.set(zmq::sockopt::sndtimeo, clamp_ms(timeout));
    if (!zmq::send_multipart(impl_->sock, buffers_of(f))) {
      return make_error("no connection to the broker at " + impl_->endpoint + " within " +
                        std::to_string(timeout.count()) +
                        " ms (is mabd running there, and is broker_curve_key its key?)");
    }
    return ok_status();
  } catch (const zmq::error_t& e) {
    return zmq_failure("sending to " + impl_->endpoint, e);
  }
}

result<bool> channel::try_send(const wire::frames& f) {
  try {
    return zmq::send_multipart(impl_->sock, buffers_of(f), zmq::send_flags::dontwait)
        .has_value();
  } catch (const zmq::error_t& e) {
    return zmq_failure("sending to " + impl_->endpoint, e);
  }
}

result<channel::readiness> channel::wait(std::chrono::milliseconds timeout, bool want_write) {
  const short events = want_write ? static_cast<short>(ZMQ_POLLIN | ZMQ_POLLOUT)
                                  : static_cast<short>(ZMQ_POLLIN);
  zmq_pollitem_t item{impl_->sock.handle(), 0, events, 0};
  try {
    zmq::poll(&item, 1, std::chrono::milliseconds(clamp_ms(timeout)));
  } catch (const zmq::error_t& e) {
    return zmq_failure("waiting on " + impl_->endpoint, e);
  }
  return readiness{(item.revents & ZMQ_POLLIN) != 0, (item.revents & ZMQ_POLLOUT) != 0};
}

result<std::optional<wire::frames>> channel::take() {
  std::vector<zmq::message_t> parts;
  try {
    if (!zmq::recv_multipart(impl_->sock, std::back_inserter(parts),
                             zmq::recv_flags::dontwait)) {
      return std::optional<wire::frames>{};
    }
  } catch (const zmq::error_t& e) {
    return zmq_failure("receiving from " + impl_->endpoint, e);
  }
  wire::frames f;
  f.reserve(parts.size());
  for (const auto& part : parts) f.push_back(part.to_string());
  return std::optional<wire::frames>(std::move(f));
}

result<std::optional<wire::frames>> channel::recv(std::chrono::milliseconds timeout) {
  auto ready = wait(timeout, false);
  if (!ready) return ready.err();
  if (!ready->readable) return std::optional<wire::frames>{};
  return take();
}

const std::string& channel::endpoint() const { return impl_->endpoint; }

}  // namespace mab::sdk::detail

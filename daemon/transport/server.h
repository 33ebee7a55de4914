// The ZeroMQ face of mabd: a CurveZMQ ROUTER for adapters, a ZAP handler that admits only
// Curve keys registered to an agency, and an owner-only control socket for operators; all
// driven by a Boost.Asio io_context (each socket's ZMQ_FD is watched by the reactor, and a
// timer paces retries). Everything received goes to the broker; everything it answers goes out.
//
// Threading: every method runs on the io_context's (single) thread.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "daemon/broker/broker.h"
#include "daemon/common/result.h"
#include "daemon/config/config.h"

namespace mab::transport {

class server {
 public:
  server(boost::asio::io_context& io, const config::config& cfg, broker::broker& b);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Binds the ZAP handler, the adapter endpoint and the control endpoint, and starts serving.
  // `curve_secret_z85` is the broker's Curve secret key. Errors name the endpoint.
  status start(const std::string& curve_secret_z85);
  // The endpoint actually bound (a "*" port resolved to the real one).
  std::string endpoint() const;
  // Stops reading, commits and answers what was already received, and closes the sockets,
  // giving outgoing replies up to a second to leave.
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace mab::transport

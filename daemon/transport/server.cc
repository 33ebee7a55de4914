#include <utility>  // before Asio (Boost 1.74 with GCC 12)

#include "daemon/transport/server.h"
#include "daemon/transport/control.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>
#include <zmq.hpp>
#include <zmq_addon.hpp>

namespace mab::transport {
namespace {

constexpr auto tick_interval = std::chrono::milliseconds(100);
constexpr int max_messages_per_pass = 2000;
constexpr const char* zap_endpoint = "inproc://zeromq.zap.01";

bool readable(zmq::socket_t& s) {
  return (s.get(zmq::sockopt::events) & ZMQ_POLLIN) != 0;
}

std::string z85_encode(const std::string& raw) {
  char out[41] = {};
  if (raw.size() != 32 || zmq_z85_encode(out, reinterpret_cast<const std::uint8_t*>(raw.data()), 32) == nullptr) {
    return {};
  }
  return std::string(out, 40);
}

}  // namespace

struct server::impl {
  impl(boost::asio::io_context& io_, const config::config& c, broker::broker& b)
      : io(io_), cfg(c), brk(b), timer(io_) {}

  boost::asio::io_context& io;
  const config::config& cfg;
  broker::broker& brk;
  zmq::context_t ctx{1};
  zmq::socket_t zap{ctx, zmq::socket_type::rep};
  zmq::socket_t router{ctx, zmq::socket_type::router};
  zmq::socket_t control{ctx, zmq::socket_type::rep};
  std::vector<std::unique_ptr<boost::asio::posix::stream_descriptor>> watches;
  boost::asio::steady_timer timer;
  std::string bound;
  std::string control_path;
  bool stopping = false;

  void watch(zmq::socket_t& s) {
    auto d = std::make_unique<boost::asio::posix::stream_descriptor>(io, s.get(zmq::sockopt::fd));
    arm(*d);
    watches.push_back(std::move(d));
  }

  void arm(boost::asio::posix::stream_descriptor& d) {
    d.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                 [this, &d](const boost::system::error_code& ec) {
                   if (ec || stopping) return;
                   pump();
                   arm(d);
                 });
  }

  void schedule_tick() {
    timer.expires_after(tick_interval);
    timer.async_wait([this](const boost::system::error_code& ec) {
      if (ec || stopping) return;
      pump();
      schedule_tick();
    });
  }

  // ZMQ_FD is edge-like: it signals that something changed, not that a message waits. So each
  // wake-up drains every socket until ZMQ_EVENTS says there is nothing left.
  void pump() {
    try {
      for (int round = 0; round < 64; ++round) {
        bool busy = serve_zap();
        busy = read_adapters() || busy;
        busy = serve_control() || busy;
        brk.run_cycle();
        send_outgoing();
        if (!busy && !readable(zap) && !readable(router) && !readable(control)) break;
      }
    } catch (const zmq::error_t& e) {
      spdlog::error("transport error: {}", e.what());
    }
  }

  bool serve_zap() {
    bool any = false;
    while (readable(zap)) {
      std::vector<zmq::message_t> req;
      if (!zmq::recv_multipart(zap, std::back_inserter(req), zmq::recv_flags::dontwait)) break;
      any = true;
      answer_zap(req);
    }
    return any;
  }

  void answer_zap(const std::vector<zmq::message_t>& req) {
    // RFC 27: version, request id, domain, address, identity, mechanism, credentials...
    std::string request_id = req.size() > 1 ? req[1].to_string() : std::string();
    std::string agency;
    if (req.size() >= 7 && req[0].to_string() == "1.0" && req[5].to_string() == "CURVE") {
      if (const auto* a = cfg.agency_for_curve_key(z85_encode(req[6].to_string()))) agency = a->id;
    }
    const std::string address = req.size() > 3 ? req[3].to_string() : std::string();
    if (agency.empty()) spdlog::warn("refused a connection from {}: Curve key not registered", address);
    std::array<zmq::const_buffer, 6> reply = {
        zmq::str_buffer("1.0"), zmq::buffer(request_id),
        agency.empty() ? zmq::str_buffer("400") : zmq::str_buffer("200"),
        agency.empty() ? zmq::str_buffer("Curve key not registered") : zmq::str_buffer("OK"),
        zmq::buffer(agency), zmq::str_buffer("")};
    zmq::send_multipart(zap, reply);
  }

  bool read_adapters() {
    int count = 0;
    while (count < max_messages_per_pass && readable(router)) {
      std::vector<zmq::message_t> parts;
      if (!zmq::recv_multipart(router, std::back_inserter(parts), zmq::recv_flags::dontwait)) break;
      ++count;
      if (parts.size() < 2) continue;  // a ROUTER always prepends the routing id
      const std::string peer = parts[0].to_string();
      // The ZAP handler's user id is the agency; every part carries the same metadata.
      std::string agency;
      try {
        agency = parts[1].gets("User-Id");
      } catch (const zmq::error_t&) {
      }
      if (agency.empty()) continue;  // cannot happen with ZAP enforced; never trust it anyway
      wire::frames frames;
      frames.reserve(parts.size() - 1);
      for (std::size_t i = 1; i < parts.size(); ++i) frames.push_back(parts[i].to_string());
      brk.on_message(peer, agency, std::move(frames));
    }
    return count > 0;
  }

  void send_outgoing() {
    for (auto& o : brk.take_outgoing()) {
      std::vector<zmq::const_buffer> parts;
      parts.push_back(zmq::buffer(o.peer));
      for (const auto& f : o.frames) parts.push_back(zmq::buffer(f));
      try {
        if (!zmq::send_multipart(router, parts, zmq::send_flags::dontwait)) {
          // High-water mark: the store still holds it; it goes out again on its retry.
          spdlog::warn("peer queue full; a reply will be retried");
        }
      } catch (const zmq::error_t& e) {
        if (e.num() != EHOSTUNREACH) throw;
        brk.on_peer_gone(o.peer);
      }
    }
  }

  bool serve_control() {
    bool any = false;
    while (readable(control)) {
      zmq::message_t req;
      if (!control.recv(req, zmq::recv_flags::dontwait)) break;
      any = true;
      const std::string reply = handle_control(brk, bound, req.to_string());
      control.send(zmq::buffer(reply), zmq::send_flags::dontwait);
    }
    return any;
  }

};

server::server(boost::asio::io_context& io, const config::config& cfg, broker::broker& b)
    : impl_(std::make_unique<impl>(io, cfg, b)) {}

server::~server() {
  if (!impl_->stopping) stop();
}

status server::start(const std::string& curve_secret_z85) {
  auto& m = *impl_;
  try {
    m.zap.bind(zap_endpoint);
    m.router.set(zmq::sockopt::curve_server, 1);
    m.router.set(zmq::sockopt::curve_secretkey, curve_secret_z85);
    m.router.set(zmq::sockopt::zap_domain, "mab");
    m.router.set(zmq::sockopt::router_mandatory, 1);
    m.router.set(zmq::sockopt::linger, 1000);
    m.router.set(zmq::sockopt::sndhwm, 100000);
    m.router.set(zmq::sockopt::rcvhwm, 100000);
    // Frames a little over the limit get a MESSAGE_TOO_LARGE receipt; far over it, libzmq
    // drops the connection before buffering them.
    m.router.set(zmq::sockopt::maxmsgsize,
                 static_cast<std::int64_t>(m.cfg.broker.max_message_bytes) * 4 + (1 << 20));
    m.router.set(zmq::sockopt::heartbeat_ivl, 5000);
    m.router.set(zmq::sockopt::heartbeat_timeout, 15000);
    m.router.bind(m.cfg.broker.listen);
    m.bound = m.router.get(zmq::sockopt::last_endpoint);
  } catch (const zmq::error_t& e) {
    return make_error("cannot listen on " + m.cfg.broker.listen + ": " + e.what());
  }
  const std::string control = m.cfg.control_endpoint();
  try {
    if (control.rfind("ipc://", 0) == 0) {
      m.control_path = control.substr(6);
      std::error_code ec;
      std::filesystem::remove(m.control_path, ec);  // a stale socket from a killed mabd
    }
    const mode_t old = ::umask(0077);  // owner-only: the control socket is an operator's tool
    m.control.bind(control);
    ::umask(old);
    m.control.set(zmq::sockopt::linger, 0);
  } catch (const zmq::error_t& e) {
    return make_error("cannot bind the control socket " + control + ": " + e.what());
  }
  m.watch(m.zap);
  m.watch(m.router);
  m.watch(m.control);
  m.schedule_tick();
  m.pump();
  return ok_status();
}

std::string server::endpoint() const { return impl_->bound; }

void server::stop() {
  auto& m = *impl_;
  if (m.stopping) return;
  m.stopping = true;
  m.timer.cancel();
  for (auto& w : m.watches) {
    w->cancel();
    w->release();  // the descriptor belongs to libzmq
  }
  m.watches.clear();
  try {
    m.brk.run_cycle();  // commit and answer what was already read
    m.send_outgoing();
    // Seal the audit trail's tail so nothing written before shutdown is outside a checkpoint.
    if (auto s = m.brk.seal_audit(); !s) spdlog::error("could not seal the audit trail: {}", s.message());
  } catch (const zmq::error_t& e) {
    spdlog::error("while draining: {}", e.what());
  }
  m.router.close();
  m.control.close();
  m.zap.close();
  if (!m.control_path.empty()) {
    std::error_code ec;
    std::filesystem::remove(m.control_path, ec);
  }
}

}  // namespace mab::transport

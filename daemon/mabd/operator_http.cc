#include <utility>  // before Asio (Boost 1.74 with GCC 12)

#include "daemon/mabd/operator_http.h"

#include <chrono>
#include <set>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "daemon/api/api.h"
#include "daemon/dashboard/dashboard.h"
#include "daemon/http/http.h"

namespace mab::mabd {
namespace {

std::vector<http::token> tokens_of(const config::config& cfg) {
  std::vector<http::token> out;
  for (const auto& t : cfg.tokens) {
    // The config already checked the role names, so role_from_name cannot fail here.
    out.push_back({t.name, t.sha256_hex, http::role_from_name(t.role).value_or(http::role::viewer)});
  }
  return out;
}

}  // namespace

struct operator_http::impl {
  impl(boost::asio::io_context& i, const config::config& c, broker::broker& b)
      : io(i), cfg(c), brk(b), feed(b), timer(i) {}

  boost::asio::io_context& io;
  const config::config& cfg;
  broker::broker& brk;
  http::router routes;
  api::event_feed feed;
  std::unique_ptr<http::server> server;
  boost::asio::steady_timer timer;
  bool running = false;
  std::function<reload_result(const std::string&)> reload;

  // Ledger changes reach open dashboards within about a second; polling the audit trail keeps
  // the broker free of any knowledge of HTTP.
  void schedule_feed() {
    timer.expires_after(std::chrono::seconds(1));
    timer.async_wait([this](const boost::system::error_code& ec) {
      if (ec || !running) return;
      for (const auto& [event, data] : feed.poll()) server->publish(event, data);
      schedule_feed();
    });
  }
};

operator_http::operator_http(boost::asio::io_context& io, const config::config& cfg,
                             broker::broker& brk)
    : impl_(std::make_unique<impl>(io, cfg, brk)) {}

operator_http::~operator_http() { stop(); }

void operator_http::set_reload(std::function<reload_result(const std::string& by)> reload) {
  impl_->reload = std::move(reload);
}

status operator_http::start() {
  auto& m = *impl_;
  api::add_routes(m.routes, m.brk, m.cfg);
  if (m.reload) {
    // Agencies, keys, routes, policy and tokens change by editing the configuration (which an
    // authority keeps under change control) and reloading it; nothing restarts.
    m.routes.add("POST", "/api/v1/admin/reload", {http::role::admin}, [&m](const http::request& req) {
      if (!req.body.empty() && req.body != "{}") {
        return http::error_response(400, "bad_body", "this route takes no body (or {})");
      }
      const auto r = m.reload(req.caller);
      if (!r.errors.empty()) {
        nlohmann::json j{{"error",
                          {{"status", 422},
                           {"code", "invalid_config"},
                           {"message", std::to_string(r.errors.size()) +
                                           " error(s); still running on the previous "
                                           "configuration"}}},
                         {"errors", r.errors}};
        return http::json_response(422, j.dump());
      }
      return http::json_response(200, nlohmann::json{{"reloaded", true},
                                                     {"agencies", r.agencies},
                                                     {"routes", r.routes},
                                                     {"tokens", r.tokens}}
                                           .dump());
    });
  }
  dashboard::add_routes(m.routes);
  m.routes.add_events("/api/v1/events", {http::role::viewer, http::role::operator_role,
                                         http::role::auditor, http::role::admin});
  http::server_options opts;
  opts.address = m.cfg.http.address;
  opts.port = m.cfg.http.port;
  opts.tls = m.cfg.http.tls;
  opts.cert_file = m.cfg.resolve(m.cfg.http.cert_file);
  opts.key_file = m.cfg.resolve(m.cfg.http.key_file);
  opts.max_body_bytes = m.cfg.http.max_body_bytes;
  opts.max_connections = m.cfg.http.max_connections;
  opts.read_timeout = std::chrono::seconds(static_cast<long>(m.cfg.http.read_timeout_seconds));
  m.server = std::make_unique<http::server>(m.io, opts, m.routes, tokens_of(m.cfg));
  if (auto s = m.server->start(); !s) return make_error("[http] " + s.message());
  m.running = true;
  m.schedule_feed();
  return ok_status();
}

std::string operator_http::url() const {
  const auto& h = impl_->cfg.http;
  const std::string host = h.address.find(':') != std::string::npos ? "[" + h.address + "]" : h.address;
  const auto port = impl_->server ? impl_->server->port() : h.port;
  return std::string(h.tls ? "https://" : "http://") + host + ":" + std::to_string(port);
}

void operator_http::set_tokens(const config::config& reloaded) {
  if (impl_->server) impl_->server->set_tokens(tokens_of(reloaded));
}

void operator_http::stop() {
  auto& m = *impl_;
  if (!m.running) return;
  m.running = false;
  m.timer.cancel();
  m.server->stop();
}

}  // namespace mab::mabd

// The server's lifecycle: checking the options, loading the certificate, listening, accepting
// and counting connections, the event streams' heartbeat, and closing them all on stop().
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <boost/asio/steady_timer.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "daemon/http/http.h"
#include "daemon/http/state.h"

namespace mab::http {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

namespace {

// Connections beyond max_connections are told 503 rather than dropped, but only this many at
// once: past that, a flood costs us no more than an accept and a close.
constexpr std::size_t k_max_rejecting = 16;

status check_readable(const std::string& what, const std::string& path) {
  if (path.empty()) return make_error("http: tls is on but no " + what + " file is configured");
  std::ifstream f(path);
  if (!f)
    return make_error("http: cannot read " + what + " file " + path + ": " + std::strerror(errno));
  return ok_status();
}

// OpenSSL refuses a good key that belongs to another certificate with the same error as a bad
// file; parsing it alone tells the two apart, so the message can say which.
bool is_pem_key(const std::string& path) {
  BIO* bio = BIO_new_file(path.c_str(), "r");
  if (bio == nullptr) return false;
  EVP_PKEY* key = PEM_read_bio_PrivateKey(
      bio, nullptr, [](char*, int, int, void*) { return 0; }, nullptr);
  BIO_free(bio);
  EVP_PKEY_free(key);
  ERR_clear_error();
  return key != nullptr;
}

result<std::unique_ptr<asio::ssl::context>> load_tls(const server_options& o) {
  if (auto st = check_readable("certificate", o.cert_file); !st) return st.err();
  if (auto st = check_readable("key", o.key_file); !st) return st.err();
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  // An encrypted key must fail here, not stop the daemon at a terminal prompt.
  ctx->set_password_callback(
      [](std::size_t, asio::ssl::context::password_purpose) { return std::string(); });
  error_code ec;
  ctx->use_certificate_chain_file(o.cert_file, ec);
  if (ec)
    return make_error("http: certificate file " + o.cert_file +
                      " is not a PEM certificate chain (" + ec.message() + ")");
  ctx->use_private_key_file(o.key_file, asio::ssl::context::pem, ec);
  if (ec && !is_pem_key(o.key_file)) {
    return make_error("http: key file " + o.key_file + " is not an unencrypted PEM private key (" +
                      ec.message() + ")");
  }
  if (ec || SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    return make_error("http: key file " + o.key_file + " does not match certificate file " +
                      o.cert_file);
  }
  return ctx;
}

}  // namespace

struct server::impl {
  std::shared_ptr<detail::server_state> state;
  asio::ip::tcp::acceptor acceptor;
  asio::steady_timer retry;
  asio::steady_timer heartbeat;
  std::uint16_t port = 0;
  bool started = false;

  impl(asio::io_context& io, server_options opts, const router& routes, std::vector<token> tokens)
      : state(
            std::make_shared<detail::server_state>(io, std::move(opts), routes, std::move(tokens))),
        acceptor(io),
        retry(io),
        heartbeat(io) {}

  status listen(const asio::ip::address& address) {
    const asio::ip::tcp::endpoint ep(address, state->opts.port);
    const std::string where = state->opts.address + ":" + std::to_string(state->opts.port);
    error_code ec;
    acceptor.open(ep.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(ep, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (!ec) port = acceptor.local_endpoint(ec).port();
    if (ec) {
      error_code ignored;
      acceptor.close(ignored);
      return make_error("http: cannot listen on " + where + ": " + ec.message());
    }
    return ok_status();
  }

  void accept() {
    acceptor.async_accept([this, st = state](error_code ec, asio::ip::tcp::socket socket) {
      if (st->stopped || ec == asio::error::operation_aborted) return;
      if (ec) {
        // Out of descriptors, most likely: wait a little rather than spin.
        retry.expires_after(std::chrono::milliseconds(100));
        retry.async_wait([this, st](error_code wait_ec) {
          if (!wait_ec && !st->stopped) accept();
        });
        return;
      }
      if (st->serving < st->opts.max_connections) {
        detail::start_session(st, std::move(socket), false);
      } else if (st->rejecting < k_max_rejecting) {
        detail::start_session(st, std::move(socket), true);
      }  // else the socket closes as it goes out of scope
      accept();
    });
  }

  // A comment line is ignored by every SSE client but keeps idle proxies from closing the
  // stream, and lets a client tell a quiet ledger from a dead connection.
  void beat() {
    heartbeat.expires_after(state->opts.event_heartbeat);
    heartbeat.async_wait([this, st = state](error_code ec) {
      if (ec || st->stopped) return;
      detail::push_to_streams(*st, ": ping\n\n");
      beat();
    });
  }
};

server::server(asio::io_context& io, server_options opts, const router& routes,
               std::vector<token> tokens)
    : impl_(std::make_unique<impl>(io, std::move(opts), routes, std::move(tokens))) {}

server::~server() { stop(); }

status server::start() {
  if (impl_->started) return make_error("http: the server is already started");
  const server_options& o = impl_->state->opts;
  error_code ec;
  const auto address = asio::ip::make_address(o.address, ec);
  if (ec) return make_error("http: address \"" + o.address + "\" is not an IP address");
  if (!o.tls && !address.is_loopback()) {
    return make_error("http: plain HTTP (tls = false) is allowed only on a loopback address, and " +
                      o.address + " is not one; turn tls on or listen on 127.0.0.1");
  }
  if (o.max_connections == 0 || o.max_body_bytes == 0 || o.max_header_bytes == 0 ||
      o.read_timeout.count() <= 0 || o.event_heartbeat.count() <= 0 ||
      o.max_event_backlog_bytes == 0 || o.event_write_timeout.count() <= 0) {
    return make_error(
        "http: max_connections, max_body_bytes, max_header_bytes, read_timeout, "
        "event_heartbeat, max_event_backlog_bytes and event_write_timeout must be positive");
  }
  if (o.tls) {
    auto ctx = load_tls(o);
    if (!ctx) return ctx.err();
    impl_->state->tls = std::move(ctx.value());
  }
  if (auto st = impl_->listen(address); !st) return st;
  impl_->started = true;
  impl_->accept();
  impl_->beat();
  return ok_status();
}

std::uint16_t server::port() const { return impl_->port; }

void server::set_tokens(std::vector<token> tokens) { impl_->state->tokens = std::move(tokens); }

void server::publish(std::string_view event, std::string_view data) {
  detail::push_to_streams(*impl_->state, detail::event_frame(event, data));
}

std::size_t server::event_streams() const { return impl_->state->streams.size(); }

void server::stop() {
  auto& st = *impl_->state;
  st.stopped = true;
  error_code ignored;
  impl_->acceptor.close(ignored);
  impl_->retry.cancel();
  impl_->heartbeat.cancel();
  // Collect first: closing may end a connection, which removes itself from the map.
  std::vector<std::shared_ptr<detail::connection>> open;
  for (auto& [id, weak] : st.connections) {
    if (auto c = weak.lock()) open.push_back(std::move(c));
  }
  for (auto& c : open) c->close();
}

}  // namespace mab::http

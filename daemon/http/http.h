// The operator HTTP(S) API's transport: a Boost.Beast server on mabd's io_context, bearer-token
// authentication against hashes held in the configuration, roles, and a router that answers
// every failure with a JSON error that names the rule and leaks nothing (no token, no stack, no
// internal path). What the endpoints say is the caller's business (handlers); this module only
// decides who may ask and carries requests and answers safely.
//
// Threading: the server runs entirely on the io_context's single thread, like the rest of mabd,
// so handlers may call the broker directly.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "daemon/common/result.h"

namespace mab::http {

// viewer: counts and the pseudonymised ledger; operator: acknowledge flags, reveal a subject;
// auditor: the audit trail and its verification; admin: agencies and keys. Not a hierarchy:
// each route names every role it admits.
enum class role { viewer, operator_role, auditor, admin };
std::string_view name(role r);
std::optional<role> role_from_name(std::string_view s);  // "viewer", "operator", ...

// A token is shown once to the person it is issued to; only its SHA-256 (lowercase hex) is
// stored. `name` identifies the holder in the audit trail ("front-door-duty", "auditor-jb").
struct token {
  std::string name;
  std::string sha256_hex;
  role r = role::viewer;
};
// A new random token (URL-safe, 256 bits of entropy, prefixed "mab_") and its hash.
struct issued_token {
  std::string secret;
  std::string sha256_hex;
};
issued_token issue_token();
std::string hash_token(std::string_view secret);

struct request {
  std::string method;                          // "GET", "POST", ...
  std::string path;                            // percent-decoded, without the query
  std::map<std::string, std::string> query;    // percent-decoded; a repeated key is a 400
  std::map<std::string, std::string> params;   // from the route pattern, e.g. {"id": "T-1"}
  std::string body;
  std::string content_type;
  std::string caller;                          // the token's name ("" on an open route)
  std::optional<role> caller_role;
};

struct response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Extra headers. Cache-Control and Content-Security-Policy replace the defaults (no-store,
  // default-src 'self'); framing headers and X-Content-Type-Options are always the server's.
  std::vector<std::pair<std::string, std::string>> headers;
  // Set by add_events() routes only: the server answers with an open text/event-stream instead
  // of `body`.
  bool event_stream = false;
};
// {"error": {"status": 400, "code": "bad_query", "message": "limit: must be 1..500"}}
response error_response(unsigned status, std::string_view code, std::string_view message);
response json_response(unsigned status, std::string body);

using handler = std::function<response(const request&)>;

class router {
 public:
  // `pattern` is a path with {name} segments ("/api/v1/transfers/{id}"); an empty `roles` set
  // means the route is open (no token needed: /healthz, /readyz).
  void add(std::string method, std::string pattern, std::set<role> roles, handler h);
  // Authenticates (401 without or with an unknown token, 403 for a role the route does not
  // admit), matches (404 unknown path, 405 known path with another method, with Allow), and
  // calls the handler; a handler that throws is a 500 with no detail. Comparing token hashes
  // takes the same time whether or not they match.
  response dispatch(request req, std::string_view authorization,
                    const std::vector<token>& tokens) const;
  // A GET route whose answer is an open text/event-stream: after authentication (same rules as
  // add()), the connection stays open and receives every server::publish(). A HEAD gets the
  // headers alone. A stream outlives a later change of tokens: it ends when either side closes.
  void add_events(std::string pattern, std::set<role> roles);

 private:
  struct route {
    std::string method;
    std::vector<std::string> segments;
    std::set<role> roles;
    handler h;
  };
  std::vector<route> routes_;
};

struct server_options {
  std::string address = "127.0.0.1";  // an IP address to listen on
  std::uint16_t port = 0;             // 0: an ephemeral port (see server::port())
  bool tls = true;                    // plain HTTP only when configured, and only on loopback
  std::string cert_file;              // PEM certificate chain (tls)
  std::string key_file;               // PEM private key (tls)
  std::size_t max_body_bytes = 64 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::seconds read_timeout{30};
  std::size_t max_connections = 256;   // event streams count against it too
  // An open event stream gets a ": ping" comment this often, so proxies and clients see it alive.
  std::chrono::milliseconds event_heartbeat{15000};
  // An event stream whose unwritten events exceed this is closed: a client that stopped reading
  // must not make the daemon's memory grow. It may reconnect and reload what it shows.
  std::size_t max_event_backlog_bytes = 1u << 20;
  // An event stream whose write has not completed in this long is closed too.
  std::chrono::seconds event_write_timeout{30};
};

class server {
 public:
  // `routes` is borrowed and must outlive the server; `tokens` is copied (see set_tokens).
  server(boost::asio::io_context& io, server_options opts, const router& routes,
         std::vector<token> tokens);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Loads the certificate and key (when tls), binds and starts accepting. Errors name the file
  // or the address and say why; plain HTTP on a non-loopback address is refused here.
  status start();
  std::uint16_t port() const;
  // Replaces the tokens (a configuration reload); connections keep running.
  void set_tokens(std::vector<token> tokens);
  // Writes "event: <event>\ndata: <data>\n\n" to every open event stream. `data` is meant to be
  // compact JSON without line breaks; any it has become separate "data:" lines, so one event
  // can never end early or forge another. Call on the io_context's thread.
  void publish(std::string_view event, std::string_view data);
  // Event streams open now (after their request was authenticated).
  std::size_t event_streams() const;
  // Stops accepting and closes open connections. Like every member, call it on the
  // io_context's thread (or while the io_context is not running); ~server calls it.
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// Writes a self-signed certificate and its private key (PEM, key file 0600) for `hostnames`
// (subject alternative names; IP addresses allowed), valid for `days`: what deploy/quickstart
// uses for a local HTTPS endpoint, and what the tests use. Refuses to overwrite either file;
// errors name the file or the hostname that is neither an IP address nor a DNS name.
status write_self_signed(const std::string& cert_file, const std::string& key_file,
                         const std::vector<std::string>& hostnames, int days = 365);

}  // namespace mab::http

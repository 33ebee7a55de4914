// A real server on 127.0.0.1, port 0, its io_context on a thread, driven by a small Beast client.
// Every client operation has a 5 s deadline, so a server bug fails a test instead of hanging it.
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <sys/stat.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "daemon/http/http.h"

namespace mab::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace fs = std::filesystem;
using error_code = boost::system::error_code;
using nlohmann::json;
using namespace std::chrono_literals;

const std::string k_viewer_secret = "mab_viewer-secret-for-tests";
const std::string k_operator_secret = "mab_operator-secret-for-tests";

using message = bhttp::response<bhttp::string_body>;
struct reply {
  error_code ec;
  message msg;
  unsigned status() const { return msg.result_int(); }
};

bhttp::request<bhttp::string_body> make(bhttp::verb method, std::string target,
                                        const std::string& secret = "", std::string body = "") {
  bhttp::request<bhttp::string_body> req{method, target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  if (!secret.empty()) req.set(bhttp::field::authorization, "Bearer " + secret);
  req.body() = std::move(body);
  req.prepare_payload();
  return req;
}

// One connection, plain or TLS. Each call runs the client's own io_context to completion.
class client {
 public:
  explicit client(std::uint16_t port) : plain_(std::make_unique<beast::tcp_stream>(io_)) {
    plain_->connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  client(std::uint16_t port, asio::ssl::context& ctx, const std::string& expected_ip)
      : tls_(std::make_unique<beast::ssl_stream<beast::tcp_stream>>(io_, ctx)) {
    lowest().connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(tls_->native_handle()), expected_ip.c_str());
    lowest().expires_after(5s);
    tls_->async_handshake(asio::ssl::stream_base::client,
                          [this](error_code ec) { handshake_ec = ec; });
    run();
  }

  reply send(const bhttp::request<bhttp::string_body>& req) {
    lowest().expires_after(5s);
    visit([&](auto& s) { bhttp::async_write(s, req, [](error_code, std::size_t) {}); });
    run();
    return read(req.method() == bhttp::verb::head);
  }
  reply send_raw(const std::string& bytes) {
    lowest().expires_after(5s);
    visit([&](auto& s) {
      asio::async_write(s, asio::buffer(bytes), [](error_code, std::size_t) {});
    });
    run();
    return read(false);
  }
  // True when the server closes the connection (end of stream) before the deadline.
  bool closed_by_server() {
    lowest().expires_after(5s);
    error_code result;
    char byte = 0;
    visit([&](auto& s) {
      s.async_read_some(asio::buffer(&byte, 1), [&](error_code ec, std::size_t) { result = ec; });
    });
    run();
    return result == asio::error::eof || result == asio::ssl::error::stream_truncated ||
           result == asio::error::connection_reset;
  }

  error_code handshake_ec;

 private:
  reply read(bool head) {
    reply out;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(8u << 20);
    parser.skip(head);
    lowest().expires_after(5s);
    visit([&](auto& s) {
      bhttp::async_read(s, buffer_, parser, [&](error_code ec, std::size_t) { out.ec = ec; });
    });
    run();
    if (!out.ec) out.msg = parser.release();
    return out;
  }
  beast::tcp_stream& lowest() { return plain_ ? *plain_ : beast::get_lowest_layer(*tls_); }
  template <class F>
  void visit(F f) {
    if (plain_)
      f(*plain_);
    else
      f(*tls_);
  }
  void run() {
    io_.restart();
    io_.run();
  }

  asio::io_context io_;
  beast::flat_buffer buffer_;
  std::unique_ptr<beast::tcp_stream> plain_;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls_;
};

class server_test : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "mab_http_test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    tokens_ = {token{"duty-viewer", hash_token(k_viewer_secret), role::viewer},
               token{"duty-operator", hash_token(k_operator_secret), role::operator_role}};
    routes_.add("GET", "/healthz", {},
                [](const request&) { return json_response(200, R"({"status":"ok"})"); });
    routes_.add("GET", "/api/v1/whoami", {role::viewer, role::operator_role}, [](const request& r) {
      return json_response(200, json({{"caller", r.caller}, {"query", r.query}}).dump());
    });
    routes_.add("POST", "/api/v1/echo", {role::operator_role}, [](const request& r) {
      return json_response(200, json({{"size", r.body.size()}, {"type", r.content_type}}).dump());
    });
  }
  void TearDown() override {
    stop();
    fs::remove_all(dir_);
  }

  static server_options plain() {
    server_options o;
    o.tls = false;
    return o;
  }
  server_options with_cert() {
    server_options o;
    o.cert_file = (dir_ / "cert.pem").string();
    o.key_file = (dir_ / "key.pem").string();
    EXPECT_TRUE(write_self_signed(o.cert_file, o.key_file, {"127.0.0.1", "localhost"}).ok());
    return o;
  }
  status start(server_options o) {
    srv_ = std::make_unique<server>(io_, std::move(o), routes_, tokens_);
    status st = srv_->start();
    if (st) {
      guard_.emplace(io_.get_executor());
      thread_ = std::thread([this] { io_.run(); });
    }
    return st;
  }
  // Runs f on the server's thread and waits for it.
  void on_io(std::function<void()> f) {
    std::promise<void> done;
    asio::post(io_, [&] {
      f();
      done.set_value();
    });
    done.get_future().wait();
  }
  void stop() {
    if (thread_.joinable()) {
      on_io([this] { srv_->stop(); });
      guard_.reset();
      thread_.join();
    }
    srv_.reset();
  }
  std::uint16_t port() const { return srv_->port(); }

  fs::path dir_;
  router routes_;
  std::vector<token> tokens_;
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard_;
  std::unique_ptr<server> srv_;
  std::thread thread_;
};

void expect_security_headers(const message& m) {
  EXPECT_EQ(m[bhttp::field::cache_control], "no-store");
  EXPECT_EQ(m["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(m["Content-Security-Policy"], "default-src 'self'");
}

std::string error_code_of(const message& m) { return json::parse(m.body())["error"]["code"]; }

TEST_F(server_test, plain_http_on_loopback_serves_an_open_route) {
  ASSERT_TRUE(start(plain()).ok());
  ASSERT_NE(port(), 0);
  client c(port());
  const reply r = c.send(make(bhttp::verb::get, "/healthz"));
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.status(), 200u);
  EXPECT_EQ(r.msg.body(), R"({"status":"ok"})");
  EXPECT_EQ(r.msg[bhttp::field::content_type], "application/json");
  expect_security_headers(r.msg);
}

TEST_F(server_test, keep_alive_serves_two_requests_on_one_connection) {
  ASSERT_TRUE(start(plain()).ok());
  client c(port());
  const reply first = c.send(make(bhttp::verb::get, "/healthz"));
  EXPECT_EQ(first.status(), 200u);
  EXPECT_TRUE(first.msg.keep_alive());
  const reply second = c.send(make(bhttp::verb::get, "/api/v1/whoami?x=1", k_viewer_secret));
  ASSERT_FALSE(second.ec) << second.ec.message();
  EXPECT_EQ(json::parse(second.msg.body()),
            json({{"caller", "duty-viewer"}, {"query", {{"x", "1"}}}}));
}

TEST_F(server_test, https_with_a_self_signed_certificate_verified_by_the_client) {
  server_options o = with_cert();
  struct stat key_stat {};
  ASSERT_EQ(::stat(o.key_file.c_str(), &key_stat), 0);
  EXPECT_EQ(key_stat.st_mode & 0777, 0600u);
  ASSERT_TRUE(start(o).ok());

  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.load_verify_file(o.cert_file);
  ctx.set_verify_mode(asio::ssl::verify_peer);
  client c(port(), ctx, "127.0.0.1");
  ASSERT_FALSE(c.handshake_ec) << c.handshake_ec.message();
  const reply r = c.send(make(bhttp::verb::get, "/api/v1/whoami", k_operator_secret));
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(json::parse(r.msg.body())["caller"], "duty-operator");
  expect_security_headers(r.msg);
  EXPECT_EQ(c.send(make(bhttp::verb::get, "/healthz")).status(), 200u);  // keep-alive over TLS
}

TEST_F(server_test, https_client_refuses_an_untrusted_or_misnamed_certificate) {
  server_options o = with_cert();
  ASSERT_TRUE(start(o).ok());
  const std::string other_cert = (dir_ / "other.pem").string();
  ASSERT_TRUE(write_self_signed(other_cert, (dir_ / "other.key").string(), {"127.0.0.1"}).ok());
  asio::ssl::context untrusted(asio::ssl::context::tls_client);
  untrusted.load_verify_file(other_cert);
  untrusted.set_verify_mode(asio::ssl::verify_peer);
  EXPECT_TRUE(client(port(), untrusted, "127.0.0.1").handshake_ec);

  asio::ssl::context trusted(asio::ssl::context::tls_client);
  trusted.load_verify_file(o.cert_file);
  trusted.set_verify_mode(asio::ssl::verify_peer);
  EXPECT_TRUE(client(port(), trusted, "127.0.0.2").handshake_ec);  // not in the SANs
  EXPECT_FALSE(client(port(), trusted, "127.0.0.1").handshake_ec);
}

TEST_F(server_test, a_body_over_the_limit_is_413) {
  server_options o = plain();
  o.max_body_bytes = 1024;
  ASSERT_TRUE(start(o).ok());
  client ok_client(port());
  EXPECT_EQ(
      ok_client
          .send(make(bhttp::verb::post, "/api/v1/echo", k_operator_secret, std::string(1024, 'x')))
          .status(),
      200u);
  client c(port());
  const reply r =
      c.send(make(bhttp::verb::post, "/api/v1/echo", k_operator_secret, std::string(1 << 20, 'x')));
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.status(), 413u);
  EXPECT_EQ(error_code_of(r.msg), "body_too_large");
  expect_security_headers(r.msg);
  EXPECT_FALSE(r.msg.keep_alive());
}

TEST_F(server_test, headers_over_the_limit_are_431) {
  server_options o = plain();
  o.max_header_bytes = 1024;
  ASSERT_TRUE(start(o).ok());
  client c(port());
  auto req = make(bhttp::verb::get, "/healthz");
  req.set("X-Padding", std::string(4096, 'p'));
  const reply r = c.send(req);
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.status(), 431u);
}

TEST_F(server_test, garbage_bytes_get_a_400_and_the_server_carries_on) {
  ASSERT_TRUE(start(plain()).ok());
  for (const std::string& raw :
       {std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n"),
        std::string("GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n"),
        std::string("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"),
        std::string("GET /he llo HTTP/1.1\r\nHost: x\r\n\r\n"),
        std::string(
            "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")}) {
    client c(port());
    const reply r = c.send_raw(raw);
    ASSERT_FALSE(r.ec) << r.ec.message() << " for " << raw;
    EXPECT_EQ(r.status(), 400u) << raw;
    EXPECT_EQ(error_code_of(r.msg), "bad_request");
  }
  client after(port());
  EXPECT_EQ(after.send(make(bhttp::verb::get, "/healthz")).status(), 200u);
}

TEST_F(server_test, path_and_query_tricks_over_the_wire_are_400) {
  ASSERT_TRUE(start(plain()).ok());
  client c(port());
  for (const char* target : {"/api/v1/%2e%2e/whoami", "/api/v1%2Fwhoami", "/api//v1/whoami",
                             "/api/v1/whoami?x=1&x=2", "/healthz%00", "http://other/healthz"}) {
    const reply r = c.send(make(bhttp::verb::get, target, k_viewer_secret));
    ASSERT_FALSE(r.ec) << target;
    EXPECT_EQ(r.status(), 400u) << target;
    EXPECT_TRUE(r.msg.keep_alive()) << target;  // a clean 400 keeps the connection
  }
}

TEST_F(server_test, authentication_and_roles_over_the_wire) {
  ASSERT_TRUE(start(plain()).ok());
  client c(port());
  const reply none = c.send(make(bhttp::verb::get, "/api/v1/whoami"));
  EXPECT_EQ(none.status(), 401u);
  EXPECT_EQ(none.msg[bhttp::field::www_authenticate], "Bearer");
  expect_security_headers(none.msg);

  const std::string wrong = "mab_wrong-secret-never-echoed";
  const reply unknown = c.send(make(bhttp::verb::get, "/api/v1/whoami", wrong));
  EXPECT_EQ(unknown.status(), 401u);
  std::ostringstream whole;
  whole << unknown.msg;
  EXPECT_EQ(whole.str().find(wrong), std::string::npos);

  const reply forbidden = c.send(make(bhttp::verb::post, "/api/v1/echo", k_viewer_secret, "{}"));
  EXPECT_EQ(forbidden.status(), 403u);
  std::ostringstream whole_forbidden;
  whole_forbidden << forbidden.msg;
  EXPECT_EQ(whole_forbidden.str().find(k_viewer_secret), std::string::npos);

  auto post = make(bhttp::verb::post, "/api/v1/echo", k_operator_secret, "{\"a\":1}");
  post.set(bhttp::field::content_type, "application/json");
  const reply allowed = c.send(post);
  EXPECT_EQ(allowed.status(), 200u);
  EXPECT_EQ(json::parse(allowed.msg.body()), json({{"size", 7}, {"type", "application/json"}}));

  const reply unknown_path = c.send(make(bhttp::verb::get, "/api/v1/nothing", k_viewer_secret));
  EXPECT_EQ(unknown_path.status(), 404u);
  const reply wrong_method = c.send(make(bhttp::verb::delete_, "/api/v1/echo", k_operator_secret));
  EXPECT_EQ(wrong_method.status(), 405u);
  EXPECT_EQ(wrong_method.msg[bhttp::field::allow], "POST");
}

TEST_F(server_test, head_is_get_without_a_body) {
  ASSERT_TRUE(start(plain()).ok());
  client c(port());
  const reply head = c.send(make(bhttp::verb::head, "/healthz"));
  ASSERT_FALSE(head.ec) << head.ec.message();
  EXPECT_EQ(head.status(), 200u);
  EXPECT_EQ(head.msg[bhttp::field::content_length],
            std::to_string(std::string(R"({"status":"ok"})").size()));
  EXPECT_TRUE(head.msg.body().empty());
  EXPECT_EQ(c.send(make(bhttp::verb::get, "/healthz")).msg.body(),
            R"({"status":"ok"})");  // framing intact
}

TEST_F(server_test, replaced_tokens_apply_to_the_next_request) {
  ASSERT_TRUE(start(plain()).ok());
  client c(port());
  EXPECT_EQ(c.send(make(bhttp::verb::get, "/api/v1/whoami", k_viewer_secret)).status(), 200u);
  on_io([this] { srv_->set_tokens({}); });
  EXPECT_EQ(c.send(make(bhttp::verb::get, "/api/v1/whoami", k_viewer_secret)).status(), 401u);
}

TEST_F(server_test, connections_beyond_the_maximum_get_503) {
  server_options o = plain();
  o.max_connections = 1;
  ASSERT_TRUE(start(o).ok());
  client first(port());
  EXPECT_EQ(first.send(make(bhttp::verb::get, "/healthz")).status(), 200u);
  client second(port());
  const reply r = second.send(make(bhttp::verb::get, "/healthz"));
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.status(), 503u);
  EXPECT_FALSE(r.msg.keep_alive());
  EXPECT_TRUE(second.closed_by_server());
  EXPECT_EQ(first.send(make(bhttp::verb::get, "/healthz")).status(), 200u);
}

TEST_F(server_test, an_idle_connection_is_closed_after_the_read_timeout) {
  server_options o = plain();
  o.read_timeout = 1s;
  ASSERT_TRUE(start(o).ok());
  client c(port());
  // The client gives up after 5 s of silence; the server's 1 s timeout must close first.
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(server_test, stop_closes_open_connections) {
  ASSERT_TRUE(start(plain()).ok());
  client c(port());
  EXPECT_EQ(c.send(make(bhttp::verb::get, "/healthz")).status(), 200u);
  on_io([this] { srv_->stop(); });
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(server_test, plain_http_is_refused_off_loopback) {
  for (const char* address : {"0.0.0.0", "::", "192.0.2.1"}) {
    server_options o = plain();
    o.address = address;
    server s(io_, o, routes_, tokens_);
    const status st = s.start();
    ASSERT_FALSE(st.ok()) << address;
    EXPECT_NE(st.message().find("loopback"), std::string::npos) << st.message();
    EXPECT_NE(st.message().find(address), std::string::npos) << st.message();
  }
  server_options o = plain();
  o.address = "localhost";  // a name, not an address
  server s(io_, o, routes_, tokens_);
  EXPECT_NE(s.start().message().find("not an IP address"), std::string::npos);
}

TEST_F(server_test, bad_certificate_or_key_files_are_named) {
  const server_options good = with_cert();
  auto start_error = [&](server_options o) {
    server s(io_, std::move(o), routes_, tokens_);
    const status st = s.start();
    return st.ok() ? std::string() : st.message();
  };
  server_options missing = good;
  missing.cert_file = (dir_ / "absent.pem").string();
  EXPECT_NE(start_error(missing).find(missing.cert_file), std::string::npos);

  const std::string junk = (dir_ / "junk.pem").string();
  std::ofstream(junk) << "not a certificate\n";
  server_options garbage = good;
  garbage.cert_file = junk;
  EXPECT_NE(start_error(garbage).find(junk), std::string::npos);
  server_options garbage_key = good;
  garbage_key.key_file = junk;
  EXPECT_NE(start_error(garbage_key).find(junk), std::string::npos);

  const std::string other_cert = (dir_ / "other.pem").string();
  const std::string other_key = (dir_ / "other.key").string();
  ASSERT_TRUE(write_self_signed(other_cert, other_key, {"localhost"}).ok());
  server_options mismatched = good;
  mismatched.key_file = other_key;
  EXPECT_NE(start_error(mismatched).find("does not match"), std::string::npos);

  server_options no_files;
  EXPECT_NE(start_error(no_files).find("certificate"), std::string::npos);
  EXPECT_EQ(start_error(good), "");
}

TEST_F(server_test, a_port_in_use_is_an_error_naming_the_address) {
  ASSERT_TRUE(start(plain()).ok());
  server_options o = plain();
  o.port = port();
  server second(io_, o, routes_, tokens_);
  const status st = second.start();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("127.0.0.1:" + std::to_string(port())), std::string::npos)
      << st.message();
}

TEST(write_self_signed, refuses_bad_input_and_existing_files) {
  const fs::path dir = fs::temp_directory_path() / ("mab_http_cert." + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string cert = (dir / "c.pem").string();
  const std::string key = (dir / "k.pem").string();
  EXPECT_FALSE(write_self_signed(cert, key, {}).ok());
  EXPECT_FALSE(write_self_signed(cert, key, {"bad host,IP:1.2.3.4"}).ok());
  EXPECT_FALSE(write_self_signed(cert, key, {"localhost"}, 0).ok());
  EXPECT_FALSE(fs::exists(key));
  ASSERT_TRUE(write_self_signed(cert, key, {"localhost", "::1", "mab.example.org"}).ok());
  const status again = write_self_signed(cert, key, {"localhost"});
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.message().find(key), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mab::http

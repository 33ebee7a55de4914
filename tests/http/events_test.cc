// Server-Sent Events over a real server on 127.0.0.1: framing, authentication, heartbeats, the
// backlog limit, connection accounting and stop(). The client reads raw bytes and decodes the
// chunked body itself, so the test sees exactly what a browser would. Every client read has a
// 5 s deadline, so a server bug fails a test instead of hanging it.
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <sys/stat.h>

#include <utility>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include <chrono>
#include <filesystem>
#include <future>
#include <map>
#include <thread>

#include "daemon/http/http.h"
#include "daemon/http/state.h"

namespace mab::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace fs = std::filesystem;
using error_code = boost::system::error_code;
using namespace std::chrono_literals;

const std::string k_viewer_secret = "mab_viewer-secret-for-events";
const std::string k_auditor_secret = "mab_auditor-secret-for-events";

std::string lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// A raw HTTP client for one request whose answer may never end: it parses the status line and
// headers, then decodes the body (chunked or close-delimited) as it arrives.
class stream_client {
 public:
  explicit stream_client(std::uint16_t port) : plain_(std::make_unique<beast::tcp_stream>(io_)) {
    plain_->connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  stream_client(std::uint16_t port, asio::ssl::context& ctx)
      : tls_(std::make_unique<beast::ssl_stream<beast::tcp_stream>>(io_, ctx)) {
    lowest().connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(tls_->native_handle()), "127.0.0.1");
    lowest().expires_after(5s);
    tls_->async_handshake(asio::ssl::stream_base::client, [this](error_code ec) { ec_ = ec; });
    run();
  }

  // Sends a GET (or `method`) for `target` and reads the status line and headers.
  bool request(const std::string& target, const std::string& secret = "",
               const std::string& method = "GET", const std::string& version = "HTTP/1.1") {
    std::string req = method + " " + target + " " + version + "\r\nHost: 127.0.0.1\r\n";
    if (!secret.empty()) req += "Authorization: Bearer " + secret + "\r\n";
    req += "\r\n";
    lowest().expires_after(5s);
    visit([&](auto& s) {
      asio::async_write(s, asio::buffer(req), [this](error_code ec, std::size_t) { ec_ = ec; });
    });
    run();
    if (ec_) return false;
    while (raw_.find("\r\n\r\n") == std::string::npos) {
      if (!read_some()) return false;
    }
    const std::size_t end = raw_.find("\r\n\r\n");
    parse_head(raw_.substr(0, end));
    raw_.erase(0, end + 4);
    chunked_ = lower(header("transfer-encoding")) == "chunked";
    return true;
  }

  unsigned status() const { return status_; }
  std::string header(const std::string& name) const {
    const auto it = headers_.find(lower(name));
    return it == headers_.end() ? "" : it->second;
  }
  // The body decoded so far.
  const std::string& body() const { return body_; }

  // Reads until the decoded body contains `text` (counting from `from`); false on a closed
  // connection or the deadline.
  bool wait_for(const std::string& text, std::size_t from = 0) {
    for (;;) {
      decode();
      if (body_.find(text, from) != std::string::npos) return true;
      if (!read_some()) return false;
    }
  }
  // Reads until the server closes the connection; false when the deadline passes first.
  bool wait_closed() {
    for (;;) {
      if (!read_some()) {
        decode();
        return ec_ == asio::error::eof || ec_ == asio::ssl::error::stream_truncated ||
               ec_ == asio::error::connection_reset || ec_ == asio::error::broken_pipe;
      }
    }
  }

 private:
  bool read_some() {
    std::array<char, 8192> buf{};
    std::size_t got = 0;
    lowest().expires_after(5s);
    visit([&](auto& s) {
      s.async_read_some(asio::buffer(buf), [&](error_code ec, std::size_t n) {
        ec_ = ec;
        got = n;
      });
    });
    run();
    raw_.append(buf.data(), got);
    return !ec_;
  }

  void decode() {
    if (!chunked_) {
      body_ += raw_;
      raw_.clear();
      return;
    }
    for (;;) {
      const std::size_t line_end = raw_.find("\r\n");
      if (line_end == std::string::npos) return;
      const std::size_t size = std::stoul(raw_.substr(0, line_end), nullptr, 16);
      if (raw_.size() < line_end + 2 + size + 2) return;
      body_ += raw_.substr(line_end + 2, size);
      raw_.erase(0, line_end + 2 + size + 2);
    }
  }

  void parse_head(const std::string& head) {
    std::size_t pos = head.find("\r\n");
    const std::string status_line = head.substr(0, pos);
    status_ = static_cast<unsigned>(std::stoul(status_line.substr(status_line.find(' ') + 1)));
    while (pos != std::string::npos) {
      const std::size_t start = pos + 2;
      pos = head.find("\r\n", start);
      const std::string line = head.substr(start, pos == std::string::npos ? pos : pos - start);
      const std::size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      headers_[lower(line.substr(0, colon))] = value;
    }
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
  std::unique_ptr<beast::tcp_stream> plain_;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls_;
  error_code ec_;
  std::string raw_;
  std::string body_;
  unsigned status_ = 0;
  std::map<std::string, std::string> headers_;
  bool chunked_ = false;
};

class events_test : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "mab_events_test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    tokens_ = {token{"duty-viewer", hash_token(k_viewer_secret), role::viewer},
               token{"auditor-jb", hash_token(k_auditor_secret), role::auditor}};
    routes_.add("GET", "/healthz", {},
                [](const request&) { return json_response(200, R"({"status":"ok"})"); });
    routes_.add_events("/api/v1/events", {role::viewer, role::operator_role});
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
  status start(server_options o) {
    srv_ = std::make_unique<server>(io_, std::move(o), routes_, tokens_);
    status st = srv_->start();
    if (st) {
      guard_.emplace(io_.get_executor());
      thread_ = std::thread([this] { io_.run(); });
    }
    return st;
  }
  template <class F>
  auto on_io(F f) {
    std::promise<decltype(f())> done;
    asio::post(io_, [&] {
      if constexpr (std::is_void_v<decltype(f())>) {
        f();
        done.set_value();
      } else {
        done.set_value(f());
      }
    });
    return done.get_future().get();
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
  void publish(const std::string& event, const std::string& data) {
    on_io([&] { srv_->publish(event, data); });
  }
  std::size_t streams() {
    return on_io([this] { return srv_->event_streams(); });
  }
  // Opens a stream as the viewer and waits until the server has registered it.
  void open(stream_client& c) {
    ASSERT_TRUE(c.request("/api/v1/events", k_viewer_secret));
    ASSERT_EQ(c.status(), 200u);
    ASSERT_TRUE(c.wait_for(": stream open\n\n"));
  }

  fs::path dir_;
  router routes_;
  std::vector<token> tokens_;
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard_;
  std::unique_ptr<server> srv_;
  std::thread thread_;
};

TEST(event_frame, is_event_then_data_then_a_blank_line) {
  EXPECT_EQ(detail::event_frame("ledger", R"({"seq":7})"),
            "event: ledger\ndata: {\"seq\":7}\n\n");
  EXPECT_EQ(detail::event_frame("", "x"), "data: x\n\n");
}

TEST(event_frame, line_breaks_cannot_end_the_event_or_forge_another) {
  EXPECT_EQ(detail::event_frame("led\nger", "a\nevent: evil\r\ndata: b\rc"),
            "event: ledger\ndata: a\ndata: event: evil\ndata: data: b\ndata: c\n\n");
}

TEST_F(events_test, a_stream_receives_every_publish_in_order) {
  ASSERT_TRUE(start(plain()).ok());
  stream_client c(port());
  ASSERT_NO_FATAL_FAILURE(open(c));
  EXPECT_EQ(c.header("Content-Type"), "text/event-stream; charset=utf-8");
  EXPECT_EQ(c.header("Cache-Control"), "no-store");
  EXPECT_EQ(c.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(c.header("Transfer-Encoding"), "chunked");
  EXPECT_EQ(c.header("Content-Length"), "");
  EXPECT_EQ(streams(), 1u);

  publish("ledger", R"({"seq":1,"kind":"flag.raised"})");
  publish("ledger", R"({"seq":2,"kind":"flag.cleared"})");
  ASSERT_TRUE(c.wait_for("seq\":2"));
  EXPECT_EQ(c.body(),
            ": stream open\n\n"
            "event: ledger\ndata: {\"seq\":1,\"kind\":\"flag.raised\"}\n\n"
            "event: ledger\ndata: {\"seq\":2,\"kind\":\"flag.cleared\"}\n\n");
}

TEST_F(events_test, every_open_stream_gets_each_event) {
  ASSERT_TRUE(start(plain()).ok());
  stream_client a(port());
  stream_client b(port());
  ASSERT_NO_FATAL_FAILURE(open(a));
  ASSERT_NO_FATAL_FAILURE(open(b));
  EXPECT_EQ(streams(), 2u);
  publish("ledger", "{}");
  EXPECT_TRUE(a.wait_for("event: ledger\ndata: {}\n\n"));
  EXPECT_TRUE(b.wait_for("event: ledger\ndata: {}\n\n"));
}

TEST_F(events_test, authentication_and_roles_are_those_of_any_route) {
  ASSERT_TRUE(start(plain()).ok());
  stream_client none(port());
  ASSERT_TRUE(none.request("/api/v1/events"));
  EXPECT_EQ(none.status(), 401u);
  EXPECT_EQ(none.header("Content-Type"), "application/json");

  stream_client unknown(port());
  ASSERT_TRUE(unknown.request("/api/v1/events", "mab_not-a-token"));
  EXPECT_EQ(unknown.status(), 401u);

  stream_client auditor(port());
  ASSERT_TRUE(auditor.request("/api/v1/events", k_auditor_secret));
  EXPECT_EQ(auditor.status(), 403u);
  ASSERT_TRUE(auditor.wait_for("\"forbidden\""));

  stream_client post(port());
  ASSERT_TRUE(post.request("/api/v1/events", k_viewer_secret, "POST"));
  EXPECT_EQ(post.status(), 405u);
  EXPECT_EQ(streams(), 0u);
}

TEST_F(events_test, head_gets_the_headers_and_no_stream) {
  ASSERT_TRUE(start(plain()).ok());
  stream_client c(port());
  ASSERT_TRUE(c.request("/api/v1/events", k_viewer_secret, "HEAD"));
  EXPECT_EQ(c.status(), 200u);
  EXPECT_EQ(c.header("Content-Type"), "text/event-stream");
  EXPECT_EQ(c.header("Content-Length"), "0");
  EXPECT_EQ(streams(), 0u);
}

TEST_F(events_test, an_http_1_0_stream_is_delimited_by_closing) {
  ASSERT_TRUE(start(plain()).ok());
  stream_client c(port());
  ASSERT_TRUE(c.request("/api/v1/events", k_viewer_secret, "GET", "HTTP/1.0"));
  EXPECT_EQ(c.status(), 200u);
  EXPECT_EQ(c.header("Transfer-Encoding"), "");
  EXPECT_NE(lower(c.header("Connection")), "keep-alive");  // 1.0 closes by default
  ASSERT_TRUE(c.wait_for(": stream open\n\n"));
  publish("ledger", "{\"seq\":3}");
  EXPECT_TRUE(c.wait_for("event: ledger\ndata: {\"seq\":3}\n\n"));
}

TEST_F(events_test, heartbeat_comments_keep_an_idle_stream_alive) {
  server_options o = plain();
  o.event_heartbeat = 50ms;
  ASSERT_TRUE(start(o).ok());
  stream_client c(port());
  ASSERT_NO_FATAL_FAILURE(open(c));
  const std::size_t after_open = c.body().size();
  ASSERT_TRUE(c.wait_for(": ping\n\n", after_open));
  ASSERT_TRUE(c.wait_for(": ping\n\n", c.body().size()));
}

TEST_F(events_test, a_stream_that_falls_behind_is_dropped_and_frees_its_slot) {
  server_options o = plain();
  o.max_connections = 1;
  o.max_event_backlog_bytes = 64 * 1024;
  ASSERT_TRUE(start(o).ok());
  stream_client c(port());
  ASSERT_NO_FATAL_FAILURE(open(c));
  // All in one turn of the event loop: nothing can be written in between, so the backlog
  // passes the limit whatever the client does.
  const std::string big(16 * 1024, 'x');
  on_io([&] {
    for (int i = 0; i < 8; ++i) srv_->publish("ledger", big);
  });
  EXPECT_TRUE(c.wait_closed());
  EXPECT_EQ(streams(), 0u);
  stream_client next(port());
  ASSERT_TRUE(next.request("/healthz"));
  EXPECT_EQ(next.status(), 200u);
}

TEST_F(events_test, a_stream_counts_against_max_connections) {
  server_options o = plain();
  o.max_connections = 1;
  ASSERT_TRUE(start(o).ok());
  stream_client c(port());
  ASSERT_NO_FATAL_FAILURE(open(c));
  stream_client second(port());
  ASSERT_TRUE(second.request("/healthz"));
  EXPECT_EQ(second.status(), 503u);
}

TEST_F(events_test, a_client_that_leaves_is_forgotten) {
  ASSERT_TRUE(start(plain()).ok());
  {
    stream_client c(port());
    ASSERT_NO_FATAL_FAILURE(open(c));
    EXPECT_EQ(streams(), 1u);
  }
  // The server notices the close on its own pending read, on its own schedule: look until it
  // has (bounded), rather than assume how long that takes.
  std::size_t left = 1;
  for (int i = 0; i < 500 && left != 0; ++i) {
    left = streams();
    if (left != 0) std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(left, 0u);
}

TEST_F(events_test, stop_closes_open_streams) {
  ASSERT_TRUE(start(plain()).ok());
  stream_client c(port());
  ASSERT_NO_FATAL_FAILURE(open(c));
  on_io([this] { srv_->stop(); });
  EXPECT_TRUE(c.wait_closed());
}

TEST_F(events_test, events_over_tls) {
  server_options o;
  o.cert_file = (dir_ / "cert.pem").string();
  o.key_file = (dir_ / "key.pem").string();
  ASSERT_TRUE(write_self_signed(o.cert_file, o.key_file, {"127.0.0.1"}).ok());
  ASSERT_TRUE(start(o).ok());
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.load_verify_file(o.cert_file);
  ctx.set_verify_mode(asio::ssl::verify_peer);
  stream_client c(port(), ctx);
  ASSERT_NO_FATAL_FAILURE(open(c));
  publish("ledger", "{\"seq\":9}");
  EXPECT_TRUE(c.wait_for("event: ledger\ndata: {\"seq\":9}\n\n"));
  on_io([this] { srv_->stop(); });
  EXPECT_TRUE(c.wait_closed());
}

}  // namespace
}  // namespace mab::http

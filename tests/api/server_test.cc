// The API end to end over a socket: a real http::server (plain HTTP on 127.0.0.1, as the
// configuration allows on loopback) in front of a broker with real work in it, and a small Beast
// client. The server's io_context runs on its own thread; the broker is touched only from it
// once the server is up. Every client operation has a 5 s deadline, so a bug fails rather than
// hangs.
#include <utility>  // before Asio (Boost 1.74 with GCC 12)

#include <boost/asio/executor_work_guard.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <thread>

#include "tests/api/fixture.h"

namespace mab::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

struct reply {
  unsigned status = 0;
  std::string content_type;
  std::string body;
};

// One request on a fresh connection; the raw target goes on the wire as given.
reply fetch(std::uint16_t port, bhttp::verb method, const std::string& target,
            const std::string& secret, const std::string& body = "") {
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code ec;
  stream.expires_after(std::chrono::seconds(5));
  stream.async_connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                       [&](beast::error_code e) { ec = e; });
  io.run();
  if (ec) return {0, "", "connect: " + ec.message()};
  bhttp::request<bhttp::string_body> req{method, target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  if (!secret.empty()) req.set(bhttp::field::authorization, "Bearer " + secret);
  if (!body.empty()) req.set(bhttp::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  stream.expires_after(std::chrono::seconds(5));
  bhttp::async_write(stream, req, [&](beast::error_code e, std::size_t) { ec = e; });
  io.restart();
  io.run();
  if (ec) return {0, "", "write: " + ec.message()};
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  stream.expires_after(std::chrono::seconds(5));
  bhttp::async_read(stream, buffer, res, [&](beast::error_code e, std::size_t) { ec = e; });
  io.restart();
  io.run();
  if (ec) return {0, "", "read: " + ec.message()};
  return {res.result_int(), std::string(res[bhttp::field::content_type]), res.body()};
}

class server_test : public api_test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(busy_ledger());
    http::server_options opts;
    opts.tls = false;
    server = std::make_unique<http::server>(io, opts, router, tokens);
    auto started = server->start();
    ASSERT_TRUE(started) << started.message();
    port = server->port();
    thread = std::thread([this] { io.run(); });
  }
  void TearDown() override {
    asio::post(io, [this] { server->stop(); });
    work.reset();
    if (thread.joinable()) thread.join();
    server.reset();
  }

  reply as(http::role r, const std::string& target) {
    return fetch(port, bhttp::verb::get, target, secret_of(r));
  }

  asio::io_context io;
  // Keeps io.run() going until TearDown, whatever the server is doing.
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{
      std::in_place, io.get_executor()};
  std::unique_ptr<http::server> server;
  std::uint16_t port = 0;
  std::thread thread;
};

TEST_F(server_test, the_ledger_over_a_socket) {
  const auto ready = fetch(port, bhttp::verb::get, "/readyz", "");
  EXPECT_EQ(ready.status, 200u) << ready.body;

  const auto overview = as(http::role::viewer, "/api/v1/overview");
  ASSERT_EQ(overview.status, 200u) << overview.body;
  EXPECT_EQ(overview.content_type, "application/json");
  EXPECT_EQ(json::parse(overview.body)["open_transfers"], 3);

  const auto page = as(http::role::viewer, "/api/v1/transfers?state=open&limit=2");
  ASSERT_EQ(page.status, 200u) << page.body;
  EXPECT_EQ(json::parse(page.body)["next_offset"], 2);

  const auto t = as(http::role::viewer, "/api/v1/transfers/T-2");
  ASSERT_EQ(t.status, 200u) << t.body;
  EXPECT_EQ(json::parse(t.body)["transfer_id"], "T-2");

  const auto metrics = as(http::role::auditor, "/metrics");
  ASSERT_EQ(metrics.status, 200u);
  EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(metrics.body.find("mab_flags_open{type=\"INCOMPLETE\"} 9\n"), std::string::npos);

  EXPECT_EQ(as(http::role::viewer, "/api/v1/audit/verify").status, 403u);
  EXPECT_EQ(json::parse(as(http::role::auditor, "/api/v1/audit/verify").body)["ok"], true);
  EXPECT_EQ(fetch(port, bhttp::verb::get, "/api/v1/flags", "").status, 401u);
}

TEST_F(server_test, an_acknowledgement_over_a_socket_is_recorded_under_the_tokens_name) {
  const auto flags = as(http::role::viewer, "/api/v1/flags?type=INCOMPLETE&limit=1");
  ASSERT_EQ(flags.status, 200u);
  const auto id = json::parse(flags.body)["items"][0]["flag_id"].get<std::uint64_t>();
  const auto path = "/api/v1/flags/" + std::to_string(id) + "/ack";
  EXPECT_EQ(fetch(port, bhttp::verb::post, path, secret_of(http::role::viewer),
                  R"({"note": "seen"})")
                .status,
            403u);
  EXPECT_EQ(fetch(port, bhttp::verb::post, path, secret_of(http::role::operator_role), "{")
                .status,
            400u);
  const auto done = fetch(port, bhttp::verb::post, path, secret_of(http::role::operator_role),
                          R"({"note": "rang the school office"})");
  ASSERT_EQ(done.status, 200u) << done.body;
  EXPECT_EQ(json::parse(done.body)["acked_by"], token_name(http::role::operator_role));
}

TEST_F(server_test, path_tricks_on_the_wire_are_400) {
  for (const std::string target :
       {"/api/v1/transfers/..%2f..%2fetc%2fpasswd", "/api/v1/transfers/%00",
        "/api/v1/transfers/T-1%2500", "/api/v1/../v1/transfers", "/api/v1/transfers/%2e%2e/x",
        "/api/v1/transfers/T-1#frag", "api/v1/transfers"}) {
    SCOPED_TRACE(target);
    const auto r = as(http::role::viewer, target);
    EXPECT_EQ(r.status, 400u) << r.body;
  }
  const auto long_id = as(http::role::viewer, "/api/v1/transfers/" + std::string(4000, 'T'));
  EXPECT_EQ(long_id.status, 400u) << long_id.body.substr(0, 200);
  // The server is still serving after all that.
  EXPECT_EQ(as(http::role::viewer, "/api/v1/transfers/T-1").status, 200u);
}

}  // namespace
}  // namespace mab::api

// The embedded dashboard: every file served with its type, cache rule and Content-Security-Policy,
// through the router and over a real server (where the headers are finally decided); unknown
// assets 404; and the page itself keeps to what its CSP allows.
#include <gtest/gtest.h>

#include <utility>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <regex>
#include <set>
#include <thread>

#include "daemon/dashboard/dashboard.h"
#include "daemon/http/http.h"

namespace mab::dashboard {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using namespace std::chrono_literals;

std::string header(const http::response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

http::response get(const http::router& r, const std::string& path) {
  http::request req;
  req.method = "GET";
  req.path = path;
  return r.dispatch(req, "", {});
}

const std::pair<const char*, const char*> k_files[] = {
    {"index.html", "text/html; charset=utf-8"},
    {"app.js", "text/javascript; charset=utf-8"},
    {"style.css", "text/css; charset=utf-8"},
    {"icon.svg", "image/svg+xml"},
};

class dashboard_test : public ::testing::Test {
 protected:
  void SetUp() override { add_routes(routes_); }
  http::router routes_;
};

TEST_F(dashboard_test, the_page_and_every_asset_have_type_cache_rule_and_csp_without_a_token) {
  for (const auto& [name, type] : k_files) {
    const http::response r = get(routes_, std::string("/assets/") + name);
    EXPECT_EQ(r.status, 200u) << name;
    EXPECT_EQ(r.content_type, type) << name;
    EXPECT_FALSE(r.body.empty()) << name;
    EXPECT_EQ(header(r, "Cache-Control"), "no-cache") << name;
    const std::string csp = header(r, "Content-Security-Policy");
    EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("unsafe"), std::string::npos) << csp;
  }
  const http::response index = get(routes_, "/");
  EXPECT_EQ(index.status, 200u);
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(index.body, get(routes_, "/assets/index.html").body);
}

TEST_F(dashboard_test, unknown_assets_are_404_and_other_methods_405) {
  for (const char* path : {"/assets/nope.js", "/assets/app.js.map", "/assets/APP.JS"}) {
    const http::response r = get(routes_, path);
    EXPECT_EQ(r.status, 404u) << path;
    EXPECT_EQ(r.content_type, "application/json") << path;
  }
  EXPECT_EQ(get(routes_, "/assets/../app.js").status, 400u);
  http::request post;
  post.method = "POST";
  post.path = "/";
  EXPECT_EQ(routes_.dispatch(post, "", {}).status, 405u);
}

// The CSP forbids inline script, inline style and event-handler attributes: a page that used
// any would break silently in the browser, so the markup is checked here.
TEST_F(dashboard_test, the_page_uses_only_what_its_csp_allows) {
  const std::string html = get(routes_, "/").body;
  EXPECT_EQ(html.find("style="), std::string::npos);
  EXPECT_EQ(html.find("<style"), std::string::npos);
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(\son[a-z]+\s*=)", std::regex::icase)));
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(<script(?![^>]*\ssrc=)[^>]*>)")));
  EXPECT_FALSE(std::regex_search(html, std::regex(R"re((src|href)="(https?:)?//)re")));
  // Every file the page names is one the dashboard serves.
  const std::regex ref(R"re((?:src|href)="(/assets/[^"]+)")re");
  std::set<std::string> named;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), ref); it != std::sregex_iterator();
       ++it) {
    named.insert((*it)[1]);
  }
  EXPECT_EQ(named, (std::set<std::string>{"/assets/app.js", "/assets/style.css",
                                          "/assets/icon.svg"}));
  for (const auto& path : named) EXPECT_EQ(get(routes_, path).status, 200u) << path;
  // Nothing in the script loads code from a string or from elsewhere.
  const std::string js = get(routes_, "/assets/app.js").body;
  for (const char* banned : {"eval(", "new Function", "innerHTML", "outerHTML", "insertAdjacentHTML",
                             "document.write", "https://", "import("}) {
    EXPECT_EQ(js.find(banned), std::string::npos) << banned;
  }
  // The one absolute URL is SVG's namespace name, which is never fetched.
  const std::regex url(R"re(http://(?!www\.w3\.org/2000/svg'))re");
  EXPECT_FALSE(std::regex_search(js, url));
}

// Over a socket, the server decides the final headers: the dashboard's cache rule and CSP must
// survive it, and nosniff must still be added.
TEST_F(dashboard_test, over_a_real_server_the_headers_reach_the_browser) {
  asio::io_context io;
  http::server_options o;
  o.tls = false;
  http::server srv(io, o, routes_, {});
  ASSERT_TRUE(srv.start().ok());
  auto guard = asio::make_work_guard(io);
  std::thread t([&] { io.run(); });

  asio::io_context client_io;
  beast::tcp_stream stream(client_io);
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), srv.port()));
  for (const auto& [name, type] : k_files) {
    bhttp::request<bhttp::empty_body> req{bhttp::verb::get, std::string("/assets/") + name, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    bhttp::response<bhttp::string_body> res;
    beast::flat_buffer buf;
    boost::system::error_code ec;
    stream.expires_after(5s);
    bhttp::async_write(stream, req, [&](boost::system::error_code e, std::size_t) { ec = e; });
    client_io.restart();
    client_io.run();
    ASSERT_FALSE(ec) << ec.message();
    bhttp::async_read(stream, buf, res, [&](boost::system::error_code e, std::size_t) { ec = e; });
    client_io.restart();
    client_io.run();
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(res.result_int(), 200u) << name;
    EXPECT_EQ(res[bhttp::field::content_type], type) << name;
    EXPECT_EQ(res[bhttp::field::cache_control], "no-cache") << name;
    EXPECT_NE(res["Content-Security-Policy"].find("frame-ancestors 'none'"), std::string::npos);
    EXPECT_EQ(res["X-Content-Type-Options"], "nosniff") << name;
    EXPECT_EQ(res["Referrer-Policy"], "no-referrer") << name;
  }
  asio::post(io, [&] { srv.stop(); });
  guard.reset();
  t.join();
}

}  // namespace
}  // namespace mab::dashboard

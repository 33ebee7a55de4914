// mabctl's HTTP(S) client for mabd's operator API (see api_client.h): Boost.Beast, synchronous,
// one connection per command, certificate and host verified by OpenSSL.
#include <utility>  // before Asio (Boost 1.74 with GCC 12)

#include "adapters/mabctl/api_client.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <CLI/CLI.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <toml++/toml.h>

namespace mab::mabctl {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

constexpr auto io_timeout = std::chrono::seconds(15);

struct endpoint {
  bool tls = true;
  std::string host;
  std::string port;
  std::string cacert;
};

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

result<std::string> read_text(const std::string& path, const std::string& what) {
  std::ifstream in(path);
  if (!in) return make_error(what + " " + path + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return trimmed(text.str());
}

// mabd writes its URL to <data_dir>/mabd.http once it listens; its certificate is [http]
// cert_file (self-signed by default, so it is its own trust anchor).
result<std::pair<std::string, std::string>> from_mabd_config(const std::string& path) {
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return make_error(path + ":" + std::to_string(e.source().begin.line) + ": " +
                      std::string(e.description()));
  }
  if (!t.contains("http")) return make_error(path + ": has no [http] section: the API is off");
  fs::path data_dir(t["broker"]["data_dir"].value_or(std::string(".")));
  if (data_dir.is_relative()) data_dir = fs::absolute(path).parent_path() / data_dir;
  auto url = read_text((data_dir / "mabd.http").string(), "mabd's URL file");
  if (!url) return make_error(url.message() + " (is mabd running with [http]?)");
  std::string cert;
  if (t["http"]["tls"].value_or(true)) {
    fs::path c(t["http"]["cert_file"].value_or(std::string("http.crt")));
    if (c.is_relative()) c = data_dir / c;
    cert = c.lexically_normal().string();
  }
  return std::pair{*url, cert};
}

result<endpoint> resolve(const api_target& t) {
  std::string url = t.url;
  std::string cacert = t.cacert;
  if (url.empty()) {
    if (t.mabd_config.empty()) return make_error("--url or --mabd-config is required");
    auto found = from_mabd_config(t.mabd_config);
    if (!found) return found.err();
    url = found->first;
    if (cacert.empty()) cacert = found->second;
  }
  endpoint e;
  e.cacert = cacert;
  std::string rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    e.tls = false;
    rest = url.substr(7);
  } else {
    return make_error("--url " + url + ": must start with https:// (or http:// on loopback)");
  }
  if (const auto slash = rest.find('/'); slash != std::string::npos) rest.resize(slash);
  std::size_t colon;
  if (rest.starts_with("[")) {
    const auto close = rest.find(']');
    if (close == std::string::npos) return make_error("--url " + url + ": unclosed [");
    e.host = rest.substr(1, close - 1);
    colon = rest.find(':', close);
  } else {
    colon = rest.rfind(':');
    e.host = rest.substr(0, colon);
  }
  e.port = colon == std::string::npos ? (e.tls ? "443" : "80") : rest.substr(colon + 1);
  if (e.host.empty()) return make_error("--url " + url + ": no host");
  return e;
}

result<std::string> token_of(const api_target& t) {
  if (!t.token_file.empty()) return read_text(t.token_file, "--token-file");
  if (const char* env = std::getenv("MAB_TOKEN"); env != nullptr && env[0] != '\0') {
    return trimmed(env);
  }
  return make_error(
      "no token: give --token-file FILE or set MAB_TOKEN (create one with `mabctl token new`)");
}

// mabd's JSON error names the rule; show it rather than a bare status.
std::string error_of(unsigned status, const std::string& body) {
  std::string message = "HTTP " + std::to_string(status);
  json j = json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    message += " " + j["error"].value("code", std::string()) + ": " +
               j["error"].value("message", std::string());
  }
  return message;
}

template <class Stream>
result<json> round_trip(Stream& stream, const bhttp::request<bhttp::string_body>& req) {
  bhttp::write(stream, req);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64u << 20);
  bhttp::read(stream, buffer, parser);
  const auto& res = parser.get();
  if (res.result_int() / 100 != 2) return make_error(error_of(res.result_int(), res.body()));
  json j = json::parse(res.body(), nullptr, false);
  if (j.is_discarded()) return make_error("malformed answer from mabd (not JSON)");
  return j;
}

result<json> call(const api_target& t, bhttp::verb method, const std::string& target,
                  const std::optional<json>& body) {
  auto e = resolve(t);
  if (!e) return e.err();
  auto token = token_of(t);
  if (!token) return token.err();
  bhttp::request<bhttp::string_body> req(method, target, 11);
  req.set(bhttp::field::host, e->host);
  req.set(bhttp::field::user_agent, "mabctl");
  req.set(bhttp::field::authorization, "Bearer " + *token);
  req.set(bhttp::field::accept, "application/json");
  if (body) {
    req.set(bhttp::field::content_type, "application/json");
    req.body() = body->dump();
  }
  req.prepare_payload();
  const std::string where = e->host + ":" + e->port;
  try {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    const auto addresses = resolver.resolve(e->host, e->port);
    if (!e->tls) {
      beast::tcp_stream stream(io);
      stream.expires_after(io_timeout);
      stream.connect(addresses);
      return round_trip(stream, req);
    }
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_verify_mode(asio::ssl::verify_peer);
    if (!e->cacert.empty()) {
      boost::system::error_code ec;
      ctx.load_verify_file(e->cacert, ec);
      if (ec) return make_error("--cacert " + e->cacert + ": " + ec.message());
    } else {
      ctx.set_default_verify_paths();
    }
    beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
    // The certificate must name the host we asked for: an IP address or a DNS name.
    X509_VERIFY_PARAM* param = SSL_get0_param(stream.native_handle());
    boost::system::error_code ip_ec;
    asio::ip::make_address(e->host, ip_ec);
    if (!ip_ec) {
      X509_VERIFY_PARAM_set1_ip_asc(param, e->host.c_str());
    } else {
      X509_VERIFY_PARAM_set1_host(param, e->host.c_str(), 0);
      // SNI, for a server that hosts several names (SSL_set_tlsext_host_name is a macro
      // with an old-style cast).
      SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(e->host.c_str()));
    }
    beast::get_lowest_layer(stream).expires_after(io_timeout);
    beast::get_lowest_layer(stream).connect(addresses);
    stream.handshake(asio::ssl::stream_base::client);
    return round_trip(stream, req);
  } catch (const boost::system::system_error& err) {
    return make_error(where + ": " + err.code().message() +
                      (err.code().category() == asio::error::get_ssl_category()
                           ? " (is --cacert the certificate mabd serves?)"
                           : ""));
  }
}

}  // namespace

void add_api_options(CLI::App& cmd, api_target& t) {
  auto* url = cmd.add_option("--url", t.url, "mabd's operator API, e.g. https://127.0.0.1:7751");
  auto* config = cmd.add_option("--mabd-config", t.mabd_config,
                                "Find the URL and certificate from this mabd config file");
  url->excludes(config);
  cmd.add_option("--cacert", t.cacert, "Trust this PEM certificate (default: [http] cert_file "
                                       "with --mabd-config, else the system's CAs)");
  cmd.add_option("--token-file", t.token_file,
                 "File holding an API token (default: the MAB_TOKEN environment variable)");
}

result<json> api_get(const api_target& t, const std::string& target) {
  return call(t, bhttp::verb::get, target, std::nullopt);
}

result<json> api_post(const api_target& t, const std::string& target, const json& body) {
  return call(t, bhttp::verb::post, target, body);
}

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace mab::mabctl

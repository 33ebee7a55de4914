// [http] and [[token]]: where the operator API listens and who may use it.
#include <arpa/inet.h>

#include <algorithm>
#include <limits>

#include "daemon/config/config_internal.h"

namespace mab::config::detail {
namespace {

constexpr std::string_view http_keys[] = {"enabled",          "listen",          "tls",
                                          "cert_file",        "key_file",        "max_body_bytes",
                                          "max_connections",  "read_timeout_seconds"};
constexpr std::string_view token_keys[] = {"name", "role", "sha256"};
constexpr auto listen_rule =
    "must be an IP address and a port, e.g. \"127.0.0.1:7751\" or \"[::1]:7751\"";

bool is_loopback(const std::string& address) {
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  return address == "::1";
}

// "127.0.0.1:7751", "[::1]:7751", "0.0.0.0:443": an address Beast can bind, and a port.
bool split_listen(const std::string& text, std::string& address, std::uint16_t& port) {
  std::string host;
  std::string port_text;
  if (text.starts_with("[")) {
    const auto close = text.find("]:");
    if (close == std::string::npos) return false;
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
    in6_addr v6{};
    if (inet_pton(AF_INET6, host.c_str(), &v6) != 1) return false;
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) return false;
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    in_addr v4{};
    if (inet_pton(AF_INET, host.c_str(), &v4) != 1) return false;
  }
  if (port_text.empty() || port_text.size() > 5 ||
      !std::all_of(port_text.begin(), port_text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  const long value = std::stol(port_text);
  if (value > 65535) return false;
  address = host;
  port = static_cast<std::uint16_t>(value);
  return true;
}

bool is_sha256_hex(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

void read_path(const table_reader& r, std::string_view key, std::string& out) {
  auto v = r.string(key);
  if (!v) return;
  if (v->value.empty()) return r.error(v->field.line, key, "must not be empty");
  out = std::move(v->value);
}

void read_limits(const table_reader& r, http_settings& h) {
  if (auto v = r.integer("max_body_bytes")) {
    if (*v < 1024 || *v > 16 * 1024 * 1024) {
      r.error("max_body_bytes", "must be 1024..16777216, got " + std::to_string(*v));
    } else {
      h.max_body_bytes = static_cast<std::uint64_t>(*v);
    }
  }
  if (auto v = r.integer("max_connections")) {
    if (*v < 1 || *v > 65536) {
      r.error("max_connections", "must be 1..65536, got " + std::to_string(*v));
    } else {
      h.max_connections = static_cast<std::uint32_t>(*v);
    }
  }
  if (auto v = r.number("read_timeout_seconds")) {
    if (!(*v >= 1) || *v > 3600) {
      r.error("read_timeout_seconds", "must be 1..3600");
    } else {
      h.read_timeout_seconds = *v;
    }
  }
}

void read_token(const toml::table& table, std::size_t index, document& doc, diagnostics& diag) {
  std::string where = "token #" + std::to_string(index + 1);
  if (const auto* name = table.get("name"); name && name->is_string()) {
    where = "token " + quoted(name->as_string()->get());
  }
  table_reader r(table, where, diag, token_keys);
  http_token t;
  bool ok = true;
  if (auto name = r.string("name")) {
    if (!is_agency_id(name->value)) {
      r.error(name->field.line, "name",
              quoted(name->value) + " must be 1-64 of a-z, 0-9, '.', '_', '-', starting with a "
                                    "letter or digit; the audit trail names the holder by it");
      ok = false;
    }
    t.name = name->value;
  } else {
    if (!r.has("name")) r.error(r.line(), "name", "missing; who holds the token, for the audit trail");
    ok = false;
  }
  if (auto role = r.string("role")) {
    const auto* end = std::end(token_roles);
    if (std::find(std::begin(token_roles), end, role->value) == end) {
      r.error(role->field.line, "role",
              quoted(role->value) + " is not one of: viewer, operator, auditor, admin");
      ok = false;
    }
    t.role = role->value;
  } else {
    if (!r.has("role")) r.error(r.line(), "role", "missing; one of viewer, operator, auditor, admin");
    ok = false;
  }
  if (auto hash = r.string("sha256")) {
    if (!is_sha256_hex(hash->value)) {
      r.error(hash->field.line, "sha256",
              "must be 64 lowercase hex digits: the SHA-256 of the token, as `mabctl token new` "
              "prints it (never the token itself)");
      ok = false;
    }
    t.sha256_hex = hash->value;
  } else {
    if (!r.has("sha256")) r.error(r.line(), "sha256", "missing; create one with `mabctl token new`");
    ok = false;
  }
  if (!ok) return;
  for (const auto& other : doc.tokens) {
    if (other.name == t.name) {
      r.error(r.line_of("name"), "name", quoted(t.name) + " is used by another [[token]]");
      return;
    }
    if (other.sha256_hex == t.sha256_hex) {
      r.error(r.line_of("sha256"), "sha256",
              "is the same as token " + quoted(other.name) + "'s: issue each holder their own");
      return;
    }
  }
  doc.tokens.push_back(std::move(t));
  doc.token_lines.push_back(r.line());
}

}  // namespace

void read_http(const table_reader& top, document& doc, diagnostics& diag) {
  const toml::node* node = top.find("http");
  if (!node) return;
  const toml::table* table = node->as_table();
  if (!table) return top.error("http", "expected a table: write [http]");
  table_reader r(*table, "http", diag, http_keys);
  http_settings& h = doc.http;
  doc.http_line = r.line();
  h.enabled = r.boolean("enabled").value_or(true);
  if (auto listen = r.string("listen")) {
    if (!split_listen(listen->value, h.address, h.port)) {
      r.error(listen->field.line, "listen", quoted(listen->value) + " " + listen_rule);
    }
  }
  if (auto tls = r.boolean("tls")) h.tls = *tls;
  read_path(r, "cert_file", h.cert_file);
  read_path(r, "key_file", h.key_file);
  read_limits(r, h);
  if (!h.tls && !is_loopback(h.address)) {
    r.error(r.line_of("tls"), "tls",
            "false is allowed only on a loopback address (127.0.0.0/8 or ::1), not " +
                quoted(h.address) + ": tokens and children's details would cross the network "
                                    "in clear");
  }
}

void read_tokens(const table_reader& top, document& doc, diagnostics& diag) {
  for_each_table(top, "token", [&](const toml::table& table, std::size_t i) {
    read_token(table, i, doc, diag);
  });
  if (!doc.tokens.empty() && !doc.http.enabled) {
    top.error(doc.token_lines.front(), "token",
              "tokens are for the HTTP API, which is off: add an [http] section");
  }
}

}  // namespace mab::config::detail

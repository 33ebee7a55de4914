// Request targets: decoded exactly once, and every trick that could make two layers disagree
// about which path was asked for is a 400 before any route is looked at.
#include "daemon/http/target.h"

#include <string>

namespace mab::http::detail {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_control(char c) {
  const auto b = static_cast<unsigned char>(c);
  return b < 0x20 || b == 0x7f;
}

// Percent-decodes `in` once. nullopt on a truncated or non-hex escape, or when the decoded
// text would contain a byte in `forbidden_encoded` (e.g. "/" inside a path segment).
std::optional<std::string> decode(std::string_view in, bool plus_is_space,
                                  std::string_view forbidden_encoded) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      const int hi = hex_value(in[i + 1]);
      const int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      const char d = static_cast<char>(hi * 16 + lo);
      if (forbidden_encoded.find(d) != std::string_view::npos) return std::nullopt;
      out.push_back(d);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

response bad_path(std::string_view why) { return error_response(400, "bad_path", why); }
response bad_query(std::string_view why) { return error_response(400, "bad_query", why); }

std::optional<response> parse_path(std::string_view raw, request& req) {
  if (raw.empty() || raw.front() != '/') return bad_path("the path must be absolute");
  std::string path;
  std::size_t start = 0;
  while (start < raw.size()) {
    // Each segment is decoded on its own, so an encoded '/' or '\' can be refused rather than
    // silently becoming a separator.
    const std::size_t slash = raw.find('/', start + 1);
    const std::size_t end = slash == std::string_view::npos ? raw.size() : slash;
    const auto segment = decode(raw.substr(start + 1, end - start - 1), false, "/\\");
    if (!segment) return bad_path("the path has a bad or forbidden percent-escape");
    path += '/';
    path += *segment;
    start = end;
  }
  if (auto why = path_problem(path)) return bad_path(*why);
  req.path = std::move(path);
  return std::nullopt;
}

std::optional<response> parse_query(std::string_view raw, request& req) {
  req.query.clear();
  std::size_t start = 0;
  while (start <= raw.size()) {
    const std::size_t amp = raw.find('&', start);
    const std::size_t end = amp == std::string_view::npos ? raw.size() : amp;
    const std::string_view pair = raw.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;  // "a=1&&b=2" and a trailing '&' are harmless
    const std::size_t eq = pair.find('=');
    const auto key = decode(pair.substr(0, eq), true, "");
    const auto value = eq == std::string_view::npos ? std::optional<std::string>("")
                                                    : decode(pair.substr(eq + 1), true, "");
    if (!key || !value) return bad_query("the query has a bad percent-escape");
    if (key->empty()) return bad_query("the query has an empty parameter name");
    for (const std::string* s : {&*key, &*value}) {
      for (char c : *s) {
        if (is_control(c)) return bad_query("the query contains a control character");
      }
    }
    if (!req.query.emplace(*key, *value).second) {
      return bad_query("the query repeats a parameter");
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string_view> path_problem(std::string_view path) {
  if (path.empty() || path.front() != '/') return "the path must be absolute";
  for (char c : path) {
    if (c == '\\') return "the path must not contain a backslash";
    if (is_control(c)) return "the path must not contain a control character";
  }
  if (path.find("..") != std::string_view::npos) return "the path must not contain \"..\"";
  if (path.find("//") != std::string_view::npos) return "the path must not contain \"//\"";
  if (path == "/." || path.find("/./") != std::string_view::npos ||
      (path.size() >= 2 && path.substr(path.size() - 2) == "/.")) {
    return "the path must not contain a \".\" segment";
  }
  return std::nullopt;
}

std::optional<response> parse_target(std::string_view target, request& req) {
  if (target.find('#') != std::string_view::npos) {
    return bad_path("the target must not have a fragment");
  }
  const std::size_t q = target.find('?');
  if (auto r = parse_path(target.substr(0, q), req)) return r;
  if (q == std::string_view::npos) {
    req.query.clear();
    return std::nullopt;
  }
  return parse_query(target.substr(q + 1), req);
}

}  // namespace mab::http::detail

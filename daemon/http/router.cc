// Matching, authentication and roles. Every refusal is a JSON error naming the rule; none
// carries the token, the exception text or anything else the caller did not send.
#include <openssl/crypto.h>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "daemon/http/http.h"
#include "daemon/http/target.h"

namespace mab::http {
namespace {

std::vector<std::string> split_segments(std::string_view path) {
  std::vector<std::string> out;
  std::size_t start = 1;
  while (start <= path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
    out.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool is_param(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Fills `params` when `segments` fit the route's pattern; a {param} never matches "".
bool matches(const std::vector<std::string>& pattern, const std::vector<std::string>& segments,
             std::map<std::string, std::string>& params) {
  if (pattern.size() != segments.size()) return false;
  std::map<std::string, std::string> found;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (is_param(pattern[i])) {
      if (segments[i].empty()) return false;
      found[pattern[i].substr(1, pattern[i].size() - 2)] = segments[i];
    } else if (pattern[i] != segments[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

// The token68 characters of RFC 7235, which covers every token issue_token() makes.
bool is_token_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=';
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    const char y = (b[i] >= 'A' && b[i] <= 'Z') ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y) return false;
  }
  return true;
}

// "Bearer <token>" (scheme case-insensitive, surrounding spaces allowed) → the token.
std::optional<std::string_view> bearer_secret(std::string_view header) {
  while (!header.empty() && (header.front() == ' ' || header.front() == '\t'))
    header.remove_prefix(1);
  while (!header.empty() && (header.back() == ' ' || header.back() == '\t'))
    header.remove_suffix(1);
  const std::size_t space = header.find(' ');
  if (space == std::string_view::npos || !iequals(header.substr(0, space), "bearer")) {
    return std::nullopt;
  }
  std::string_view secret = header.substr(space + 1);
  while (!secret.empty() && secret.front() == ' ') secret.remove_prefix(1);
  if (secret.empty() || secret.size() > 512) return std::nullopt;
  for (char c : secret) {
    if (!is_token_char(c)) return std::nullopt;
  }
  return secret;
}

std::string lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// Looks at every configured token, whether or not an earlier one matched, and compares with
// CRYPTO_memcmp, so timing says nothing about which hash (or how much of it) matched.
const token* find_token(std::string_view secret, const std::vector<token>& tokens) {
  const std::string presented = hash_token(secret);
  const token* found = nullptr;
  for (const token& t : tokens) {
    const std::string stored = lower(t.sha256_hex);
    if (stored.size() != presented.size()) continue;
    const bool equal = CRYPTO_memcmp(stored.data(), presented.data(), presented.size()) == 0;
    if (equal && found == nullptr) found = &t;
  }
  return found;
}

response unauthenticated(std::string_view message, bool invalid_token) {
  response r = error_response(401, "unauthenticated", message);
  r.headers.emplace_back("WWW-Authenticate",
                         invalid_token ? R"(Bearer error="invalid_token")" : "Bearer");
  return r;
}

std::string role_list(const std::set<role>& roles) {
  std::string out;
  for (role r : roles) {
    if (!out.empty()) out += ", ";
    out += name(r);
  }
  return out;
}

}  // namespace

response error_response(unsigned status, std::string_view code, std::string_view message) {
  nlohmann::json body = {{"error", {{"status", status}, {"code", code}, {"message", message}}}};
  return json_response(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

response json_response(unsigned status, std::string body) {
  response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

void router::add(std::string method, std::string pattern, std::set<role> roles, handler h) {
  // Routes are written by us at startup; a bad pattern is a programming error.
  if (detail::path_problem(pattern) || !h) std::abort();
  routes_.push_back(
      route{std::move(method), split_segments(pattern), std::move(roles), std::move(h)});
}

void router::add_events(std::string pattern, std::set<role> roles) {
  add("GET", std::move(pattern), std::move(roles), [](const request&) {
    response r;
    r.content_type = "text/event-stream";
    r.event_stream = true;
    return r;
  });
}

response router::dispatch(request req, std::string_view authorization,
                          const std::vector<token>& tokens) const {
  if (auto why = detail::path_problem(req.path)) return error_response(400, "bad_path", *why);
  const std::vector<std::string> segments = split_segments(req.path);
  // HEAD is answered by the GET route unless a HEAD route exists; the server drops the body.
  const route* chosen = nullptr;
  const route* head_fallback = nullptr;
  std::set<std::string> allowed;
  bool all_open = true;
  std::map<std::string, std::string> params;
  for (const route& r : routes_) {
    std::map<std::string, std::string> p;
    if (!matches(r.segments, segments, p)) continue;
    allowed.insert(r.method);
    if (r.method == "GET") allowed.insert("HEAD");
    all_open = all_open && r.roles.empty();
    if (r.method == req.method && chosen == nullptr) {
      chosen = &r;
      params = std::move(p);
    } else if (req.method == "HEAD" && r.method == "GET" && head_fallback == nullptr) {
      head_fallback = &r;
      if (chosen == nullptr) params = p;
    }
  }
  if (chosen == nullptr) chosen = head_fallback;

  // An open route, or a wrong method on a path whose routes are all open, needs no token.
  // Anything else is authenticated before it may learn whether a path exists.
  const bool open = chosen != nullptr ? chosen->roles.empty() : (!allowed.empty() && all_open);
  const token* caller = nullptr;
  if (!open) {
    const auto secret = bearer_secret(authorization);
    if (!secret) {
      return unauthenticated("an Authorization header of the form \"Bearer <token>\" is required",
                             false);
    }
    caller = find_token(*secret, tokens);
    if (caller == nullptr) return unauthenticated("the bearer token is not recognised", true);
  }
  if (chosen == nullptr && allowed.empty()) return error_response(404, "not_found", "no such path");
  if (chosen == nullptr) {
    response r = error_response(405, "method_not_allowed", "this path does not accept that method");
    std::string allow;
    for (const std::string& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
    r.headers.emplace_back("Allow", allow);
    return r;
  }
  if (!open && chosen->roles.count(caller->r) == 0) {
    return error_response(403, "forbidden",
                          "this route needs one of the roles: " + role_list(chosen->roles));
  }
  req.params = std::move(params);
  req.caller = caller != nullptr ? caller->name : "";
  req.caller_role = caller != nullptr ? std::optional<role>(caller->r) : std::nullopt;
  try {
    return chosen->h(req);
  } catch (const std::exception& e) {
    // The text of an exception may name files, SQL or subjects: it goes to the log, not out.
    spdlog::error("http: {} {} failed: {}", req.method, req.path, e.what());
  } catch (...) {
    spdlog::error("http: {} {} failed with a non-standard exception", req.method, req.path);
  }
  return error_response(500, "internal", "the request failed; see the daemon's log");
}

}  // namespace mab::http

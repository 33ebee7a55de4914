// What a caller may send, checked before anything reaches the broker. Messages name the
// parameter and the rule; they repeat a caller's value only when it is a short, plain name (an
// unknown parameter's), so a token or an identifier pasted into the wrong place is never echoed.
#include <limits>

#include <spdlog/spdlog.h>

#include "daemon/api/api_internal.h"

namespace mab::api::detail {
namespace {

http::response bad(std::string_view code, std::string message) {
  return http::error_response(400, code, message);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }
bool is_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Decimal digits only (no sign, no spaces), at most `max`.
std::optional<std::uint64_t> parse_decimal(std::string_view s, std::uint64_t max) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (max - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

// Every character satisfies `ok`, and the length is 1..max.
template <class Pred>
bool all_of(std::string_view s, std::size_t max, Pred ok) {
  if (s.empty() || s.size() > max) return false;
  for (char c : s) {
    if (!ok(c)) return false;
  }
  return true;
}

std::optional<std::string_view> param(const http::request& req, std::string_view name) {
  const auto it = req.query.find(std::string(name));
  if (it == req.query.end()) return std::nullopt;
  return std::string_view(it->second);
}

// Reads an optional parameter that must satisfy `ok`; `rule` says what it must be.
template <class Pred>
problem read_shaped(const http::request& req, std::string_view name, std::size_t max, Pred ok,
                    std::string_view rule, std::string& out) {
  out.clear();
  const auto v = param(req, name);
  if (!v) return std::nullopt;
  if (!all_of(*v, max, ok)) {
    return bad("bad_query", std::string(name) + ": must be " + std::string(rule));
  }
  out = std::string(*v);
  return std::nullopt;
}

// Unicode code points in valid UTF-8 (nlohmann::json has already refused invalid UTF-8).
std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

bool plain_name(std::string_view s) {
  return all_of(s, 40, [](char c) { return is_alnum(c) || c == '_' || c == '-' || c == '.'; });
}

}  // namespace

problem only_params(const http::request& req, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : req.query) {
    bool known = false;
    for (auto a : allowed) known = known || key == a;
    if (known) continue;
    std::string takes;
    for (auto a : allowed) takes += (takes.empty() ? "" : ", ") + std::string(a);
    std::string message = plain_name(key) ? "unknown parameter '" + key + "'"
                                          : std::string("unknown query parameter");
    message += takes.empty() ? "; this route takes no parameters"
                             : "; this route takes: " + takes;
    return bad("bad_query", message);
  }
  return std::nullopt;
}

problem read_number(const http::request& req, std::string_view name, std::uint64_t max,
                    std::uint64_t& out) {
  const auto v = param(req, name);
  if (!v) return std::nullopt;
  const auto n = parse_decimal(*v, max);
  if (!n) {
    return bad("bad_query",
               std::string(name) + ": must be a whole number 0.." + std::to_string(max));
  }
  out = *n;
  return std::nullopt;
}

problem read_page(const http::request& req, store::page& p) {
  p = store::page{default_limit, 0};
  if (const auto v = param(req, "limit")) {
    const auto n = parse_decimal(*v, max_limit);
    if (!n || *n == 0) {
      return bad("bad_query", "limit: must be a whole number 1.." + std::to_string(max_limit));
    }
    p.limit = static_cast<std::size_t>(*n);
  }
  std::uint64_t offset = 0;
  if (auto e = read_number(req, "offset", max_offset, offset)) return e;
  p.offset = static_cast<std::size_t>(offset);
  return std::nullopt;
}

problem read_choice(const http::request& req, std::string_view name,
                    std::initializer_list<std::string_view> values, std::string& out) {
  out.clear();
  const auto v = param(req, name);
  if (!v) return std::nullopt;
  std::string list;
  for (auto c : values) {
    if (*v == c) {
      out = std::string(c);
      return std::nullopt;
    }
    list += (list.empty() ? "" : ", ") + std::string(c);
  }
  return bad("bad_query", std::string(name) + ": must be one of " + list);
}

problem read_flag_type(const http::request& req, std::string_view name, std::string& out) {
  return read_shaped(
      req, name, 64, [](char c) { return (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_'; },
      "a flag type such as INCOMPLETE (capital letters, digits and _, at most 64)", out);
}

problem read_area(const http::request& req, std::string_view name, std::string& out) {
  return read_shaped(
      req, name, 32, [](char c) { return is_alnum(c) || c == '_' || c == '-'; },
      "an area code such as E09000001 (letters, digits, _ and -, at most 32)", out);
}

problem read_agency(const http::request& req, std::string_view name, std::string& out) {
  return read_shaped(
      req, name, 64,
      [](char c) {
        return is_digit(c) || (c >= 'a' && c <= 'z') || c == '.' || c == '_' || c == '-';
      },
      "an agency id (lower case letters, digits, '.', '_' and '-', at most 64)", out);
}

problem check_transfer_id(std::string_view id) {
  const auto ok = [](char c) {
    return is_alnum(c) || c == '.' || c == '_' || c == ':' || c == '~' || c == '+' || c == '@' ||
           c == '-';
  };
  if (all_of(id, 128, ok)) return std::nullopt;
  return bad("bad_path",
             "transfer id: must be 1..128 letters, digits or . _ : ~ + @ - characters");
}

problem read_flag_id(std::string_view text, std::uint64_t& id) {
  const auto n = parse_decimal(text, std::numeric_limits<std::uint64_t>::max());
  if (!n) return bad("bad_path", "flag id: must be a whole number (decimal digits)");
  id = *n;
  return std::nullopt;
}

problem check_subject_key(std::string_view key) {
  if (key.size() == 35 && key.substr(0, 3) == "sk_" &&
      all_of(key.substr(3), 32, is_lower_hex)) {
    return std::nullopt;
  }
  return bad("bad_path", "subject key: must be sk_ followed by 32 lower-case hex digits");
}

problem read_text_body(const http::request& req, std::string_view field, std::size_t min,
                       std::size_t max, std::string& out) {
  const std::string_view declared = req.content_type;
  const std::string_view type = declared.substr(0, declared.find(';'));
  if (!type.empty() && trim(type) != "application/json") {
    return http::error_response(415, "unsupported_media_type",
                                "the body must be JSON (Content-Type: application/json)");
  }
  const auto body = json::parse(req.body, nullptr, false);
  const std::string f(field);
  if (body.is_discarded() || !body.is_object()) {
    return bad("bad_body", "the body must be a JSON object: {\"" + f + "\": \"...\"}");
  }
  for (const auto& [key, value] : body.items()) {
    if (key == f) continue;
    return bad("bad_body", plain_name(key) ? "unknown field '" + key + "'; only '" + f +
                                                 "' is allowed"
                                           : "unknown field; only '" + f + "' is allowed");
  }
  const auto it = body.find(f);
  if (it == body.end()) return bad("bad_body", f + ": is required");
  if (!it->is_string()) return bad("bad_body", f + ": must be a string");
  const std::string_view text = trim(it->get_ref<const std::string&>());
  for (char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if ((b < 0x20 && c != '\t' && c != '\r' && c != '\n') || b == 0x7f) {
      return bad("bad_body", f + ": must not contain control characters");
    }
  }
  const std::size_t n = code_points(text);
  if (n < min || n > max) {
    return bad("bad_body", f + ": must be " + std::to_string(min) + ".." + std::to_string(max) +
                               " characters (got " + std::to_string(n) + ")");
  }
  out = std::string(text);
  return std::nullopt;
}

http::response list_response(json items, const store::page& p) {
  const bool more = items.size() > p.limit;
  if (more) items.erase(items.begin() + static_cast<std::ptrdiff_t>(p.limit), items.end());
  json body = {{"items", std::move(items)},
               {"limit", p.limit},
               {"offset", p.offset},
               {"next_offset", more ? json(p.offset + p.limit) : json(nullptr)}};
  return http::json_response(200, dump(body));
}

http::response unavailable(std::string_view doing, const mab::error& e) {
  spdlog::error("api: {}: {}", doing, e.message);
  return http::error_response(503, "unavailable",
                              std::string("could not ") + std::string(doing) +
                                  ": the store did not answer; see the daemon's log");
}

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace mab::api::detail

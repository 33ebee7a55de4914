// Private to mab_http: turning a raw request target into a request's path and query, and the
// path rules the router re-checks. Kept apart from the server so it is testable without sockets.
#pragma once

#include <optional>
#include <string_view>

#include "daemon/http/http.h"

namespace mab::http::detail {

// Splits an origin-form target ("/api/v1/transfers?limit=10") into req.path and req.query,
// percent-decoding each part once ('+' is a space in the query only). Returns a 400 response
// (code "bad_path" or "bad_query") when the target is not absolute, has a bad escape, an
// encoded '/' or '\' inside a segment, a NUL or control character, "..", "//", a fragment, a
// repeated or empty query key; nullopt when req was filled.
std::optional<response> parse_target(std::string_view target, request& req);

// The rules for an already-decoded path: absolute, no "..", no "//", no "." segment, no
// backslash, no NUL or other control character. Returns the reason, or nullopt when fine.
std::optional<std::string_view> path_problem(std::string_view path);

}  // namespace mab::http::detail

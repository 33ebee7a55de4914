// Serving the embedded files. The pages are the same for everyone and hold no data, so they are
// open routes; everything they show comes from /api/v1 with the operator's token.
#include "daemon/dashboard/dashboard.h"

#include <string>
#include <string_view>

#include "daemon/dashboard/assets.h"

namespace mab::dashboard {
namespace {

// Only mabd's own origin, for everything; no inline script or style, no plugins, no framing,
// no <base> rewriting, forms post only to us.
constexpr std::string_view k_csp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

std::string_view content_type(std::string_view name) {
  const auto ends_with = [&](std::string_view suffix) {
    return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
  };
  if (ends_with(".html")) return "text/html; charset=utf-8";
  if (ends_with(".js")) return "text/javascript; charset=utf-8";
  if (ends_with(".css")) return "text/css; charset=utf-8";
  if (ends_with(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

const detail::asset* find(std::string_view name) {
  for (const auto& a : detail::assets()) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

http::response serve(const detail::asset& a) {
  http::response r;
  r.content_type = std::string(content_type(a.name));
  r.body = std::string(a.bytes);
  // The files change with every mabd build and their names do not: revalidate each time.
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("Content-Security-Policy", std::string(k_csp));
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  return r;
}

}  // namespace

void add_routes(http::router& r) {
  // A missing index.html is a build mistake (CMakeLists.txt lists it), not a runtime error.
  if (find("index.html") == nullptr) std::abort();
  r.add("GET", "/", {}, [](const http::request&) { return serve(*find("index.html")); });
  r.add("GET", "/assets/{name}", {}, [](const http::request& req) {
    const auto it = req.params.find("name");
    const detail::asset* a = it == req.params.end() ? nullptr : find(it->second);
    if (a == nullptr) return http::error_response(404, "not_found", "no such asset");
    return serve(*a);
  });
}

}  // namespace mab::dashboard

// Every route of the operator API on one router; the probes are here, the rest in their files.
#include "daemon/api/api.h"

#include <spdlog/spdlog.h>

#include "daemon/api/api_internal.h"

namespace mab::api {

void add_routes(http::router& r, broker::broker& brk, const config::config& cfg) {
  r.add("GET", "/healthz", {}, [](const http::request& req) {
    if (auto e = detail::only_params(req, {})) return *e;
    return http::json_response(200, R"({"status":"ok"})");
  });
  // Ready when the store answers a read; the reason stays in the log, since this route is open.
  r.add("GET", "/readyz", {}, [&brk](const http::request& req) {
    if (auto e = detail::only_params(req, {})) return *e;
    if (auto s = brk.probe_store(); !s) {
      spdlog::warn("readyz: the store did not answer: {}", s.message());
      return http::error_response(503, "not_ready", "the store does not answer reads");
    }
    return http::json_response(200, R"({"status":"ready"})");
  });
  detail::add_metrics_route(r, brk);
  detail::add_ledger_routes(r, brk);
  detail::add_agency_routes(r, brk, cfg);
  detail::add_audit_routes(r, brk);
  detail::add_subject_routes(r, brk);
}

}  // namespace mab::api

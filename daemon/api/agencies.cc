// Every configured agency with its scorecard: what it sent, what it was sent, how fast it
// acknowledges and how much it owes late, so a late agency shows without reading the ledger.
#include "daemon/api/api_internal.h"

namespace mab::api::detail {
namespace {

json seconds_or_null(const std::optional<double>& s) { return s ? json(*s) : json(nullptr); }

json scorecard_json(const store::agency_activity& a) {
  return {{"sent", a.sent},
          {"received", a.received},
          {"acknowledged", a.acknowledged},
          {"pending", a.pending},
          {"overdue", a.overdue},
          {"ack_median_seconds", seconds_or_null(a.ack_median_seconds)},
          {"ack_p90_seconds", seconds_or_null(a.ack_p90_seconds)}};
}

// The configuration is the list (in its own order), so it is paged here; each scorecard on the
// page is read from the store.
http::response agencies(broker::broker& brk, const config::config& cfg,
                        const http::request& req) {
  if (auto e = only_params(req, {"limit", "offset"})) return *e;
  store::page p;
  if (auto e = read_page(req, p)) return *e;
  json items = json::array();
  for (std::size_t i = p.offset; i < cfg.agencies.size() && i <= p.offset + p.limit; ++i) {
    if (items.size() == p.limit) {
      items.push_back(nullptr);  // only says that another page follows
      break;
    }
    const auto& a = cfg.agencies[i];
    auto card = brk.scorecard(a.id);
    if (!card) return unavailable("read an agency's scorecard", card.err());
    items.push_back({{"id", a.id},
                     {"name", a.name},
                     {"kind", a.kind},
                     {"area", a.area},
                     {"scorecard", scorecard_json(*card)}});
  }
  return list_response(std::move(items), p);
}

}  // namespace

void add_agency_routes(http::router& r, broker::broker& brk, const config::config& cfg) {
  r.add("GET", "/api/v1/agencies", any_role(),
        [&brk, &cfg](const http::request& req) { return agencies(brk, cfg, req); });
}

}  // namespace mab::api::detail

// The operator API: what mabd answers over HTTP(S). Versioned JSON under /api/v1, health probes,
// and Prometheus metrics, registered on an http::router. Every handler reads through the broker
// (which runs on the same event-loop thread), so answers are consistent with what adapters see.
//
// Routes (roles in brackets; "any" = every role; "open" = no token):
//   GET  /healthz                         open   the process is serving
//   GET  /readyz                          open   the store answers; 503 with the reason if not
//   GET  /metrics                         any    Prometheus text format 0.0.4
//   GET  /api/v1/overview                 any    open transfers, overdue and due-soon counts by
//                                                flag type and by area, oldest overdue items
//   GET  /api/v1/transfers                any    ?state=open|complete &flag=TYPE &area=CODE
//                                                &agency=ID &limit=1..500 (50) &offset=N (0)
//   GET  /api/v1/transfers/{id}           any    one transfer: parts, timeline, flags
//   GET  /api/v1/obligations              any    ?state=open|overdue|fulfilled &limit &offset
//   GET  /api/v1/flags                    any    ?state=raised|cleared &type=TYPE &limit &offset
//   POST /api/v1/flags/{id}/ack           operator, admin   {"note": "..."} (1..2000 chars)
//   GET  /api/v1/agencies                 any    every agency with its scorecard
//   POST /api/v1/subjects/{key}/reveal    operator          {"reason": "..."} (5..500 chars)
//   GET  /api/v1/audit/verify             auditor, admin    the audit chain's verification
//   GET  /api/v1/audit/entries            auditor, admin    ?after=SEQ &limit
//   GET  /api/v1/events                   any    Server-Sent Events (see daemon/http); mabd
//                                                registers it with router::add_events and
//                                                publishes what event_feed::poll() returns
//
// Lists answer {"items": [...], "limit": L, "offset": O, "next_offset": N|null} (the audit
// entries page by seq instead: {"items", "limit", "after", "next_after"}). Unknown query
// parameters, bad values and pages above 500 are a 400 naming the parameter and the rule; a
// store that does not answer is a 503. Subjects appear only as pseudonymous keys; a reveal is
// the one way to an identity and writes "subject.revealed" (who, why) to the audit trail before
// answering. daemon/api/README.md gives every answer's exact JSON shape.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "daemon/broker/broker.h"
#include "daemon/config/config.h"
#include "daemon/http/http.h"

namespace mab::api {

// Registers every route above on `r`. The broker and config must outlive the router.
void add_routes(http::router& r, broker::broker& brk, const config::config& cfg);

// Live ledger changes for /api/v1/events: each poll returns the audit entries appended since the
// last poll whose kind concerns flags, transfers, parts and obligations, as (event name, JSON
// data) pairs, e.g. ("ledger", {"seq":..,"kind":"flag.raised","subject_key":..,"data":{..}}).
// mabd polls about once a second and publishes what it gets to every open event stream.
class event_feed {
 public:
  explicit event_feed(broker::broker& brk);
  std::vector<std::pair<std::string, std::string>> poll();

 private:
  broker::broker& brk_;
  std::uint64_t last_seq_ = 0;
  bool started_ = false;
};

}  // namespace mab::api

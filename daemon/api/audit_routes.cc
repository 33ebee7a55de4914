// The audit trail for auditors: its verification, run against the store with the broker's own
// key, and its entries in order.
#include <limits>

#include "daemon/api/api_internal.h"
#include "daemon/ledger/ledger.h"

namespace mab::api::detail {
namespace {

const char* finding_name(audit::finding::kind k) {
  switch (k) {
    case audit::finding::altered:
      return "altered";
    case audit::finding::removed:
      return "removed";
    case audit::finding::reordered:
      return "reordered";
    case audit::finding::inserted:
      return "inserted";
    case audit::finding::bad_checkpoint:
      return "bad_checkpoint";
    case audit::finding::checkpoint_mismatch:
      return "checkpoint_mismatch";
    case audit::finding::broken_link:
      return "broken_link";
  }
  return "unknown";
}

http::response verify(broker::broker& brk, const http::request& req) {
  if (auto e = only_params(req, {})) return *e;
  auto report = brk.verify_audit();
  if (!report) return unavailable("read the audit trail", report.err());
  json findings = json::array();
  for (const auto& f : report->findings) {
    findings.push_back({{"what", finding_name(f.what)}, {"seq", f.seq}, {"detail", f.detail}});
  }
  const json body = {{"ok", report->ok()},
                     {"entries", report->entries},
                     {"checkpoints", report->checkpoints},
                     {"findings", std::move(findings)},
                     {"summary", audit::to_text(*report)}};
  return http::json_response(200, dump(body));
}

http::response entries(broker::broker& brk, const http::request& req) {
  if (auto e = only_params(req, {"after", "limit"})) return *e;
  std::uint64_t after = 0;
  store::page p;
  if (auto e = read_number(req, "after", std::numeric_limits<std::int64_t>::max(), after)) {
    return *e;
  }
  if (auto e = read_page(req, p)) return *e;
  auto rows = brk.audit_entries(after, p.limit + 1);
  if (!rows) return unavailable("read the audit trail", rows.err());
  const bool more = rows->size() > p.limit;
  if (more) rows->pop_back();
  json items = json::array();
  for (const auto& r : *rows) items.push_back(audit_entry_json(r));
  const json body = {{"items", std::move(items)},
                     {"limit", p.limit},
                     {"after", after},
                     {"next_after", more ? json(rows->back().seq) : json(nullptr)}};
  return http::json_response(200, dump(body));
}

}  // namespace

json audit_entry_json(const store::audit_record& r) {
  auto data = json::parse(r.data, nullptr, false);
  return {{"seq", r.seq},
          {"at", ledger::iso(from_unix_ms(r.at_ms))},
          {"at_ms", r.at_ms},
          {"kind", r.kind},
          {"subject_key", r.subject_key},
          {"data", data.is_discarded() ? json(r.data) : std::move(data)},
          {"prev_hash", r.prev_hash},
          {"hash", r.hash}};
}

void add_audit_routes(http::router& r, broker::broker& brk) {
  const std::set<http::role> auditors = {http::role::auditor, http::role::admin};
  r.add("GET", "/api/v1/audit/verify", auditors,
        [&brk](const http::request& req) { return verify(brk, req); });
  r.add("GET", "/api/v1/audit/entries", auditors,
        [&brk](const http::request& req) { return entries(brk, req); });
}

}  // namespace mab::api::detail

// The ledger over HTTP: the front page, transfers, obligations and flags, and an operator's
// acknowledgement of a flag.
#include "daemon/api/api_internal.h"
#include "daemon/ledger/ledger.h"

namespace mab::api::detail {
namespace {

// One more row than the page, to learn whether another page follows.
store::page probe_page(const store::page& p) { return {p.limit + 1, p.offset}; }

json overdue_json(const broker::broker::overdue_view& v, time_point now) {
  const auto& i = v.item;
  const auto late = std::chrono::duration_cast<std::chrono::seconds>(now - i.due_at).count();
  return {{"obligation_id", i.obligation_id ? json(*i.obligation_id) : json(nullptr)},
          {"flag_id", i.flag_id ? json(*i.flag_id) : json(nullptr)},
          {"kind", i.kind.empty() ? json(nullptr) : json(i.kind)},
          {"flag_type", i.flag_type.empty() ? json(nullptr) : json(i.flag_type)},
          {"subject_key", i.subject_key},
          {"owed_by", i.owed_by},
          {"due_at", ledger::iso(i.due_at)},
          {"overdue_seconds", late < 0 ? 0 : late},
          {"transfer_id", v.transfer_id.empty() ? json(nullptr) : json(v.transfer_id)}};
}

json counts_by(const std::map<std::string, std::uint64_t>& m, const char* empty_name) {
  json j = json::object();
  for (const auto& [k, n] : m) j[k.empty() ? empty_name : k] = n;
  return j;
}

http::response overview(broker::broker& brk, const http::request& req) {
  if (auto e = only_params(req, {})) return *e;
  auto o = brk.ledger_overview(10);
  if (!o) return unavailable("read the overview", o.err());
  std::uint64_t raised = 0;
  for (const auto& [type, n] : o->counts.raised_flags_by_type) raised += n;
  json oldest = json::array();
  for (const auto& v : o->oldest_overdue) oldest.push_back(overdue_json(v, o->at));
  const json body = {{"at", ledger::iso(o->at)},
                     {"open_transfers", o->counts.open_transfers},
                     {"overdue_obligations", o->counts.overdue_obligations},
                     {"due_soon", o->counts.due_soon_obligations},
                     {"raised_flags", raised},
                     {"raised_flags_by_type", counts_by(o->counts.raised_flags_by_type, "")},
                     {"raised_flags_by_area", counts_by(o->counts.raised_flags_by_area, "unknown")},
                     {"oldest_overdue", std::move(oldest)}};
  return http::json_response(200, dump(body));
}

http::response transfers(broker::broker& brk, const http::request& req) {
  if (auto e = only_params(req, {"state", "flag", "area", "agency", "limit", "offset"})) return *e;
  std::string state;
  broker::broker::transfer_query q;
  store::page p;
  if (auto e = read_choice(req, "state", {"open", "complete"}, state)) return *e;
  if (auto e = read_flag_type(req, "flag", q.flag)) return *e;
  if (auto e = read_area(req, "area", q.area)) return *e;
  if (auto e = read_agency(req, "agency", q.agency)) return *e;
  if (auto e = read_page(req, p)) return *e;
  if (state == "open") q.state = store::transfer_state::open;
  if (state == "complete") q.state = store::transfer_state::complete;
  auto rows = brk.transfers(q, probe_page(p));
  if (!rows) return unavailable("list transfers", rows.err());
  json items = json::array();
  for (const auto& t : *rows) {
    if (items.size() == p.limit) {
      items.push_back(nullptr);  // only says that another page follows
      break;
    }
    auto v = brk.transfer(t.transfer_id);
    if (!v) return unavailable("read a transfer", v.err());
    if (v->has_value()) items.push_back(transfer_summary(**v));
  }
  return list_response(std::move(items), p);
}

http::response transfer(broker::broker& brk, const http::request& req) {
  if (auto e = only_params(req, {})) return *e;
  const std::string& id = req.params.at("id");
  if (auto e = check_transfer_id(id)) return *e;
  auto v = brk.transfer(id);
  if (!v) return unavailable("read the transfer", v.err());
  if (!v->has_value()) return http::error_response(404, "not_found", "no such transfer");
  return http::json_response(200, dump(transfer_detail(**v)));
}

http::response obligations(broker::broker& brk, const http::request& req) {
  if (auto e = only_params(req, {"state", "limit", "offset"})) return *e;
  std::string state;
  store::page p;
  if (auto e = read_choice(req, "state", {"open", "overdue", "fulfilled"}, state)) return *e;
  if (auto e = read_page(req, p)) return *e;
  std::optional<store::obligation_state> s;
  if (state == "open") s = store::obligation_state::open;
  if (state == "overdue") s = store::obligation_state::overdue;
  if (state == "fulfilled") s = store::obligation_state::fulfilled;
  auto rows = brk.obligations(s, probe_page(p));
  if (!rows) return unavailable("list obligations", rows.err());
  json items = json::array();
  for (const auto& o : *rows) items.push_back(obligation_json(o));
  return list_response(std::move(items), p);
}

http::response flags(broker::broker& brk, const http::request& req) {
  if (auto e = only_params(req, {"state", "type", "limit", "offset"})) return *e;
  std::string state;
  store::flag_filter f;
  store::page p;
  if (auto e = read_choice(req, "state", {"raised", "cleared"}, state)) return *e;
  if (auto e = read_flag_type(req, "type", f.flag_type)) return *e;
  if (auto e = read_page(req, p)) return *e;
  if (state == "raised") f.state = store::flag_state::raised;
  if (state == "cleared") f.state = store::flag_state::cleared;
  auto rows = brk.flags(f, probe_page(p));
  if (!rows) return unavailable("list flags", rows.err());
  json items = json::array();
  for (const auto& flag : *rows) items.push_back(flag_json(flag));
  return list_response(std::move(items), p);
}

http::response acknowledge(broker::broker& brk, const http::request& req) {
  if (auto e = only_params(req, {})) return *e;
  std::uint64_t id = 0;
  std::string note;
  if (auto e = read_flag_id(req.params.at("id"), id)) return *e;
  if (auto e = read_text_body(req, "note", 1, 2000, note)) return *e;
  auto done = brk.acknowledge_flag(id, req.caller, note);
  if (!done) return unavailable("record the acknowledgement", done.err());
  if (!*done) return http::error_response(404, "not_found", "no such flag");
  auto f = brk.flag(id);
  if (!f) return unavailable("read the acknowledged flag", f.err());
  if (!f->has_value()) return http::error_response(404, "not_found", "no such flag");
  return http::json_response(200, dump(flag_json(**f)));
}

}  // namespace

void add_ledger_routes(http::router& r, broker::broker& brk) {
  using route_fn = http::response (*)(broker::broker&, const http::request&);
  const auto get = [&](const char* path, route_fn fn) {
    r.add("GET", path, any_role(), [&brk, fn](const http::request& req) { return fn(brk, req); });
  };
  get("/api/v1/overview", overview);
  get("/api/v1/transfers", transfers);
  get("/api/v1/transfers/{id}", transfer);
  get("/api/v1/obligations", obligations);
  get("/api/v1/flags", flags);
  r.add("POST", "/api/v1/flags/{id}/ack", {http::role::operator_role, http::role::admin},
        [&brk](const http::request& req) { return acknowledge(brk, req); });
}

}  // namespace mab::api::detail

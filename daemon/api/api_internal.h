// Private to mab_api: what the route files share. Checking what a caller sent (query.cc: query
// parameters, path parameters, JSON bodies, pagination) and turning ledger records into the JSON
// shapes of daemon/api/README.md (views.cc). Every check answers a 400 that names the parameter
// or field and the rule, and never repeats a value the caller sent.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "daemon/broker/broker.h"
#include "daemon/config/config.h"
#include "daemon/http/http.h"

namespace mab::api::detail {

using nlohmann::json;

// Every role: routes any token may read.
inline const std::set<http::role>& any_role() {
  static const std::set<http::role> all = {http::role::viewer, http::role::operator_role,
                                           http::role::auditor, http::role::admin};
  return all;
}

// ---- query.cc ----

// A problem with the request, as the response that says so; nullopt when it is fine.
using problem = std::optional<http::response>;

inline constexpr std::size_t max_limit = 500;
inline constexpr std::size_t default_limit = 50;
inline constexpr std::size_t max_offset = 1'000'000'000;

// 400 "unknown parameter 'x'" for any query parameter not in `allowed`.
problem only_params(const http::request& req, std::initializer_list<std::string_view> allowed);
// limit (1..500, default 50) and offset (0.., default 0).
problem read_page(const http::request& req, store::page& p);
// A whole number 0..max from parameter `name`; `out` is left alone when it is absent.
problem read_number(const http::request& req, std::string_view name, std::uint64_t max,
                    std::uint64_t& out);
// An optional parameter that must be one of `values`; "" when absent.
problem read_choice(const http::request& req, std::string_view name,
                    std::initializer_list<std::string_view> values, std::string& out);
// Optional filters in the shapes the ledger uses; "" when absent.
problem read_flag_type(const http::request& req, std::string_view name, std::string& out);
problem read_area(const http::request& req, std::string_view name, std::string& out);
problem read_agency(const http::request& req, std::string_view name, std::string& out);

// Path parameters. Transfer ids are chosen by the old area's front door, or are
// "auto-<message uuid>": letters, digits and . _ : ~ + @ - (1..128). Flag ids are decimal
// within u64. Subject keys are "sk_" + 32 lowercase hex digits.
problem check_transfer_id(std::string_view id);
problem read_flag_id(std::string_view text, std::uint64_t& id);
problem check_subject_key(std::string_view key);

// A JSON body that is an object with exactly one string field, `field`, of min..max characters
// (Unicode code points, after trimming surrounding whitespace), with no control character other
// than tab, CR and LF. 415 for a body that is declared as something other than JSON.
problem read_text_body(const http::request& req, std::string_view field, std::size_t min,
                       std::size_t max, std::string& out);

// {"items": [...], "limit": L, "offset": O, "next_offset": O + L | null}. `items` may hold one
// row more than the page (the caller asks for limit + 1): that row only says a next page exists.
http::response list_response(json items, const store::page& p);
// The broker could not read or write the store: logged, and a 503 that names what was being
// done, never the store's own message.
http::response unavailable(std::string_view doing, const mab::error& e);
// JSON text, with any invalid UTF-8 a sender got past us replaced rather than thrown on.
std::string dump(const json& j);

// ---- views.cc ----

json when(const std::optional<time_point>& t);
json flag_json(const store::flag_record& f);
json obligation_json(const store::obligation_record& o);
// A transfer's summary row: its record, how many parts are expected and acknowledged, and the
// types of its raised flags.
json transfer_summary(const broker::broker::transfer_view& v);
// The summary plus parts, timeline and every flag.
json transfer_detail(const broker::broker::transfer_view& v);
// The transfer a flag belongs to ("" for none): the ledger keys a transfer's flags
// "transfer/<id>/overdue/<n>".
std::string transfer_of_flag(const store::flag_record& f);
// An audit entry: seq, at, at_ms, kind, subject_key, data (its JSON object), prev_hash, hash.
json audit_entry_json(const store::audit_record& r);  // audit_routes.cc

// ---- the route files ----
void add_ledger_routes(http::router& r, broker::broker& brk);
void add_agency_routes(http::router& r, broker::broker& brk, const config::config& cfg);
void add_audit_routes(http::router& r, broker::broker& brk);
void add_subject_routes(http::router& r, broker::broker& brk);
void add_metrics_route(http::router& r, broker::broker& brk);
// The Prometheus text (format 0.0.4) for the broker's counters and the store's gauges.
result<std::string> render_metrics(broker::broker& brk);

}  // namespace mab::api::detail

// The one way from a pseudonymous subject key to a child's identity: an operator asks with a
// reason, the broker commits "subject.revealed" (who, why) to the audit trail, and only then does
// the identity leave, in this one answer (never cached: the server's default is no-store).
#include "daemon/api/api_internal.h"
#include "daemon/ledger/ledger.h"

namespace mab::api::detail {
namespace {

json identity_json(const mab::v1::Subject& s) {
  json local = json::array();
  for (const auto& id : s.local_ids()) {
    local.push_back({{"system", id.system()}, {"value", id.value()}});
  }
  return {{"nhs_number", s.nhs_number()},
          {"upn", s.upn()},
          {"local_ids", std::move(local)},
          {"given_name", s.given_name()},
          {"family_name", s.family_name()},
          {"date_of_birth", s.date_of_birth()},
          {"ethnicity", s.ethnicity()},
          {"preferred_language", s.preferred_language()},
          {"interpreter_required", s.interpreter_required()},
          {"area", s.area()}};
}

http::response reveal(broker::broker& brk, const http::request& req) {
  if (auto e = only_params(req, {})) return *e;
  const std::string& key = req.params.at("key");
  if (auto e = check_subject_key(key)) return *e;
  std::string reason;
  if (auto e = read_text_body(req, "reason", 5, 500, reason)) return *e;
  auto found = brk.reveal_subject(key, req.caller, reason);
  if (!found) {
    return unavailable("complete the reveal (nothing was revealed)", found.err());
  }
  if (!found->has_value()) {
    return http::error_response(404, "not_found",
                                "no stored notification about a subject with this key");
  }
  const auto& id = **found;
  const json body = {{"subject_key", id.subject_key},
                     {"identity", identity_json(id.subject)},
                     {"source",
                      {{"message_id", id.message_id},
                       {"sender", id.sender},
                       {"received_at", ledger::iso(id.received_at)}}},
                     {"revealed_to", req.caller},
                     {"audit_seq", id.audit_seq}};
  return http::json_response(200, dump(body));
}

}  // namespace

void add_subject_routes(http::router& r, broker::broker& brk) {
  r.add("POST", "/api/v1/subjects/{key}/reveal", {http::role::operator_role},
        [&brk](const http::request& req) { return reveal(brk, req); });
}

}  // namespace mab::api::detail

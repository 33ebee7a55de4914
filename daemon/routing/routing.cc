#include "daemon/routing/routing.h"

#include <algorithm>
#include <set>

namespace mab::routing {
namespace {

validate::rejection reject(mab::v1::ReasonCode code, std::string field, std::string detail) {
  return validate::rejection{code, std::move(field), std::move(detail)};
}

bool matches(const config::route_rule& rule, const std::string& kind, const std::string& area) {
  return rule.bodies.count(kind) > 0 && (rule.areas.empty() || rule.areas.count(area) > 0);
}

void add_rule_recipients(const config::config& cfg, const config::route_rule& rule,
                         const std::string& area, std::set<std::string>& out) {
  out.insert(rule.to.begin(), rule.to.end());
  for (const auto& a : cfg.agencies) {
    if (rule.to_kinds.count(a.kind) > 0 && a.area == area) out.insert(a.id);
  }
}

}  // namespace

outcome route(const config::config& cfg, const config::agency& sender,
              const mab::v1::Notification& n) {
  const std::string kind = validate::body_kind(n);
  if (sender.may_send.count(kind) == 0) {
    return reject(mab::v1::BODY_KIND_NOT_ALLOWED, kind,
                  "agency '" + sender.id + "' is not registered to send " + kind);
  }
  const std::string area = n.subject().area().empty() ? sender.area : n.subject().area();

  std::set<std::string> recipients;
  bool explicit_allowed = false;
  for (const auto& rule : cfg.routes) {
    if (!matches(rule, kind, area)) continue;
    add_rule_recipients(cfg, rule, area, recipients);
    explicit_allowed = explicit_allowed || rule.allow_explicit;
  }

  for (int i = 0; i < n.recipients_size(); ++i) {
    const std::string field = "recipients[" + std::to_string(i) + "]";
    const std::string& id = n.recipients(i);
    if (!explicit_allowed) {
      return reject(mab::v1::RECIPIENT_NOT_ALLOWED, field,
                    "no routing rule for " + kind + " in area " + area +
                        " allows a sender to name recipients");
    }
    if (cfg.find_agency(id) == nullptr) {
      return reject(mab::v1::RECIPIENT_NOT_ALLOWED, field,
                    "'" + id + "' is not a registered agency");
    }
    if (id == sender.id) {
      return reject(mab::v1::RECIPIENT_NOT_ALLOWED, field, "a sender cannot address itself");
    }
    recipients.insert(id);
  }

  recipients.erase(sender.id);
  if (recipients.empty()) {
    return reject(mab::v1::NO_ROUTE, "body",
                  "no routing rule delivers " + kind + " from '" + sender.id + "' in area " +
                      area + " to any agency");
  }
  return std::vector<std::string>(recipients.begin(), recipients.end());
}

}  // namespace mab::routing

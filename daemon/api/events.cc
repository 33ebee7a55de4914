// Live ledger changes for /api/v1/events, read from the audit trail: every change the ledger
// makes is an audit entry written in the same transaction, so following the trail misses
// nothing and shows nothing that was rolled back.
#include <string_view>

#include <spdlog/spdlog.h>

#include "daemon/api/api.h"
#include "daemon/api/api_internal.h"
#include "daemon/ledger/ledger.h"

namespace mab::api {
namespace {

constexpr std::size_t k_max_per_poll = 200;

// The entry kinds the ledger writes about flags, transfers, parts and obligations
// ("flag.raised", "transfer.opened", "part.sent", "obligation.overdue", ...).
bool concerns_ledger(std::string_view kind) {
  for (std::string_view prefix : {"flag.", "transfer.", "part.", "obligation."}) {
    if (kind.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

}  // namespace

event_feed::event_feed(broker::broker& brk) : brk_(brk) {}

std::vector<std::pair<std::string, std::string>> event_feed::poll() {
  std::vector<std::pair<std::string, std::string>> out;
  if (!started_) {
    // A new feed shows what happens from now on; history is what the list routes are for.
    auto head = brk_.audit_head_seq();
    if (!head) {
      spdlog::warn("events: could not read the audit trail's head: {}", head.message());
      return out;
    }
    last_seq_ = *head;
    started_ = true;
    return out;
  }
  auto entries = brk_.audit_entries(last_seq_, k_max_per_poll);
  if (!entries) {
    spdlog::warn("events: could not read the audit trail: {}", entries.message());
    return out;
  }
  for (const auto& e : *entries) {
    last_seq_ = e.seq;
    if (!concerns_ledger(e.kind)) continue;
    auto data = nlohmann::json::parse(e.data, nullptr, false);
    const nlohmann::json event = {{"seq", e.seq},
                                  {"at", ledger::iso(from_unix_ms(e.at_ms))},
                                  {"kind", e.kind},
                                  {"subject_key", e.subject_key},
                                  {"data", data.is_discarded() ? nlohmann::json(e.data) : data}};
    out.emplace_back("ledger", detail::dump(event));
  }
  return out;
}

}  // namespace mab::api

// What operators read of the transfer ledger.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "daemon/broker/broker_impl.h"

namespace mab::broker {
namespace {

// Flags of a transfer carry its id in their dedupe key ("transfer/<id>/...").
result<std::vector<store::flag_record>> flags_of(store::store& st, const std::string& transfer_id,
                                                 std::optional<store::flag_state> state) {
  auto all = st.transfer_flags(transfer_id);
  if (!all) return all.err();
  if (state) std::erase_if(*all, [&](const store::flag_record& f) { return f.state != *state; });
  return all;
}

// The area whose transfers `agency` receives: the one it is the front door of, or on the
// escalation list of. An agency belongs to one area, so there is at most one.
std::string receiving_area(const config::config& cfg, const std::string& agency) {
  const auto* a = cfg.find_agency(agency);
  if (a == nullptr) return {};
  const auto* area = cfg.find_area(a->area);
  if (area == nullptr) return {};
  const bool receives = area->front_door == agency ||
                        std::find(area->escalation.begin(), area->escalation.end(), agency) !=
                            area->escalation.end();
  return receives ? area->code : std::string();
}

// The transfer an obligation belongs to: the ledger writes its id into the data of part and
// part-acknowledgement obligations.
std::string transfer_of(const std::string& data) {
  if (data.empty()) return {};
  const auto j = nlohmann::json::parse(data, nullptr, false);
  if (!j.is_object()) return {};
  const auto it = j.find("transfer_id");
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

result<std::vector<store::transfer_record>> broker::transfers(
    std::optional<store::transfer_state> state, const std::string& flag, const std::string& area,
    std::size_t limit) {
  return transfers(transfer_query{state, flag, area, {}}, store::page{limit, 0});
}

result<std::vector<store::transfer_record>> broker::transfers(const transfer_query& q,
                                                              store::page p) {
  store::transfer_filter f;
  f.state = q.state;
  f.flag_type = q.flag;
  f.area = q.area;
  f.agency = q.agency;
  if (!q.agency.empty()) f.agency_area = receiving_area(impl_->cfg, q.agency);
  return impl_->st.list_transfers(f, p);
}

result<std::optional<broker::transfer_view>> broker::transfer(const std::string& transfer_id) {
  auto& st = impl_->st;
  auto t = st.find_transfer(transfer_id);
  if (!t) return t.err();
  if (!t->has_value()) return std::optional<transfer_view>();
  transfer_view v;
  v.transfer = std::move(**t);
  auto parts = st.parts(transfer_id);
  auto timeline = st.timeline(transfer_id);
  auto flags = flags_of(st, transfer_id, std::nullopt);
  if (!parts) return parts.err();
  if (!timeline) return timeline.err();
  if (!flags) return flags.err();
  v.parts = std::move(*parts);
  v.timeline = std::move(*timeline);
  v.flags = std::move(*flags);
  return std::optional<transfer_view>(std::move(v));
}

result<broker::overview> broker::ledger_overview(std::size_t oldest) {
  auto& m = *impl_;
  overview o;
  o.at = m.clk.now();
  auto counts = m.st.count_ledger(o.at);
  if (!counts) return counts.err();
  o.counts = std::move(*counts);
  auto late = m.st.oldest_overdue(o.at, oldest);
  if (!late) return late.err();
  for (auto& item : *late) {
    std::string transfer = transfer_of(item.data);
    o.oldest_overdue.push_back({std::move(item), std::move(transfer)});
  }
  return o;
}

result<store::agency_activity> broker::scorecard(const std::string& agency) {
  return impl_->st.activity_of(agency);
}

result<std::map<std::string, std::uint64_t>> broker::queue_depths() {
  auto& m = *impl_;
  std::map<std::string, std::uint64_t> out;
  for (const auto& a : m.cfg.agencies) {
    auto n = m.st.pending_count(a.id);
    if (!n) return n.err();
    out[a.id] = *n;
  }
  return out;
}

status broker::probe_store() {
  auto head = impl_->st.audit_head();
  if (!head) return head.err();
  return ok_status();
}

}  // namespace mab::broker

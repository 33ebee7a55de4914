// What operators read of the transfer ledger.
#include "daemon/broker/broker_impl.h"

namespace mab::broker {
namespace {

// Flags of a transfer carry its id in their dedupe key ("transfer/<id>/...").
result<std::vector<store::flag_record>> flags_of(store::store& st, const std::string& transfer_id,
                                                 std::optional<store::flag_state> state) {
  auto all = st.list_flags(state, 100000);
  if (!all) return all.err();
  std::vector<store::flag_record> out;
  const std::string prefix = "transfer/" + transfer_id + "/";
  for (auto& f : *all) {
    if (f.dedupe_key.rfind(prefix, 0) == 0) out.push_back(std::move(f));
  }
  return out;
}

}  // namespace

result<std::vector<store::transfer_record>> broker::transfers(
    std::optional<store::transfer_state> state, const std::string& flag, const std::string& area,
    std::size_t limit) {
  auto& st = impl_->st;
  auto rows = st.list_transfers(state, flag.empty() && area.empty() ? limit : 100000);
  if (!rows) return rows.err();
  std::vector<store::transfer_record> out;
  for (auto& t : *rows) {
    if (out.size() >= limit) break;
    if (!area.empty() && t.from_area != area && t.to_area != area) continue;
    if (!flag.empty()) {
      auto flags = flags_of(st, t.transfer_id, store::flag_state::raised);
      if (!flags) return flags.err();
      bool has = false;
      for (const auto& f : *flags) has = has || f.flag_type == flag;
      if (!has) continue;
    }
    out.push_back(std::move(t));
  }
  return out;
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

}  // namespace mab::broker

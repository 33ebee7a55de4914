// Ledger records as the API's JSON. Field names follow the control socket's (mabctl --json), so
// scripts and the dashboard read the same words; daemon/api/README.md lists every shape.
#include "daemon/api/api_internal.h"
#include "daemon/ledger/ledger.h"

namespace mab::api::detail {
namespace {

const char* state_name(store::obligation_state s) {
  switch (s) {
    case store::obligation_state::open:
      return "open";
    case store::obligation_state::fulfilled:
      return "fulfilled";
    case store::obligation_state::overdue:
      return "overdue";
  }
  return "open";
}

json or_null(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

// A string member of an obligation's JSON data, or "".
std::string data_field(const std::string& data, const char* name) {
  const auto j = json::parse(data, nullptr, false);
  if (!j.is_object()) return {};
  const auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

json part_json(const store::part_record& p) {
  return {{"part_id", p.part_id},       {"owed_by", p.owed_by},
          {"kind", p.kind},             {"why", p.why},
          {"state", p.state},           {"pieces_total", p.pieces_total},
          {"pieces_sent", p.pieces_sent}, {"pieces_acked", p.pieces_acked},
          {"recipient", p.recipient},   {"due_at", ledger::iso(p.due_at)},
          {"sent_at", when(p.sent_at)}, {"acked_at", when(p.acked_at)}};
}

}  // namespace

json when(const std::optional<time_point>& t) { return t ? json(ledger::iso(*t)) : json(nullptr); }

std::string transfer_of_flag(const store::flag_record& f) {
  constexpr std::string_view prefix = "transfer/";
  constexpr std::string_view tail = "/overdue/";
  const std::string_view key = f.dedupe_key;
  if (key.substr(0, prefix.size()) != prefix) return {};
  const auto end = key.rfind(tail);
  if (end == std::string_view::npos || end <= prefix.size()) return {};
  return std::string(key.substr(prefix.size(), end - prefix.size()));
}

json flag_json(const store::flag_record& f) {
  return {{"flag_id", f.flag_id},
          {"flag_type", f.flag_type},
          {"subject_key", f.subject_key},
          {"owed_by", f.owed_by},
          {"recipients", f.recipients},
          {"detail", f.detail},
          {"raised_at", ledger::iso(f.raised_at)},
          {"due_at", when(f.due_at)},
          {"state", f.state == store::flag_state::raised ? "raised" : "cleared"},
          {"cleared_at", when(f.cleared_at)},
          {"sends", f.sends},
          {"acked_by", f.acked_by},
          {"ack_note", f.ack_note},
          {"acked_at", when(f.acked_at)},
          {"obligation_id", f.obligation_id ? json(*f.obligation_id) : json(nullptr)},
          {"transfer_id", or_null(transfer_of_flag(f))}};
}

json obligation_json(const store::obligation_record& o) {
  // `ref` is left out: for a return interview it is the police's episode reference, which is an
  // identifier a viewer may not see. The message and transfer it concerns are enough to follow.
  return {{"obligation_id", o.obligation_id},
          {"kind", o.kind},
          {"subject_key", o.subject_key},
          {"owed_by", o.owed_by},
          {"owed_to", o.owed_to},
          {"opened_at", ledger::iso(o.opened_at)},
          {"due_at", ledger::iso(o.due_at)},
          {"warned", o.warned},
          {"state", state_name(o.state)},
          {"closed_at", when(o.closed_at)},
          {"message_id", or_null(data_field(o.data, "message_id"))},
          {"transfer_id", or_null(data_field(o.data, "transfer_id"))}};
}

json transfer_summary(const broker::broker::transfer_view& v) {
  const auto& t = v.transfer;
  std::size_t acknowledged = 0;
  for (const auto& p : v.parts) acknowledged += p.state == "acknowledged" ? 1u : 0u;
  json open_flags = json::array();
  for (const auto& f : v.flags) {
    if (f.state == store::flag_state::raised) open_flags.push_back(f.flag_type);
  }
  return {{"transfer_id", t.transfer_id},
          {"subject_key", t.subject_key},
          {"from_area", t.from_area},
          {"to_area", t.to_area},
          {"reason", t.reason},
          {"opened_at", ledger::iso(t.opened_at)},
          {"state", t.state == store::transfer_state::open ? "open" : "complete"},
          {"completed_at", when(t.completed_at)},
          {"parts_expected", v.parts.size()},
          {"parts_acknowledged", acknowledged},
          {"open_flags", std::move(open_flags)}};
}

json transfer_detail(const broker::broker::transfer_view& v) {
  json j = transfer_summary(v);
  json parts = json::array();
  for (const auto& p : v.parts) parts.push_back(part_json(p));
  json timeline = json::array();
  for (const auto& e : v.timeline) {
    timeline.push_back({{"at", ledger::iso(e.at)}, {"what", e.what}});
  }
  json flags = json::array();
  for (const auto& f : v.flags) flags.push_back(flag_json(f));
  j["parts"] = std::move(parts);
  j["timeline"] = std::move(timeline);
  j["flags"] = std::move(flags);
  return j;
}

}  // namespace mab::api::detail

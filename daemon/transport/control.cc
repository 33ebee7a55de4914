#include "daemon/transport/control.h"

#include <nlohmann/json.hpp>

#include "daemon/ledger/ledger.h"

namespace mab::transport {
namespace {

using nlohmann::json;

json fail(const std::string& why) { return json{{"ok", false}, {"error", why}}; }

json when(const std::optional<time_point>& t) {
  return t ? json(ledger::iso(*t)) : json(nullptr);
}

const char* name(store::obligation_state s) {
  switch (s) {
    case store::obligation_state::open: return "open";
    case store::obligation_state::fulfilled: return "fulfilled";
    case store::obligation_state::overdue: return "overdue";
  }
  return "?";
}

std::size_t limit_of(const json& req) {
  const auto limit = req.value("limit", 100U);
  if (limit == 0 || limit > 10000) throw std::invalid_argument("limit must be 1..10000");
  return limit;
}

json dead_letters(broker::broker& brk, const json& req) {
  auto rows = brk.dead_letters(limit_of(req));
  if (!rows) return fail(rows.message());
  json list = json::array();
  for (const auto& d : *rows) {
    list.push_back({{"delivery_id", d.delivery_id}, {"message_id", d.message_id},
                    {"sender", d.sender}, {"recipient", d.recipient},
                    {"refusals", d.refusals}, {"last_reason", d.last_reason}});
  }
  return {{"ok", true}, {"dead_letters", list}};
}

json replay(broker::broker& brk, const json& req) {
  const auto id = req.at("delivery_id").get<std::uint64_t>();
  auto r = brk.replay_dead_letter(id);
  if (!r) return fail(r.message());
  return *r ? json{{"ok", true}} : fail("delivery " + std::to_string(id) + " is not a dead letter");
}

json obligations(broker::broker& brk, const json& req) {
  std::optional<store::obligation_state> state;
  const std::string s = req.value("state", "");
  if (s == "open") state = store::obligation_state::open;
  else if (s == "overdue") state = store::obligation_state::overdue;
  else if (s == "fulfilled") state = store::obligation_state::fulfilled;
  else if (!s.empty()) return fail("state must be open, overdue or fulfilled");
  auto rows = brk.obligations(state, limit_of(req));
  if (!rows) return fail(rows.message());
  json list = json::array();
  for (const auto& o : *rows) {
    list.push_back({{"obligation_id", o.obligation_id}, {"kind", o.kind}, {"ref", o.ref},
                    {"subject_key", o.subject_key}, {"owed_by", o.owed_by},
                    {"owed_to", o.owed_to}, {"opened_at", ledger::iso(o.opened_at)},
                    {"due_at", ledger::iso(o.due_at)}, {"state", name(o.state)},
                    {"closed_at", when(o.closed_at)}});
  }
  return {{"ok", true}, {"obligations", list}};
}

json flags(broker::broker& brk, const json& req) {
  std::optional<store::flag_state> state;
  const std::string s = req.value("state", "");
  if (s == "raised") state = store::flag_state::raised;
  else if (s == "cleared") state = store::flag_state::cleared;
  else if (!s.empty()) return fail("state must be raised or cleared");
  auto rows = brk.flags(state, limit_of(req));
  if (!rows) return fail(rows.message());
  json list = json::array();
  for (const auto& f : *rows) {
    list.push_back({{"flag_id", f.flag_id}, {"flag_type", f.flag_type},
                    {"subject_key", f.subject_key}, {"owed_by", f.owed_by},
                    {"recipients", f.recipients}, {"detail", f.detail},
                    {"raised_at", ledger::iso(f.raised_at)}, {"due_at", when(f.due_at)},
                    {"state", f.state == store::flag_state::raised ? "raised" : "cleared"},
                    {"cleared_at", when(f.cleared_at)}, {"sends", f.sends},
                    {"acked_by", f.acked_by}, {"ack_note", f.ack_note},
                    {"acked_at", when(f.acked_at)}});
  }
  return {{"ok", true}, {"flags", list}};
}

json ack_flag(broker::broker& brk, const json& req) {
  const auto id = req.at("flag_id").get<std::uint64_t>();
  auto r = brk.acknowledge_flag(id, req.value("by", ""), req.value("note", ""));
  if (!r) return fail(r.message());
  return *r ? json{{"ok", true}} : fail("no flag " + std::to_string(id));
}

json transfer_summary(broker::broker& brk, const store::transfer_record& t) {
  json j{{"transfer_id", t.transfer_id}, {"subject_key", t.subject_key},
         {"from_area", t.from_area}, {"to_area", t.to_area}, {"reason", t.reason},
         {"opened_at", ledger::iso(t.opened_at)},
         {"state", t.state == store::transfer_state::open ? "open" : "complete"},
         {"completed_at", when(t.completed_at)}};
  auto v = brk.transfer(t.transfer_id);
  std::size_t expected = 0, acked = 0;
  json open_flags = json::array();
  if (v && v->has_value()) {
    for (const auto& p : (*v)->parts) {
      ++expected;
      if (p.state == "acknowledged") ++acked;
    }
    for (const auto& f : (*v)->flags) {
      if (f.state == store::flag_state::raised) open_flags.push_back(f.flag_type);
    }
  }
  j["parts_expected"] = expected;
  j["parts_acknowledged"] = acked;
  j["open_flags"] = open_flags;
  return j;
}

json transfers(broker::broker& brk, const json& req) {
  std::optional<store::transfer_state> state;
  const std::string s = req.value("state", "");
  if (s == "open") state = store::transfer_state::open;
  else if (s == "complete") state = store::transfer_state::complete;
  else if (!s.empty()) return fail("state must be open or complete");
  auto rows = brk.transfers(state, req.value("flag", ""), req.value("area", ""), limit_of(req));
  if (!rows) return fail(rows.message());
  json list = json::array();
  for (const auto& t : *rows) list.push_back(transfer_summary(brk, t));
  return {{"ok", true}, {"transfers", list}};
}

json transfer(broker::broker& brk, const json& req) {
  const std::string id = req.at("transfer_id").get<std::string>();
  auto v = brk.transfer(id);
  if (!v) return fail(v.message());
  if (!v->has_value()) return fail("no transfer '" + id + "'");
  json j = transfer_summary(brk, (*v)->transfer);
  json parts = json::array();
  for (const auto& p : (*v)->parts) {
    parts.push_back({{"part_id", p.part_id}, {"owed_by", p.owed_by}, {"kind", p.kind},
                     {"why", p.why}, {"state", p.state}, {"pieces_total", p.pieces_total},
                     {"pieces_sent", p.pieces_sent}, {"pieces_acked", p.pieces_acked},
                     {"recipient", p.recipient}, {"due_at", ledger::iso(p.due_at)},
                     {"sent_at", when(p.sent_at)}, {"acked_at", when(p.acked_at)}});
  }
  json timeline = json::array();
  for (const auto& e : (*v)->timeline) timeline.push_back({{"at", ledger::iso(e.at)}, {"what", e.what}});
  json flags = json::array();
  for (const auto& f : (*v)->flags) {
    flags.push_back({{"flag_id", f.flag_id}, {"flag_type", f.flag_type},
                     {"state", f.state == store::flag_state::raised ? "raised" : "cleared"},
                     {"owed_by", f.owed_by}, {"recipients", f.recipients},
                     {"raised_at", ledger::iso(f.raised_at)}, {"cleared_at", when(f.cleared_at)}});
  }
  j["parts"] = parts;
  j["timeline"] = timeline;
  j["flags"] = flags;
  return {{"ok", true}, {"transfer", j}};
}

json status(broker::broker& brk, const std::string& endpoint) {
  const auto& c = brk.counters();
  return {{"ok", true}, {"endpoint", endpoint}, {"accepted", c.accepted},
          {"duplicates", c.duplicates}, {"rejected", c.rejected},
          {"rejected_by_reason", c.rejected_by_reason}, {"deliveries_sent", c.deliveries_sent},
          {"redeliveries", c.redeliveries}, {"acks", c.acks}, {"refusals", c.refusals},
          {"dead_letters", c.dead_letters}, {"commits", c.commits},
          {"flags_sent", c.flags_sent}, {"online_receivers", brk.online_receivers()}};
}

}  // namespace

std::string handle_control(broker::broker& brk, const std::string& endpoint,
                           const std::string& request) {
  try {
    const json req = json::parse(request);
    const std::string command = req.value("command", "");
    if (command == "dead_letters") return dead_letters(brk, req).dump();
    if (command == "replay") return replay(brk, req).dump();
    if (command == "obligations") return obligations(brk, req).dump();
    if (command == "flags") return flags(brk, req).dump();
    if (command == "ack_flag") return ack_flag(brk, req).dump();
    if (command == "transfers") return transfers(brk, req).dump();
    if (command == "transfer") return transfer(brk, req).dump();
    if (command == "status") return status(brk, endpoint).dump();
    return fail("unknown command '" + command +
                "'; use status, dead_letters, replay, obligations, flags, ack_flag, transfers "
                "or transfer")
        .dump();
  } catch (const std::exception& e) {
    return fail(std::string("bad request: ") + e.what()).dump();
  }
}

}  // namespace mab::transport

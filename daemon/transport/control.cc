#include "daemon/transport/control.h"

#include <nlohmann/json.hpp>


namespace mab::transport {
namespace {

using nlohmann::json;

json fail(const std::string& why) { return json{{"ok", false}, {"error", why}}; }

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
    if (command == "status") return status(brk, endpoint).dump();
    return fail("unknown command '" + command +
                "'; use status, dead_letters or replay (the ledger is on the operator HTTP API)")
        .dump();
  } catch (const std::exception& e) {
    return fail(std::string("bad request: ") + e.what()).dump();
  }
}

}  // namespace mab::transport

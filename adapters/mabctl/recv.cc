// mabctl recv: deliveries and notices as JSON lines, each acknowledged once it is printed.
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "adapters/mabctl/mabctl.h"

namespace mab::mabctl {
namespace {

// Keeps keys in the order written (and as protobuf printed them), so lines read naturally.
using json = nlohmann::ordered_json;

struct recv_args {
  std::string config;
  std::uint64_t count = 0;  // 0: no --count
  double timeout = 10;
  bool no_ack = false;
};

json json_of(const google::protobuf::Message& m) {
  return json::parse(proto_json(m));
}

json json_of(const sdk::event& ev) {
  if (const auto* d = std::get_if<sdk::delivery>(&ev)) {
    return {{"delivery",
             {{"delivery_id", d->delivery_id},
              {"attempt", d->attempt},
              {"store_seq", d->store_seq},
              {"sender_key_id", d->sender_key_id},
              {"notification", json_of(d->notification)}}}};
  }
  if (const auto* n = std::get_if<sdk::notice>(&ev)) {
    json body = {{"notice_id", n->notice_id}};
    if (const auto* a = std::get_if<mab::v1::AckNotice>(&n->body)) {
      body["ack_notice"] = json_of(*a);
    } else {
      body["dead_letter_notice"] = json_of(std::get<mab::v1::DeadLetterNotice>(n->body));
    }
    return {{"notice", body}};
  }
  const auto& r = std::get<sdk::rejected_delivery>(ev);
  return {{"rejected_delivery",
           {{"delivery_id", r.delivery_id}, {"message_id", r.message_id}, {"reason", r.reason}}}};
}

// Acknowledges what was just printed. A rejected delivery was already refused by the SDK.
status settle(sdk::client& c, const sdk::event& ev) {
  if (const auto* d = std::get_if<sdk::delivery>(&ev)) return c.ack(*d);
  if (const auto* n = std::get_if<sdk::notice>(&ev)) return c.confirm(*n);
  return ok_status();
}

int run_recv(const recv_args& a) {
  auto c = connect_with(a.config);
  if (!c) {
    std::cerr << "mabctl recv: " << c.message() << "\n";
    return exit_failure;
  }
  const auto timeout = seconds_to_ms(a.timeout);
  std::uint64_t seen = 0;
  while (a.count == 0 || seen < a.count) {
    auto ev = (*c)->receive(timeout);
    if (!ev) {
      std::cerr << "mabctl recv: " << ev.message() << "\n";
      return exit_failure;
    }
    if (!*ev) break;
    // Flushed before acknowledging: an ack promises the event reached whoever reads stdout.
    std::cout << json_of(**ev).dump() << std::endl;
    ++seen;
    if (a.no_ack) continue;
    if (auto st = settle(**c, **ev); !st) {
      std::cerr << "mabctl recv: acknowledging: " << st.message() << "\n";
      return exit_failure;
    }
  }
  if (a.count != 0 && seen < a.count) {
    std::cerr << "mabctl recv: no event for " << a.timeout << " s; " << seen << " of "
              << a.count << " arrived\n";
    return exit_failure;
  }
  return exit_ok;
}

}  // namespace

void add_recv(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<recv_args>();
  auto* cmd = app.add_subcommand("recv", "Receive deliveries and notices; print them as JSON");
  cmd->add_option("--config", args->config, "Adapter configuration file (TOML)")->required();
  cmd->add_option("--count", args->count, "Stop after this many events")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--timeout", args->timeout, "Stop after this many seconds with no event")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--no-ack", args->no_ack, "Print only: do not acknowledge or confirm");
  cmd->callback([args, &exit_code] { exit_code = run_recv(*args); });
}

}  // namespace mab::mabctl

// mabctl ping (a round trip over the adapter connection) and mabctl deadletters (mabd's
// operator control socket: a REQ/REP JSON protocol on an owner-only ipc:// endpoint).
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "adapters/mabctl/control_socket.h"
#include "adapters/mabctl/mabctl.h"
#include "adapters/mabctl/table.h"

namespace mab::mabctl {
namespace {

// ---- ping ----

struct ping_args {
  std::string config;
  double timeout = 5;
};

int run_ping(const ping_args& a) {
  auto c = connect_with(a.config);
  if (!c) {
    std::cerr << "mabctl ping: " << c.message() << "\n";
    return exit_failure;
  }
  auto rtt = (*c)->ping(seconds_to_ms(a.timeout));
  if (!rtt) {
    std::cerr << "mabctl ping: " << rtt.message() << "\n";
    return exit_failure;
  }
  std::cout << "pong from " << (*c)->opts().endpoint << " in " << rtt->count() << " us\n";
  return exit_ok;
}

// ---- deadletters ----

struct control_args {
  control_target target;
  std::uint64_t limit = 100;
  bool json_out = false;
  std::uint64_t delivery_id = 0;
};

int run_list(const control_args& a) {
  auto answer = control_call(a.target, {{"command", "dead_letters"}, {"limit", a.limit}});
  if (!answer) {
    std::cerr << "mabctl deadletters list: " << answer.message() << "\n";
    return exit_failure;
  }
  const json rows = answer->value("dead_letters", json::array());
  if (a.json_out) {
    std::cout << format_json_lines(rows);
  } else if (rows.empty()) {
    std::cout << "no dead letters\n";
  } else {
    std::cout << format_table(rows, {field("DELIVERY", "delivery_id"),
                                     field("MESSAGE", "message_id"),
                                     field("SENDER", "sender"),
                                     field("RECIPIENT", "recipient"),
                                     field("REFUSALS", "refusals"),
                                     field("LAST REASON", "last_reason")});
  }
  return exit_ok;
}

int run_replay(const control_args& a) {
  auto answer =
      control_call(a.target, {{"command", "replay"}, {"delivery_id", a.delivery_id}});
  if (!answer) {
    std::cerr << "mabctl deadletters replay: " << answer.message() << "\n";
    return exit_failure;
  }
  std::cout << "replayed delivery " << a.delivery_id << "\n";
  return exit_ok;
}

}  // namespace

void add_ping(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ping_args>();
  auto* cmd = app.add_subcommand("ping", "Check the connection to mabd with a round trip");
  cmd->add_option("--config", args->config, "Adapter configuration file (TOML)")->required();
  cmd->add_option("--timeout", args->timeout, "Seconds to wait for the pong")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->callback([args, &exit_code] { exit_code = run_ping(*args); });
}

void add_deadletters(CLI::App& app, int& exit_code) {
  auto* group = app.add_subcommand("deadletters", "Inspect and replay dead-lettered deliveries");
  group->require_subcommand(1);

  auto list_args = std::make_shared<control_args>();
  auto* list = group->add_subcommand("list", "List dead letters");
  add_control_options(*list, list_args->target);
  add_list_options(*list, list_args->limit, list_args->json_out);
  list->callback([list_args, &exit_code] { exit_code = run_list(*list_args); });

  auto replay_args = std::make_shared<control_args>();
  auto* replay = group->add_subcommand("replay", "Queue a dead letter for delivery again");
  replay->add_option("delivery_id", replay_args->delivery_id, "Delivery id (from list)")
      ->required();
  add_control_options(*replay, replay_args->target);
  replay->callback([replay_args, &exit_code] { exit_code = run_replay(*replay_args); });
}

}  // namespace mab::mabctl

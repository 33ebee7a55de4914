// mabctl ping (a round trip over the adapter connection) and mabctl deadletters (mabd's
// operator control socket: a REQ/REP JSON protocol on an owner-only ipc:// endpoint).
#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <toml++/toml.h>
#include <zmq.hpp>

#include "adapters/mabctl/mabctl.h"

namespace mab::mabctl {
namespace {

namespace fs = std::filesystem;
// Ordered, so --json keeps the fields in the order mabd sent them.
using json = nlohmann::ordered_json;

constexpr int control_timeout_ms = 5000;

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

// ---- control socket ----

struct control_args {
  std::string control;
  std::string mabd_config;
  std::uint64_t limit = 100;
  bool json_out = false;
  std::uint64_t delivery_id = 0;
};

// The control endpoint mabd uses for a given config: [broker] control, else
// ipc://<data_dir>/control.sock with data_dir relative to the config file's folder.
result<std::string> control_from_config(const std::string& path) {
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return make_error(path + ":" + std::to_string(e.source().begin.line) + ": " +
                      std::string(e.description()));
  }
  if (auto control = t["broker"]["control"].value<std::string>(); control && !control->empty()) {
    return *control;
  }
  fs::path data_dir(t["broker"]["data_dir"].value_or(std::string(".")));
  if (data_dir.is_relative()) data_dir = fs::absolute(path).parent_path() / data_dir;
  return "ipc://" + (data_dir / "control.sock").lexically_normal().string();
}

result<std::string> control_endpoint(const control_args& a) {
  if (!a.control.empty()) return a.control;
  if (!a.mabd_config.empty()) return control_from_config(a.mabd_config);
  return make_error("--control or --mabd-config is required");
}

// One request/reply with mabd. An {"ok":false} answer becomes an error.
result<json> control_call(const control_args& a, const json& request) {
  auto endpoint = control_endpoint(a);
  if (!endpoint) return endpoint.err();
  try {
    zmq::context_t ctx(1);
    zmq::socket_t s(ctx, zmq::socket_type::req);
    s.set(zmq::sockopt::linger, 0);
    s.set(zmq::sockopt::sndtimeo, control_timeout_ms);
    s.set(zmq::sockopt::rcvtimeo, control_timeout_ms);
    s.connect(*endpoint);
    const std::string text = request.dump();
    zmq::message_t reply;
    if (!s.send(zmq::buffer(text)) || !s.recv(reply)) {
      return make_error("no answer from " + *endpoint + " within 5 s (is mabd running?)");
    }
    json answer = json::parse(reply.to_string(), nullptr, false);
    if (!answer.is_object()) return make_error("malformed answer from " + *endpoint);
    if (!answer.value("ok", false)) {
      return make_error("mabd: " + answer.value("error", std::string("request failed")));
    }
    return answer;
  } catch (const zmq::error_t& e) {
    return make_error(*endpoint + ": " + e.what());
  } catch (const json::exception& e) {
    return make_error(*endpoint + ": unexpected answer: " + e.what());
  }
}

std::string cell(const json& row, const char* key) {
  const auto it = row.find(key);
  if (it == row.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

void print_table(const json& rows) {
  const std::vector<std::pair<const char*, const char*>> columns = {
      {"delivery_id", "DELIVERY"}, {"message_id", "MESSAGE"},  {"sender", "SENDER"},
      {"recipient", "RECIPIENT"},  {"refusals", "REFUSALS"}, {"last_reason", "LAST REASON"}};
  std::vector<std::size_t> width;
  for (const auto& [key, title] : columns) {
    std::size_t w = std::string(title).size();
    for (const auto& row : rows) w = std::max(w, cell(row, key).size());
    width.push_back(w);
  }
  auto print_row = [&](auto&& text_of) {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const bool last = i + 1 == columns.size();
      std::cout << (last ? std::setw(0) : std::setw(static_cast<int>(width[i] + 2)))
                << std::left << text_of(i);
    }
    std::cout << "\n";
  };
  print_row([&](std::size_t i) { return std::string(columns[i].second); });
  for (const auto& row : rows) {
    print_row([&](std::size_t i) { return cell(row, columns[i].first); });
  }
}

int run_list(const control_args& a) {
  auto answer = control_call(a, {{"command", "dead_letters"}, {"limit", a.limit}});
  if (!answer) {
    std::cerr << "mabctl deadletters list: " << answer.message() << "\n";
    return exit_failure;
  }
  const json rows = answer->value("dead_letters", json::array());
  if (a.json_out) {
    for (const auto& row : rows) std::cout << row.dump() << "\n";
  } else if (rows.empty()) {
    std::cout << "no dead letters\n";
  } else {
    print_table(rows);
  }
  return exit_ok;
}

int run_replay(const control_args& a) {
  auto answer = control_call(a, {{"command", "replay"}, {"delivery_id", a.delivery_id}});
  if (!answer) {
    std::cerr << "mabctl deadletters replay: " << answer.message() << "\n";
    return exit_failure;
  }
  std::cout << "replayed delivery " << a.delivery_id << "\n";
  return exit_ok;
}

void add_control_options(CLI::App& cmd, control_args& a) {
  auto* control = cmd.add_option("--control", a.control, "mabd control endpoint (ipc://...)");
  auto* config = cmd.add_option("--mabd-config", a.mabd_config,
                                "Find the control endpoint in this mabd config file");
  control->excludes(config);
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
  add_control_options(*list, *list_args);
  list->add_option("--limit", list_args->limit, "Show at most this many")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  list->add_flag("--json", list_args->json_out, "One JSON object per line instead of a table");
  list->callback([list_args, &exit_code] { exit_code = run_list(*list_args); });

  auto replay_args = std::make_shared<control_args>();
  auto* replay = group->add_subcommand("replay", "Queue a dead letter for delivery again");
  replay->add_option("delivery_id", replay_args->delivery_id, "Delivery id (from list)")
      ->required();
  add_control_options(*replay, *replay_args);
  replay->callback([replay_args, &exit_code] { exit_code = run_replay(*replay_args); });
}

}  // namespace mab::mabctl

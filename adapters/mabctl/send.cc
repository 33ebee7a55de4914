// mabctl send: notifications in protobuf JSON in, one receipt (JSON line) out per notification.
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include <CLI/CLI.hpp>
#include <google/protobuf/util/json_util.h>
#include <nlohmann/json.hpp>

#include "adapters/mabctl/mabctl.h"

namespace mab::mabctl {
namespace {

struct send_args {
  std::string config;
  std::string input = "-";
  double timeout = 10;
  bool lines = false;
};

// An outage leaves the outcome unknown, which is worse than a known rejection.
int worse(int a, int b) {
  auto rank = [](int code) { return code == exit_ok ? 0 : code == exit_rejected ? 1 : 2; };
  return rank(a) >= rank(b) ? a : b;
}

result<std::string> read_input(const std::string& input) {
  std::ostringstream text;
  if (input == "-") {
    text << std::cin.rdbuf();
    return text.str();
  }
  std::ifstream in(input, std::ios::binary);
  if (!in) return make_error("cannot read " + input);
  text << in.rdbuf();
  return text.str();
}

result<mab::v1::Notification> parse_notification(const std::string& text) {
  // nlohmann first: it names the line and column of a syntax error, which protobuf's parser
  // does not. Protobuf then names the field that does not fit the schema.
  try {
    [[maybe_unused]] const auto document = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    if (auto pos = what.find("] "); pos != std::string::npos) what.erase(0, pos + 2);
    return make_error("not valid JSON: " + what);
  }
  mab::v1::Notification n;
  google::protobuf::util::JsonParseOptions o;
  o.ignore_unknown_fields = false;
  auto st = google::protobuf::util::JsonStringToMessage(text, &n, o);
  if (!st.ok()) return make_error("not a mab.v1.Notification: " + std::string(st.message()));
  return n;
}

int report(const mab::v1::Receipt& r, const std::string& where) {
  std::cout << proto_json(r) << std::endl;
  switch (r.status()) {
    case mab::v1::Receipt::ACCEPTED:
    case mab::v1::Receipt::DUPLICATE:
      return exit_ok;
    case mab::v1::Receipt::REJECTED:
      std::cerr << where << "rejected: " << mab::v1::ReasonCode_Name(r.reason())
                << (r.field().empty() ? "" : " " + r.field()) << ": " << r.detail() << "\n";
      return exit_rejected;
    default:
      std::cerr << where << "receipt with unexpected status " << r.status() << "\n";
      return exit_failure;
  }
}

// Parses, sends and reports one notification. `where` prefixes messages ("line 3: ").
int send_one(sdk::client& c, const std::string& text, std::chrono::milliseconds timeout,
             const std::string& where) {
  auto n = parse_notification(text);
  if (!n) {
    std::cerr << where << n.message() << "\n";
    return exit_rejected;
  }
  auto receipt = c.send(std::move(n).value(), timeout);
  if (!receipt) {
    std::cerr << where << receipt.message() << "\n";
    return exit_failure;
  }
  return report(*receipt, where);
}

bool blank(const std::string& line) {
  return line.find_first_not_of(" \t\r") == std::string::npos;
}

int run_send(const send_args& a) {
  auto text = read_input(a.input);
  if (!text) {
    std::cerr << "mabctl send: " << text.message() << "\n";
    return exit_failure;
  }
  auto c = connect_with(a.config);
  if (!c) {
    std::cerr << "mabctl send: " << c.message() << "\n";
    return exit_failure;
  }
  const auto timeout = seconds_to_ms(a.timeout);
  if (!a.lines) return send_one(**c, *text, timeout, "");
  std::istringstream in(*text);
  std::string line;
  int worst = exit_ok;
  for (int number = 1; std::getline(in, line); ++number) {
    if (blank(line)) continue;
    const int code = send_one(**c, line, timeout, "line " + std::to_string(number) + ": ");
    worst = worse(worst, code);
  }
  return worst;
}

}  // namespace

void add_send(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<send_args>();
  auto* cmd = app.add_subcommand("send", "Sign and submit notifications; print each receipt");
  cmd->add_option("--config", args->config, "Adapter configuration file (TOML)")->required();
  cmd->add_option("input", args->input, "mab.v1.Notification as protobuf JSON; - for stdin")
      ->capture_default_str();
  cmd->add_option("--timeout", args->timeout, "Seconds to wait for each receipt")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--lines", args->lines, "Input holds one notification per line");
  cmd->callback([args, &exit_code] { exit_code = run_send(*args); });
}

}  // namespace mab::mabctl

// mabctl: the command-line adapter (send, receive, ping) and operator tool (keys, dead
// letters, obligations, flags and transfers) for mab. Each command group lives in its own
// file; this only wires them up.
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>
#include <google/protobuf/util/json_util.h>

#include "adapters/mabctl/mabctl.h"

namespace mab::mabctl {

std::chrono::milliseconds seconds_to_ms(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0));
}

std::string proto_json(const google::protobuf::Message& m) {
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  std::string out;
  // Printing a valid message cannot fail; an empty object beats aborting mid-stream.
  if (!google::protobuf::util::MessageToJsonString(m, &out, o).ok()) out = "{}";
  return out;
}

result<std::unique_ptr<sdk::client>> connect_with(const std::string& config_path) {
  auto opts = sdk::load_options(config_path);
  if (!opts) return opts.err();
  return sdk::client::connect(*opts);
}

}  // namespace mab::mabctl

int main(int argc, char** argv) {
  using namespace mab::mabctl;
  CLI::App app{
      "mabctl: send and receive mab notifications, manage keys and dead letters, review "
      "obligations, flags and transfers"};
  app.require_subcommand(1);
  int exit_code = exit_ok;
  add_keygen(app, exit_code);
  add_send(app, exit_code);
  add_recv(app, exit_code);
  add_ping(app, exit_code);
  add_deadletters(app, exit_code);
  add_obligations(app, exit_code);
  add_flags(app, exit_code);
  add_transfers(app, exit_code);
  add_audit(app, exit_code);
  add_token(app, exit_code);
  add_cert(app, exit_code);
  add_config(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Usage errors get EX_USAGE, so they never look like a rejection (2) or an outage (1).
    return app.exit(e) == 0 ? 0 : exit_usage;
  } catch (const std::exception& e) {
    std::cerr << "mabctl: " << e.what() << "\n";
    return exit_failure;
  }
  return exit_code;
}

// mabctl's pieces: one add_* per command group, each registering its subcommands on the app,
// plus the helpers they share.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <google/protobuf/message.h>

#include "adapters/sdk/client.h"
#include "daemon/common/result.h"

namespace CLI {
class App;
}

namespace mab::mabctl {

// Exit codes shared by every command. Scripts branch on these.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;   // config, connection, timeout: the outcome is unknown
inline constexpr int exit_rejected = 2;  // the input (or the broker's verdict on it) is wrong
inline constexpr int exit_tampered = 3;  // audit verify found the trail altered
inline constexpr int exit_usage = 64;    // EX_USAGE: the command line itself is wrong

// Each sets `exit_code` when its subcommand runs.
void add_keygen(CLI::App& app, int& exit_code);
void add_audit(CLI::App& app, int& exit_code);
void add_send(CLI::App& app, int& exit_code);
void add_recv(CLI::App& app, int& exit_code);
void add_ping(CLI::App& app, int& exit_code);
void add_deadletters(CLI::App& app, int& exit_code);
void add_obligations(CLI::App& app, int& exit_code);
void add_flags(CLI::App& app, int& exit_code);
void add_transfers(CLI::App& app, int& exit_code);
void add_token(CLI::App& app, int& exit_code);
void add_cert(CLI::App& app, int& exit_code);
void add_config(CLI::App& app, int& exit_code);

std::chrono::milliseconds seconds_to_ms(double seconds);
// Protobuf JSON on one line, with the .proto field names (what `mabctl send` reads back).
std::string proto_json(const google::protobuf::Message& m);
// load_options + client::connect; the error names the file or what failed.
result<std::unique_ptr<sdk::client>> connect_with(const std::string& config_path);

}  // namespace mab::mabctl

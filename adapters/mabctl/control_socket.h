// mabd's operator control socket, as the mabctl commands that use it see it: a REQ/REP JSON
// protocol on an owner-only ipc:// endpoint, named by --control or found in mabd's config.
// Shared by deadletters (control.cc) and obligations/flags (ledger.cc).
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "daemon/common/result.h"

namespace CLI {
class App;
}

namespace mab::mabctl {

// Ordered, so --json keeps the fields in the order mabd sent them.
using json = nlohmann::ordered_json;

// Where mabd's control socket is: --control ENDPOINT, or --mabd-config FILE to look it up.
struct control_target {
  std::string control;
  std::string mabd_config;
};

// Adds --control and --mabd-config (mutually exclusive) to a command.
void add_control_options(CLI::App& cmd, control_target& t);
// Adds --limit (positive; default shown) and --json, as every control-socket list command has.
void add_list_options(CLI::App& cmd, std::uint64_t& limit, bool& json_out);

// The control endpoint mabd uses for a given config: [broker] control, else
// ipc://<data_dir>/control.sock with data_dir relative to the config file's folder.
result<std::string> control_from_config(const std::string& path);
result<std::string> control_endpoint(const control_target& t);

// One request/reply with mabd. No answer, a malformed one or {"ok":false,...} is an error
// that says why (mabd's own "error" text when it gave one).
result<json> control_call(const control_target& t, const json& request);

}  // namespace mab::mabctl

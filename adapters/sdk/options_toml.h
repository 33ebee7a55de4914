// The adapter keys as a TOML table, for programs whose own configuration file embeds them (the
// reference adapters' [broker] table) and must report every problem with the same rules and
// wording as load_options.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "adapters/sdk/client.h"

namespace mab::sdk {

// Reads agency, endpoint, broker_curve_key, broker_signing_key, signing_key_file,
// curve_secret_key_file and heartbeat_seconds from `table` into `out`; any other key is an error.
// Relative key-file paths resolve against `folder`. Returns the problems as
// "file:line: <field_prefix>field: rule" lines, or "" when the table is valid.
std::string read_options(const toml::table& table, const std::string& file,
                         const std::filesystem::path& folder, std::string_view field_prefix,
                         options& out);

}  // namespace mab::sdk

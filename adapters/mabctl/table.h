// Plain-text output shared by mabctl's list commands: aligned tables and JSON lines. Pure
// functions (JSON in, text out), so they are unit-tested without a daemon.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace mab::mabctl {

using json = nlohmann::ordered_json;

struct column {
  std::string title;
  std::function<std::string(const json& row)> text;
};

// A row's field as text: strings unquoted, other values as JSON, "" when missing or null.
std::string cell(const json& row, std::string_view key);
// A column showing one field of each row (see cell()).
column field(std::string title, std::string key);

// A header line and one line per row, every column but the last padded to its widest cell
// plus two spaces (widths count UTF-8 characters, not bytes). Control characters in a cell
// (newlines, tabs) become spaces, so each row stays on one line.
std::string format_table(const json& rows, const std::vector<column>& columns);
// Each row as compact JSON on its own line, fields in the order given.
std::string format_json_lines(const json& rows);

}  // namespace mab::mabctl

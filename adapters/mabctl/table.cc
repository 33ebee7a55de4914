#include "adapters/mabctl/table.h"

#include <algorithm>
#include <utility>

namespace mab::mabctl {
namespace {

// Characters, not bytes: UTF-8 continuation bytes (10xxxxxx) do not start a character.
std::size_t display_width(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
  }));
}

std::string one_line(std::string s) {
  for (char& c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20U || u == 0x7FU) c = ' ';
  }
  return s;
}

}  // namespace

std::string cell(const json& row, std::string_view key) {
  if (!row.is_object()) return "";
  const auto it = row.find(key);
  if (it == row.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

column field(std::string title, std::string key) {
  return {std::move(title), [key = std::move(key)](const json& row) { return cell(row, key); }};
}

std::string format_table(const json& rows, const std::vector<column>& columns) {
  std::vector<std::vector<std::string>> lines;
  lines.emplace_back();
  for (const auto& c : columns) lines.back().push_back(c.title);
  if (rows.is_array()) {
    for (const auto& row : rows) {
      lines.emplace_back();
      for (const auto& c : columns) lines.back().push_back(one_line(c.text(row)));
    }
  }
  std::vector<std::size_t> width(columns.size(), 0);
  for (const auto& line : lines) {
    for (std::size_t i = 0; i < line.size(); ++i) {
      width[i] = std::max(width[i], display_width(line[i]));
    }
  }
  std::string out;
  for (const auto& line : lines) {
    for (std::size_t i = 0; i < line.size(); ++i) {
      out += line[i];
      if (i + 1 < line.size()) out.append(width[i] + 2 - display_width(line[i]), ' ');
    }
    out += '\n';
  }
  return out;
}

std::string format_json_lines(const json& rows) {
  std::string out;
  if (!rows.is_array()) return out;
  for (const auto& row : rows) {
    out += row.dump(-1, ' ', false, json::error_handler_t::replace);
    out += '\n';
  }
  return out;
}

}  // namespace mab::mabctl

// Typed access to TOML tables that turns every surprise into a located message.
#include <algorithm>
#include <cstdio>
#include <string>

#include "daemon/config/config_internal.h"

namespace mab::config::detail {
namespace {

std::string_view type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t swap = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, swap});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// A typo is the usual cause of an unknown key, so name the key that was probably meant.
std::string unknown_key_hint(std::string_view key, std::span<const std::string_view> allowed) {
  std::string_view best;
  std::size_t best_distance = 3;  // further than two edits is not a typo
  for (std::string_view candidate : allowed) {
    const std::size_t d = edit_distance(key, candidate);
    if (d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  if (!best.empty()) return "unknown key (did you mean '" + std::string(best) + "'?)";
  return "unknown key (allowed: " + join(allowed) + ")";
}

}  // namespace

void diagnostics::add(int line, std::string_view where, std::string_view what) {
  std::string text = file_ + ":" + std::to_string(line) + ": ";
  text.append(where).append(": ").append(what);
  items_.emplace_back(line, std::move(text));
}

std::vector<std::string> diagnostics::sorted() const {
  auto items = items_;
  std::stable_sort(items.begin(), items.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  out.reserve(items.size());
  for (auto& item : items) out.push_back(std::move(item.second));
  return out;
}

int line_of(const toml::node& node) { return static_cast<int>(node.source().begin.line); }

std::string quoted(std::string_view text) {
  constexpr std::size_t max_shown = 72;
  std::string out = "'" + printable(text.substr(0, max_shown));
  if (text.size() > max_shown) out += "...";
  return out + "'";
}

std::string printable(std::string_view text) {
  std::string out;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", static_cast<unsigned>(c));
      out += escaped;
    } else {
      out += ch;
    }
  }
  return out;
}

std::string join(const std::set<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string join(std::span<const std::string_view> items) {
  std::string out;
  for (std::string_view item : items) out.append(out.empty() ? "" : ", ").append(item);
  return out;
}

table_reader::table_reader(const toml::table& table, std::string where, diagnostics& diag,
                           std::span<const std::string_view> allowed)
    : table_(table), where_(std::move(where)), diag_(diag), line_(detail::line_of(table)) {
  report_unknown_keys(allowed);
}

void table_reader::report_unknown_keys(std::span<const std::string_view> allowed) const {
  for (auto&& [key, node] : table_) {
    const std::string_view name = key.str();
    if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
    diag_.add(static_cast<int>(key.source().begin.line), where_,
              std::string(name) + ": " + unknown_key_hint(name, allowed));
  }
}

bool table_reader::has(std::string_view key) const { return find(key) != nullptr; }

const toml::node* table_reader::find(std::string_view key) const { return table_.get(key); }

int table_reader::line_of(std::string_view key) const {
  const toml::node* node = find(key);
  return node ? detail::line_of(*node) : line_;
}

std::size_t table_reader::count(std::string_view key) const {
  const toml::node* node = find(key);
  if (!node) return 0;
  if (const toml::array* array = node->as_array()) return array->size();
  return 1;
}

void table_reader::error(int line, std::string_view field, std::string_view what) const {
  std::string text(field);
  diag_.add(line, where_, text.append(": ").append(what));
}

void table_reader::error(std::string_view key, std::string_view what) const {
  error(line_of(key), key, what);
}

const toml::node* table_reader::typed(std::string_view key, toml::node_type want,
                                      std::string_view expected) const {
  const toml::node* node = find(key);
  if (!node || node->type() == want) return node;
  error(key, "expected " + std::string(expected) + ", got " + std::string(type_name(*node)));
  return nullptr;
}

std::optional<list_item> table_reader::string(std::string_view key) const {
  const toml::node* node = typed(key, toml::node_type::string, "a string");
  if (!node) return std::nullopt;
  return list_item{node->as_string()->get(), {std::string(key), detail::line_of(*node)}};
}

std::optional<std::int64_t> table_reader::integer(std::string_view key) const {
  const toml::node* node = typed(key, toml::node_type::integer, "an integer");
  if (!node) return std::nullopt;
  return node->as_integer()->get();
}

std::optional<double> table_reader::number(std::string_view key) const {
  const toml::node* node = find(key);
  if (!node) return std::nullopt;
  // "retry_max_seconds = 300" is as reasonable as "300.0".
  if (const auto* i = node->as_integer()) return static_cast<double>(i->get());
  if (const auto* f = node->as_floating_point()) return f->get();
  error(key, "expected a number, got " + std::string(type_name(*node)));
  return std::nullopt;
}

std::optional<bool> table_reader::boolean(std::string_view key) const {
  const toml::node* node = typed(key, toml::node_type::boolean, "a boolean (true or false)");
  if (!node) return std::nullopt;
  return node->as_boolean()->get();
}

std::optional<string_list> table_reader::strings(std::string_view key) const {
  const toml::node* node = typed(key, toml::node_type::array, "an array of strings");
  if (!node) return std::nullopt;
  string_list list = strings_in(*node->as_array(), std::string(key));
  list.line = detail::line_of(*node);
  return list;
}

std::optional<std::vector<string_list>> table_reader::string_lists(std::string_view key) const {
  const toml::node* node = typed(key, toml::node_type::array, "an array of arrays of strings");
  if (!node) return std::nullopt;
  const toml::array& array = *node->as_array();
  std::vector<string_list> lists;
  for (std::size_t i = 0; i < array.size(); ++i) {
    const toml::node& element = array[i];
    std::string label = std::string(key) + "[" + std::to_string(i) + "]";
    if (const auto* inner = element.as_array()) {
      lists.push_back(strings_in(*inner, std::move(label)));
      lists.back().line = detail::line_of(element);
    } else {
      error(detail::line_of(element), label,
            "expected an array of strings, got " + std::string(type_name(element)));
    }
  }
  return lists;
}

string_list table_reader::strings_in(const toml::array& array, std::string label) const {
  string_list list{{}, array.size(), detail::line_of(array), label};
  for (std::size_t i = 0; i < array.size(); ++i) {
    const toml::node& element = array[i];
    field_ref field{label + "[" + std::to_string(i) + "]", detail::line_of(element)};
    if (const auto* text = element.as_string()) {
      list.items.push_back({text->get(), std::move(field)});
    } else {
      error(field.line, field.label, "expected a string, got " + std::string(type_name(element)));
    }
  }
  return list;
}

}  // namespace mab::config::detail

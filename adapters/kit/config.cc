// load_config: the adapter's TOML file. [broker] takes exactly the SDK adapter keys, read by the
// SDK itself (sdk::read_options); [adapter] the kit's own. All errors at once.
#include <filesystem>
#include <regex>
#include <string>

#include "adapters/kit/kit.h"
#include "adapters/sdk/options_toml.h"

namespace mab::kit {
namespace {

namespace fs = std::filesystem;

const std::set<std::string, std::less<>> adapter_keys = {"state_file", "reject_file",
                                                          "drop_folder", "area"};

std::string resolve_against(const fs::path& folder, const std::string& file) {
  const fs::path p(file);
  return (p.is_absolute() ? p : folder / p).lexically_normal().string();
}

std::optional<std::string> string_key(const toml::table& t, const std::string& table,
                                      std::string_view key, bool required,
                                      config_errors& errors) {
  const std::string field = table + "." + std::string(key);
  const toml::node* node = t.get(key);
  if (node == nullptr) {
    if (required) errors.missing(field);
    return std::nullopt;
  }
  const auto* s = node->as_string();
  if (s == nullptr) {
    errors.at(*node, field, "must be a string");
    return std::nullopt;
  }
  if (s->get().empty()) {
    errors.at(*node, field, "must not be empty");
    return std::nullopt;
  }
  return s->get();
}

void unknown_keys(const toml::table& t, const std::string& table,
                  const std::set<std::string, std::less<>>& known, config_errors& errors) {
  for (const auto& [key, node] : t) {
    if (!known.contains(key.str())) errors.at(node, table + "." + std::string(key.str()), "unknown key");
  }
}

void read_adapter(const toml::table& t, const fs::path& folder, config& c,
                  config_errors& errors) {
  unknown_keys(t, "adapter", adapter_keys, errors);
  if (auto v = string_key(t, "adapter", "state_file", true, errors)) {
    c.state_file = resolve_against(folder, *v);
  }
  if (auto v = string_key(t, "adapter", "reject_file", true, errors)) {
    c.reject_file = resolve_against(folder, *v);
  }
  if (auto v = string_key(t, "adapter", "drop_folder", false, errors)) {
    c.drop_folder = resolve_against(folder, *v);
  }
  static const std::regex area_pattern("[EWSN][0-9]{8}");
  if (auto v = string_key(t, "adapter", "area", true, errors)) {
    if (std::regex_match(*v, area_pattern)) c.area = *v;
    else errors.at(*t.get("area"), "adapter.area",
                   "must be an ONS local authority code such as E09000001");
  }
}

}  // namespace

void config_errors::at(const toml::node& node, std::string_view field, std::string_view rule) {
  if (!text_.empty()) text_.push_back('\n');
  text_ += file_ + ":" + std::to_string(node.source().begin.line) + ": ";
  text_.append(field);
  text_ += ": ";
  text_.append(rule);
}

void config_errors::merge(const std::string& lines) {
  if (lines.empty()) return;
  if (!text_.empty()) text_.push_back('\n');
  text_ += lines;
}

void config_errors::missing(std::string_view field) {
  if (!text_.empty()) text_.push_back('\n');
  text_ += file_ + ": ";
  text_.append(field);
  text_ += ": is required";
}

result<config> load_config(const std::string& path, const std::set<std::string>& extra_tables) {
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto line = e.source().begin.line;
    return make_error(path + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " +
                      std::string(e.description()));
  }
  config_errors errors(path);
  config c;
  c.path = path;
  const fs::path folder = fs::absolute(fs::path(path)).parent_path();
  for (auto& [key, node] : table) {
    const std::string name(key.str());
    if (name == "broker" || name == "adapter" || extra_tables.contains(name)) {
      // Moved, not copied: a copied toml++ node loses its source position, and the adapter's
      // own errors must still name the line.
      if (!node.is_table()) errors.at(node, name, "must be a table");
      else if (extra_tables.contains(name)) c.extra.insert(name, std::move(*node.as_table()));
    } else {
      errors.at(node, name, "unknown key");
    }
  }
  if (const auto* b = table["broker"].as_table()) {
    errors.merge(sdk::read_options(*b, path, folder, "broker.", c.broker));
  }
  else if (!table.contains("broker")) errors.missing("broker");
  if (const auto* a = table["adapter"].as_table()) read_adapter(*a, folder, c, errors);
  else if (!table.contains("adapter")) errors.missing("adapter");
  if (!errors.empty()) return make_error(errors.text());
  return c;
}

}  // namespace mab::kit

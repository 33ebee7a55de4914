// load_options: the adapter's TOML file. Every problem is reported at once ("file:line: field:
// rule", one per line) so an operator fixes the file in one pass.
#include <cmath>
#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "adapters/sdk/client.h"
#include "adapters/sdk/options_toml.h"
#include "daemon/crypto/crypto.h"

namespace mab::sdk {
namespace {

namespace fs = std::filesystem;

const std::set<std::string, std::less<>> known_keys = {
    "agency",           "endpoint",         "broker_curve_key",      "broker_signing_key",
    "signing_key_file", "curve_secret_key_file", "heartbeat_seconds"};

// Collects errors in the "file:line: field: rule" form.
class reporter {
 public:
  reporter(std::string file, std::string_view prefix) : file_(std::move(file)), prefix_(prefix) {}

  void at(const toml::node& node, std::string_view field, std::string_view rule) {
    add(std::to_string(node.source().begin.line), field, rule);
  }
  // A required key that is absent has no line of its own.
  void missing(std::string_view field) { add("", field, "is required"); }

  bool empty() const { return text_.empty(); }
  std::string text() const { return text_; }

 private:
  void add(const std::string& line, std::string_view field, std::string_view rule) {
    if (!text_.empty()) text_.push_back('\n');
    text_ += file_ + (line.empty() ? "" : ":" + line) + ": " + prefix_;
    text_.append(field);
    text_ += ": ";
    text_.append(rule);
  }

  std::string file_;
  std::string prefix_;
  std::string text_;
};

// The string value of a required key, or nullopt (with the error reported).
std::optional<std::string> required_string(const toml::table& t, std::string_view key,
                                           reporter& errors) {
  const toml::node* node = t.get(key);
  if (node == nullptr) {
    errors.missing(key);
    return std::nullopt;
  }
  const auto* s = node->as_string();
  if (s == nullptr) {
    errors.at(*node, key, "must be a string");
    return std::nullopt;
  }
  if (s->get().empty()) {
    errors.at(*node, key, "must not be empty");
    return std::nullopt;
  }
  return s->get();
}

bool valid_agency_id(const std::string& id) {
  // Same rule as the broker's registry, so a typo fails here rather than at the broker.
  static const std::regex pattern("[a-z0-9][a-z0-9._-]{0,63}");
  return std::regex_match(id, pattern);
}

bool valid_endpoint(const std::string& e) {
  return (e.starts_with("tcp://") || e.starts_with("ipc://")) && e.size() > 6;
}

std::string resolve_against(const fs::path& folder, const std::string& file) {
  const fs::path p(file);
  return (p.is_absolute() ? p : folder / p).lexically_normal().string();
}

void check_unknown_keys(const toml::table& t, reporter& errors) {
  for (const auto& [key, node] : t) {
    if (!known_keys.contains(key.str())) errors.at(node, key.str(), "unknown key");
  }
}

void read_identity(const toml::table& t, options& o, reporter& errors) {
  if (auto v = required_string(t, "agency", errors)) {
    if (valid_agency_id(*v)) {
      o.agency = *v;
    } else {
      errors.at(*t.get("agency"), "agency", "must match [a-z0-9][a-z0-9._-]{0,63}");
    }
  }
  if (auto v = required_string(t, "endpoint", errors)) {
    if (valid_endpoint(*v)) {
      o.endpoint = *v;
    } else {
      errors.at(*t.get("endpoint"), "endpoint", "must be a tcp:// or ipc:// ZeroMQ endpoint");
    }
  }
}

void read_broker_keys(const toml::table& t, options& o, reporter& errors) {
  if (auto v = required_string(t, "broker_curve_key", errors)) {
    if (crypto::is_z85_key(*v)) {
      o.broker_curve_key = *v;
    } else {
      errors.at(*t.get("broker_curve_key"), "broker_curve_key",
                "must be a 40-character Z85 Curve public key");
    }
  }
  if (auto v = required_string(t, "broker_signing_key", errors)) {
    auto raw = crypto::base64_decode(*v);
    if (raw && raw->size() == 32) {
      o.broker_signing_key = *raw;
    } else {
      errors.at(*t.get("broker_signing_key"), "broker_signing_key",
                "must be base64 of a 32-byte Ed25519 public key");
    }
  }
}

void read_key_files(const toml::table& t, const fs::path& folder, options& o,
                    reporter& errors) {
  if (auto v = required_string(t, "signing_key_file", errors)) {
    o.signing_key_file = resolve_against(folder, *v);
  }
  if (auto v = required_string(t, "curve_secret_key_file", errors)) {
    o.curve_secret_key_file = resolve_against(folder, *v);
  }
}

void read_heartbeat(const toml::table& t, options& o, reporter& errors) {
  const toml::node* node = t.get("heartbeat_seconds");
  if (node == nullptr) return;
  auto seconds = node->value<double>();  // integers convert too
  if (!seconds || !std::isfinite(*seconds) || *seconds < 0.1 || *seconds > 3600) {
    errors.at(*node, "heartbeat_seconds", "must be a number from 0.1 to 3600");
    return;
  }
  o.heartbeat = std::chrono::milliseconds(static_cast<std::int64_t>(*seconds * 1000));
}

}  // namespace

result<options> load_options(const std::string& path) {
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    // Line 0 means there was no line to blame (e.g. the file could not be opened).
    const auto line = e.source().begin.line;
    return make_error(path + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " +
                      std::string(e.description()));
  }
  options o;
  const std::string errors =
      read_options(table, path, fs::absolute(fs::path(path)).parent_path(), "", o);
  if (!errors.empty()) return make_error(errors);
  return o;
}

std::string read_options(const toml::table& table, const std::string& file,
                         const std::filesystem::path& folder, std::string_view field_prefix,
                         options& out) {
  reporter errors(file, field_prefix);
  check_unknown_keys(table, errors);
  read_identity(table, out, errors);
  read_broker_keys(table, out, errors);
  read_key_files(table, folder, out, errors);
  read_heartbeat(table, out, errors);
  return errors.text();
}

}  // namespace mab::sdk

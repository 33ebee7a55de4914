// Public entry points: the vocabularies, lookups on a loaded config, load() and parse().
#include "daemon/config/config.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "daemon/config/config_internal.h"

namespace mab::config {
namespace {

namespace fs = std::filesystem;

// Absolute and lexically normal, without a trailing separator, so data_dir compares and joins
// predictably ("/srv/mab/" and "/srv/./mab" are the same place).
std::string absolute_dir(const fs::path& base, const std::string& dir) {
  fs::path path(dir);
  if (path.is_relative()) path = base / path;
  std::string text = path.lexically_normal().string();
  while (text.size() > 1 && text.back() == '/') text.pop_back();
  return text;
}

fs::path current_dir() {
  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  return ec ? fs::path("/") : cwd;
}

config assemble(detail::document&& doc, std::string source_path) {
  config cfg;
  cfg.source_path = std::move(source_path);
  cfg.broker = std::move(doc.broker);
  for (auto& e : doc.agencies) cfg.agencies.push_back(std::move(e.value));
  for (auto& e : doc.routes) cfg.routes.push_back(std::move(e.value));
  cfg.ledger = std::move(doc.ledger);
  for (auto& e : doc.areas) cfg.areas.push_back(std::move(e.value));
  cfg.http = std::move(doc.http);
  cfg.tokens = std::move(doc.tokens);
  return cfg;
}

load_result parse_from(std::string_view text, const std::string& name, std::string source_path,
                       const fs::path& base_dir) {
  detail::diagnostics diag(name);
  toml::table root;
  try {
    root = toml::parse(text, std::string_view(name));
  } catch (const toml::parse_error& e) {
    // toml++ stops at the first syntax error, so there is only ever one to report.
    diag.add(static_cast<int>(e.source().begin.line), "TOML syntax", e.description());
    return {std::nullopt, diag.sorted()};
  }
  detail::document doc;
  detail::read_document(root, doc, diag);
  doc.broker.data_dir = absolute_dir(base_dir, doc.broker.data_dir);
  detail::check_document(doc, diag);
  if (!diag.empty()) return {std::nullopt, diag.sorted()};
  return {assemble(std::move(doc), std::move(source_path)), {}};
}

load_result file_error(const std::string& path, const std::string& why) {
  return {std::nullopt, {path + ": cannot read the configuration: " + why}};
}

}  // namespace

const std::set<std::string>& known_body_kinds() {
  // The `body` oneof of mab.v1.Notification; a test holds this list to the descriptor.
  static const std::set<std::string> kinds{
      "attendance_concern", "missing_episode",  "health_concern",
      "housing_change",     "referral",         "referral_outcome",
      "transfer_notice",    "record_part",      "flag"};
  return kinds;
}

const std::set<std::string>& known_agency_kinds() {
  static const std::set<std::string> kinds{"school", "police",      "health",        "housing",
                                           "csc",    "mash",        "early_help",    "youth_justice",
                                           "probation", "other"};
  return kinds;
}

const area_policy* config::find_area(const std::string& code) const {
  for (const auto& a : areas) {
    if (a.code == code) return &a;
  }
  return nullptr;
}

const agency* config::find_agency(const std::string& id) const {
  for (const auto& a : agencies) {
    if (a.id == id) return &a;
  }
  return nullptr;
}

const agency* config::agency_for_key(const std::string& key_id, const signing_key** key) const {
  for (const auto& a : agencies) {
    for (const auto& k : a.signing_keys) {
      if (k.key_id != key_id) continue;
      if (key) *key = &k;
      return &a;
    }
  }
  if (key) *key = nullptr;
  return nullptr;
}

const agency* config::agency_for_curve_key(const std::string& z85) const {
  for (const auto& a : agencies) {
    for (const auto& k : a.curve_keys) {
      if (k == z85) return &a;
    }
  }
  return nullptr;
}

std::string config::resolve(const std::string& path) const {
  if (path.empty()) return broker.data_dir;
  const fs::path p(path);
  if (p.is_absolute()) return path;
  return (fs::path(broker.data_dir) / p).lexically_normal().string();
}

std::string config::control_endpoint() const {
  if (!broker.control.empty()) return broker.control;
  return "ipc://" + broker.data_dir + "/control.sock";
}

load_result load(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return file_error(path, "it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return file_error(path, std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return file_error(path, std::strerror(errno));
  fs::path absolute = fs::absolute(path, ec);
  if (ec) absolute = current_dir() / path;
  absolute = absolute.lexically_normal();
  return parse_from(text.str(), path, absolute.string(), absolute.parent_path());
}

load_result parse(const std::string& text, const std::string& name) {
  return parse_from(text, name, name, current_dir());
}

}  // namespace mab::config

// mabctl audit verify: an auditor's independent check of the broker's audit trail. It reads the
// store directly (not through mabd, which it does not need to trust), recomputes every hash and
// checks every broker-signed checkpoint, and says exactly which entry was altered, removed or
// reordered.
#include <filesystem>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "adapters/mabctl/mabctl.h"
#include "daemon/audit/audit.h"
#include "daemon/config/config.h"
#include "daemon/crypto/crypto.h"
#include "daemon/store/store.h"

namespace mab::mabctl {
namespace {

namespace fs = std::filesystem;

struct audit_args {
  std::string mabd_config;
  std::string broker_key;
};

// The broker's public signing key: given (base64 or a file holding it), else the .pub file
// beside the configured secret key (mabctl keygen writes both).
result<std::string> broker_public_key(const config::config& cfg, const std::string& given) {
  std::string text = given;
  std::string source = "--broker-key";
  if (text.empty() || fs::exists(text)) {
    std::string path = text;
    if (path.empty()) {
      path = cfg.resolve(cfg.broker.signing_key_file);
      if (path.size() > 4 && path.ends_with(".key")) path = path.substr(0, path.size() - 4);
      path += ".pub";
    }
    auto read = crypto::read_key_file(path);
    if (!read) return make_error(read.message() + " (pass the broker's public key with --broker-key)");
    text = *read;
    source = path;
  }
  auto raw = crypto::base64_decode(text);
  if (!raw || raw->size() != 32) {
    return make_error(source + ": not base64 of a 32-byte Ed25519 public key");
  }
  return *raw;
}

result<std::vector<audit::entry>> read_entries(store::store& st) {
  std::vector<audit::entry> out;
  std::uint64_t pos = 0;
  for (;;) {
    auto page = st.audit_entries(pos, 10000, pos);
    if (!page) return page.err();
    if (page->empty()) break;
    for (auto& r : *page) {
      out.push_back({r.seq, r.at_ms, std::move(r.kind), std::move(r.subject_key),
                     std::move(r.data), std::move(r.prev_hash), std::move(r.hash)});
    }
    // Progress for long trails (a year of a busy hub is millions of entries).
    if (out.size() >= 100000) std::cerr << "read " << out.size() << " audit entries\r" << std::flush;
  }
  return out;
}

int run_verify(const audit_args& a) {
  auto loaded = config::load(a.mabd_config);
  if (!loaded.errors.empty()) {
    for (const auto& e : loaded.errors) std::cerr << e << "\n";
    return exit_failure;
  }
  const auto& cfg = *loaded.cfg;
  auto key = broker_public_key(cfg, a.broker_key);
  if (!key) {
    std::cerr << "mabctl audit verify: " << key.message() << "\n";
    return exit_failure;
  }
  const std::string db = cfg.resolve(cfg.broker.sqlite_path);
  if (!fs::exists(db)) {
    std::cerr << "mabctl audit verify: no store at " << db << "\n";
    return exit_failure;
  }
  auto st = store::open_sqlite({db, false});
  if (!st) {
    std::cerr << "mabctl audit verify: " << st.message() << "\n";
    return exit_failure;
  }
  auto entries = read_entries(**st);
  auto cps = (*st)->checkpoints();
  if (!entries || !cps) {
    std::cerr << "mabctl audit verify: " << (!entries ? entries.message() : cps.message()) << "\n";
    return exit_failure;
  }
  std::vector<audit::checkpoint> checkpoints;
  for (auto& c : *cps) checkpoints.push_back({c.seq, c.at_ms, c.head_hash, c.key_id, c.signature});
  if (entries->size() >= 100000) std::cerr << "\n";
  const auto report = audit::verify(*entries, checkpoints, *key);
  std::cout << audit::to_text(report);
  return report.ok() ? exit_ok : exit_tampered;
}

}  // namespace

void add_audit(CLI::App& app, int& exit_code) {
  auto* group = app.add_subcommand("audit", "Check the broker's tamper-evident audit trail");
  group->require_subcommand(1);
  auto args = std::make_shared<audit_args>();
  auto* verify = group->add_subcommand(
      "verify", "Recompute the hash chain and check every signed checkpoint; exit 3 if altered");
  verify->add_option("--mabd-config", args->mabd_config, "The broker's configuration (TOML)")
      ->required();
  verify->add_option("--broker-key", args->broker_key,
                     "The broker's Ed25519 public key (base64, or a file holding it); default: "
                     "the .pub file beside [broker] signing_key_file");
  verify->callback([args, &exit_code] { exit_code = run_verify(*args); });
}

}  // namespace mab::mabctl

// mabctl keygen: an agency's Ed25519 signing key and Curve transport key, as files, plus the
// lines the broker operator pastes into that agency's [[agency]] table.
#include <filesystem>
#include <iostream>
#include <memory>
#include <regex>
#include <system_error>
#include <vector>

#include <CLI/CLI.hpp>

#include "adapters/mabctl/mabctl.h"
#include "daemon/crypto/crypto.h"

namespace mab::mabctl {
namespace {

namespace fs = std::filesystem;

struct keygen_args {
  std::string agency;
  std::string out_dir;
  std::string subject_key;
  bool force = false;
};

struct key_file {
  std::string path;
  std::string contents;
  bool secret;
};

std::string agency_id_rule(const std::string& id) {
  static const std::regex pattern("[a-z0-9][a-z0-9._-]{0,63}");
  return std::regex_match(id, pattern) ? "" : "must match [a-z0-9][a-z0-9._-]{0,63}";
}

status write_all(const std::vector<key_file>& files, bool force) {
  // Check every file first so a refusal never leaves a half-written key set behind.
  if (!force) {
    for (const auto& f : files) {
      if (fs::exists(f.path)) return make_error(f.path + " exists (use --force to overwrite)");
    }
  }
  for (const auto& f : files) {
    auto st = f.secret ? crypto::write_secret_file(f.path, f.contents, force)
                       : crypto::write_public_file(f.path, f.contents, force);
    if (!st) return st;
  }
  return ok_status();
}

// The broker's subject-key secret: 32 random bytes, base64, owner-only.
int run_subject_keygen(const keygen_args& a) {
  const std::vector<key_file> files = {
      {a.subject_key, crypto::base64_encode(crypto::random_bytes(32)), true}};
  if (auto st = write_all(files, a.force); !st) {
    std::cerr << "mabctl keygen: " << st.message() << "\n";
    return exit_failure;
  }
  std::cout << "wrote " << a.subject_key << " (the broker's subject_key_file; keep it with backups:"
            << " without it new subject keys no longer match old ones)\n";
  return exit_ok;
}

int run_keygen(const keygen_args& a) {
  if (!a.subject_key.empty()) return run_subject_keygen(a);
  if (a.agency.empty() || a.out_dir.empty()) {
    std::cerr << "mabctl keygen: --agency and --out-dir are required (or --subject-key FILE)\n";
    return exit_usage;
  }
  std::error_code ec;
  fs::create_directories(a.out_dir, ec);
  if (ec) {
    std::cerr << "mabctl keygen: cannot create " << a.out_dir << ": " << ec.message() << "\n";
    return exit_failure;
  }
  const auto sign = crypto::generate_signing_key();
  const auto curve = crypto::generate_curve_key();
  const std::string sign_pub = crypto::base64_encode(sign.public_key);
  const std::string base = (fs::path(a.out_dir) / a.agency).string();
  const std::vector<key_file> files = {
      {base + ".sign.key", crypto::base64_encode(sign.seed), true},
      {base + ".sign.pub", sign_pub, false},
      {base + ".curve.key", curve.secret_z85, true},
      {base + ".curve.pub", curve.public_z85, false},
  };
  if (auto st = write_all(files, a.force); !st) {
    std::cerr << "mabctl keygen: " << st.message() << "\n";
    return exit_failure;
  }
  std::cout << "key id: " << crypto::key_id_for(sign.public_key) << "\n";
  for (const auto& f : files) std::cout << "wrote " << f.path << "\n";
  std::cout << "\n# Paste into the [[agency]] table for \"" << a.agency << "\" in mabd.toml:\n"
            << "signing_keys = [\"" << sign_pub << "\"]\n"
            << "curve_keys = [\"" << curve.public_z85 << "\"]\n";
  return exit_ok;
}

}  // namespace

void add_keygen(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<keygen_args>();
  auto* cmd = app.add_subcommand(
      "keygen", "Generate an agency's signing and Curve key files, or the broker's subject key");
  auto* agency = cmd->add_option("--agency", args->agency,
                                 "Agency id; names the files <id>.sign.key etc.")
                     ->check(CLI::Validator(agency_id_rule, "AGENCY_ID"));
  auto* out_dir = cmd->add_option("--out-dir", args->out_dir, "Folder to write the four key files into");
  auto* subject = cmd->add_option("--subject-key", args->subject_key,
                                  "Instead: write the broker's subject-key secret to this file");
  subject->excludes(agency)->excludes(out_dir);
  cmd->add_flag("--force", args->force, "Overwrite existing key files");
  cmd->callback([args, &exit_code] { exit_code = run_keygen(*args); });
}

}  // namespace mab::mabctl

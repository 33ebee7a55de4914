// mabctl token new: a bearer token for mabd's operator API. The secret is shown once (or
// written to an owner-only file) and never stored by mab; the [[token]] table printed on stdout
// holds only its SHA-256, so it can be appended to mabd.toml as it is.
#include <iostream>
#include <memory>
#include <regex>
#include <string>

#include <CLI/CLI.hpp>

#include "adapters/mabctl/mabctl.h"
#include "daemon/crypto/crypto.h"
#include "daemon/http/http.h"

namespace mab::mabctl {
namespace {

struct token_args {
  std::string name;
  std::string role;
  std::string secret_file;
};

int run_new(const token_args& a) {
  const auto issued = http::issue_token();
  if (!a.secret_file.empty()) {
    if (auto st = crypto::write_secret_file(a.secret_file, issued.secret + "\n", false); !st) {
      std::cerr << "mabctl token new: " << st.message() << "\n";
      return exit_failure;
    }
    std::cerr << "mabctl token new: the token for " << a.name << " is in " << a.secret_file
              << " (owner-only); hand it over and delete the file\n";
  } else {
    // stderr, so `mabctl token new ... >> mabd.toml` keeps the secret out of the file.
    std::cerr << "token for " << a.name << " (" << a.role
              << "), shown once, mab keeps only its hash:\n  " << issued.secret << "\n";
  }
  std::cout << "\n# " << a.role << " token for " << a.name
            << ": append to mabd.toml, then reload mabd (SIGHUP or systemctl reload mabd)\n"
            << "[[token]]\n"
            << "name = \"" << a.name << "\"\n"
            << "role = \"" << a.role << "\"\n"
            << "sha256 = \"" << issued.sha256_hex << "\"\n";
  return exit_ok;
}

}  // namespace

void add_token(CLI::App& app, int& exit_code) {
  auto* group = app.add_subcommand("token", "Issue bearer tokens for mabd's operator HTTP API");
  group->require_subcommand(1);
  auto args = std::make_shared<token_args>();
  auto* issue = group->add_subcommand("new", "Create a token and print its [[token]] table");
  issue
      ->add_option("--name", args->name,
                   "Who holds it (the audit trail names them by it), e.g. duty-officer")
      ->required()
      ->check(CLI::Validator(
          [](std::string& s) {
            static const std::regex pattern("[a-z0-9][a-z0-9._-]{0,63}");
            return std::regex_match(s, pattern) ? std::string()
                                                : std::string("must match [a-z0-9][a-z0-9._-]{0,63}");
          },
          "NAME", "token name"));
  issue->add_option("--role", args->role, "viewer, operator, auditor or admin")
      ->required()
      ->check(CLI::IsMember({"viewer", "operator", "auditor", "admin"}));
  issue->add_option("--secret-file", args->secret_file,
                    "Write the token to this new owner-only file instead of showing it");
  issue->footer(
      "The token is printed once on stderr (or written to --secret-file); stdout carries the\n"
      "[[token]] table with the token's SHA-256 for mabd.toml. Roles: viewer (counts and the\n"
      "pseudonymised ledger), operator (acknowledge flags, reveal a subject: audited), auditor\n"
      "(audit trail), admin. Revoke a token by deleting its table and reloading mabd.");
  issue->callback([args, &exit_code] { exit_code = run_new(*args); });
}

}  // namespace mab::mabctl

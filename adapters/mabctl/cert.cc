// mabctl cert self-signed: a certificate and key for mabd's HTTPS listener when the local
// authority has no certificate of its own yet (the quickstart uses it). Browsers will warn about
// it; clients such as mabctl trust it by pointing --cacert at the certificate itself.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "adapters/mabctl/mabctl.h"
#include "daemon/http/http.h"

namespace mab::mabctl {
namespace {

struct cert_args {
  std::string cert_file;
  std::string key_file;
  std::vector<std::string> hosts{"127.0.0.1", "localhost"};
  int days = 365;
};

int run_self_signed(const cert_args& a) {
  if (auto st = http::write_self_signed(a.cert_file, a.key_file, a.hosts, a.days); !st) {
    std::cerr << "mabctl cert self-signed: " << st.message() << "\n";
    return exit_failure;
  }
  std::cout << "wrote " << a.cert_file << " and " << a.key_file << " (owner-only), valid "
            << a.days << " days for";
  for (const auto& h : a.hosts) std::cout << " " << h;
  std::cout << "\n";
  return exit_ok;
}

}  // namespace

void add_cert(CLI::App& app, int& exit_code) {
  auto* group = app.add_subcommand("cert", "Certificates for mabd's operator HTTPS listener");
  group->require_subcommand(1);
  auto args = std::make_shared<cert_args>();
  auto* self = group->add_subcommand(
      "self-signed", "Write a self-signed EC P-256 certificate and key ([http] cert_file/key_file)");
  self->add_option("--cert", args->cert_file, "Certificate file to create (PEM)")->required();
  self->add_option("--key", args->key_file, "Private key file to create (PEM, owner-only)")
      ->required();
  self->add_option("--host", args->hosts, "A DNS name or IP address it is for (repeatable)")
      ->capture_default_str();
  self->add_option("--days", args->days, "Days it stays valid")
      ->capture_default_str()
      ->check(CLI::Range(1, 3650));
  self->footer("Refuses to overwrite either file. Exit status: 0 written, 1 failed, 64 usage.");
  self->callback([args, &exit_code] { exit_code = run_self_signed(*args); });
}

}  // namespace mab::mabctl

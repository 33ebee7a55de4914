// mabctl config reload: asks a running mabd to re-read its configuration (an admin token), so
// agencies, keys, routes, policy and tokens change without a restart. Same as SIGHUP, but it
// answers: the counts now in force, or every error in the file (and nothing changed).
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "adapters/mabctl/api_client.h"
#include "adapters/mabctl/mabctl.h"

namespace mab::mabctl {

void add_config(CLI::App& app, int& exit_code) {
  auto* group = app.add_subcommand("config", "Manage a running mabd's configuration");
  group->require_subcommand(1);
  auto target = std::make_shared<api_target>();
  auto* reload = group->add_subcommand(
      "reload", "Apply mabd.toml's agencies, keys, routes, policy and tokens without a restart");
  add_api_options(*reload, *target);
  reload->footer(
      "Needs an admin token. [broker], [http] and calendar changes still need a restart.\n"
      "Exit status: 0 applied, 1 mabd could not be reached or refused (an invalid file: each\n"
      "error is printed and mabd keeps the configuration it had), 64 usage error.");
  reload->callback([target, &exit_code] {
    auto answer = api_post(*target, "/api/v1/admin/reload", json::object());
    if (!answer) {
      std::cerr << "mabctl config reload: " << answer.message() << "\n";
      exit_code = exit_failure;
      return;
    }
    std::cout << "reloaded: " << answer->value("agencies", 0) << " agencies, "
              << answer->value("routes", 0) << " routes, " << answer->value("tokens", 0)
              << " tokens\n";
    exit_code = exit_ok;
  });
}

}  // namespace mab::mabctl

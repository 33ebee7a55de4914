// mabctl obligations and mabctl flags: the operator's view of mabd's ledger over the operator
// HTTP API (see api_client.h). Obligations are what one agency owes another by a deadline;
// flags are what mabd raised when one was missed. Acknowledging a flag records who and why.
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "adapters/mabctl/api_client.h"
#include "adapters/mabctl/ledger_format.h"
#include "adapters/mabctl/mabctl.h"

namespace mab::mabctl {
namespace {

struct list_args {
  api_target target;
  std::string state;  // empty: every state
  std::uint64_t limit = 100;
  bool json_out = false;
};

struct ack_args {
  api_target target;
  std::uint64_t flag_id = 0;
  std::string note;
};

// What one list command sends and prints.
struct list_command {
  const char* name;     // for messages: "obligations list"
  const char* path;     // the API route: "/api/v1/obligations"
  const char* rows;     // what the formatter calls the rows: "obligations"
  std::string (*format)(const json& reply, list_output how);
};

constexpr list_command obligations_list{"obligations list", "/api/v1/obligations", "obligations",
                                        format_obligations};
constexpr list_command flags_list{"flags list", "/api/v1/flags", "flags", format_flags};

int run_list(const list_command& c, const list_args& a) {
  std::string target = std::string(c.path) + "?limit=" + std::to_string(a.limit);
  if (!a.state.empty()) target += "&state=" + url_encode(a.state);
  auto answer = api_get(a.target, target);
  if (!answer) {
    std::cerr << "mabctl " << c.name << ": " << answer.message() << "\n";
    return exit_failure;
  }
  const auto rows = answer->find("items");
  if (rows == answer->end() || !rows->is_array()) {
    std::cerr << "mabctl " << c.name << ": malformed answer from mabd (no \"items\" list)\n";
    return exit_failure;
  }
  json reply = {{c.rows, *rows}};
  std::cout << c.format(reply, a.json_out ? list_output::json_lines : list_output::table);
  if (!(*answer)["next_offset"].is_null()) {
    std::cerr << "(more than " << a.limit << "; raise --limit, at most 500)\n";
  }
  return exit_ok;
}

int run_ack(const ack_args& a) {
  auto answer = api_post(a.target, "/api/v1/flags/" + std::to_string(a.flag_id) + "/ack",
                         {{"note", a.note}});
  if (!answer) {
    std::cerr << "mabctl flags ack: " << answer.message() << "\n";
    return exit_failure;
  }
  std::cout << "acknowledged flag " << a.flag_id << " (by "
            << answer->value("acked_by", std::string("?")) << ")\n";
  return exit_ok;
}

// Rejects an empty or all-whitespace value: an acknowledgement must say who and why.
const CLI::Validator not_blank(
    [](std::string& s) {
      return s.find_first_not_of(" \t\r\n") == std::string::npos ? std::string("must not be empty")
                                                                 : std::string();
    },
    "", "NOT_BLANK");

CLI::App* add_list(CLI::App& group, const list_command& c, const char* description,
                   std::initializer_list<std::string> states, const char* state_help,
                   int& exit_code) {
  auto args = std::make_shared<list_args>();
  auto* list = group.add_subcommand("list", description);
  add_api_options(*list, args->target);
  list->add_option("--state", args->state, state_help)->check(CLI::IsMember(states));
  add_list_options(*list, args->limit, args->json_out);
  list->callback([&c, args, &exit_code] { exit_code = run_list(c, *args); });
  return list;
}

}  // namespace

void add_obligations(CLI::App& app, int& exit_code) {
  auto* group = app.add_subcommand(
      "obligations", "Inspect what agencies owe each other (referral outcomes and the like)");
  group->require_subcommand(1);
  auto* list = add_list(*group, obligations_list, "List obligations, with who owes whom by when",
                        {"open", "overdue", "fulfilled"},
                        "Only obligations in this state (open, overdue or fulfilled; default: all)",
                        exit_code);
  list->footer(
      "Columns: ID, KIND, OWED BY → OWED TO, DUE, STATE, SUBJECT (the pseudonymous subject key).\n"
      "Exit status: 0 listed (\"no obligations\" when there are none), 1 mabd could not be\n"
      "reached or refused the request (the reason is on stderr).");
}

void add_flags(CLI::App& app, int& exit_code) {
  auto* group =
      app.add_subcommand("flags", "Inspect and acknowledge flags raised for missed obligations");
  group->require_subcommand(1);
  auto* list = add_list(*group, flags_list, "List flags", {"raised", "cleared"},
                        "Only flags in this state (raised or cleared; default: all)", exit_code);
  list->footer(
      "Columns: ID, TYPE, STATE, OWED BY, RAISED, RECIPIENTS, DETAIL; --json adds the rest\n"
      "(due_at, sends, acknowledgement). Exit status: 0 listed (\"no flags\" when there are\n"
      "none), 1 mabd could not be reached or refused the request (the reason is on stderr).");

  auto args = std::make_shared<ack_args>();
  auto* ack = group->add_subcommand("ack", "Acknowledge a flag, recording who and why");
  ack->add_option("flag_id", args->flag_id, "Flag id (from flags list)")
      ->required()
      ->check(CLI::PositiveNumber);
  add_api_options(*ack, args->target);
  ack->add_option("--note", args->note, "Why: what was done or decided about the flag")
      ->required()
      ->check(not_blank);
  ack->footer(
      "Every acknowledgement records who (the token's name) and why, so --note is required and\n"
      "must not be empty; it needs an operator or admin token. Exit status: 0 acknowledged, 1\n"
      "mabd could not be reached or refused (e.g. no such flag, wrong role; the reason is on\n"
      "stderr), 64 usage error.");
  ack->callback([args, &exit_code] { exit_code = run_ack(*args); });
}

}  // namespace mab::mabctl

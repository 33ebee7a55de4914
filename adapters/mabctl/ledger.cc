// mabctl obligations and mabctl flags: the operator's view of mabd's ledger over the control
// socket (see control_socket.h). Obligations are what one agency owes another by a deadline;
// flags are what mabd raised when one was missed. Acknowledging a flag records who and why.
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "adapters/mabctl/control_socket.h"
#include "adapters/mabctl/ledger_format.h"
#include "adapters/mabctl/mabctl.h"

namespace mab::mabctl {
namespace {

struct list_args {
  control_target target;
  std::string state;  // empty: every state
  std::uint64_t limit = 100;
  bool json_out = false;
};

struct ack_args {
  control_target target;
  std::uint64_t flag_id = 0;
  std::string by;
  std::string note;
};

// What one list command sends and prints.
struct list_command {
  const char* name;     // for messages: "obligations list"
  const char* command;  // the control request: "obligations"
  const char* rows;     // the answer's array: "obligations"
  std::string (*format)(const json& reply, list_output how);
};

constexpr list_command obligations_list{"obligations list", "obligations", "obligations",
                                        format_obligations};
constexpr list_command flags_list{"flags list", "flags", "flags", format_flags};

int run_list(const list_command& c, const list_args& a) {
  json request = {{"command", c.command}};
  if (!a.state.empty()) request["state"] = a.state;
  request["limit"] = a.limit;
  auto answer = control_call(a.target, request);
  if (!answer) {
    std::cerr << "mabctl " << c.name << ": " << answer.message() << "\n";
    return exit_failure;
  }
  const auto rows = answer->find(c.rows);
  if (rows == answer->end() || !rows->is_array()) {
    std::cerr << "mabctl " << c.name << ": malformed answer from mabd (no \"" << c.rows
              << "\" list)\n";
    return exit_failure;
  }
  std::cout << c.format(*answer, a.json_out ? list_output::json_lines : list_output::table);
  return exit_ok;
}

int run_ack(const ack_args& a) {
  auto answer = control_call(a.target, {{"command", "ack_flag"},
                                        {"flag_id", a.flag_id},
                                        {"by", a.by},
                                        {"note", a.note}});
  if (!answer) {
    std::cerr << "mabctl flags ack: " << answer.message() << "\n";
    return exit_failure;
  }
  std::cout << "acknowledged flag " << a.flag_id << " (by " << a.by << ")\n";
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
  add_control_options(*list, args->target);
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
  add_control_options(*ack, args->target);
  ack->add_option("--by", args->by, "Who is acknowledging (operator name)")
      ->required()
      ->check(not_blank);
  ack->add_option("--note", args->note, "Why: what was done or decided about the flag")
      ->required()
      ->check(not_blank);
  ack->footer(
      "Every acknowledgement records who acknowledged the flag and why, so --by and --note are\n"
      "both required and must not be empty. Exit status: 0 acknowledged, 1 mabd could not be\n"
      "reached or refused (e.g. no such flag; the reason is on stderr), 64 usage error.");
  ack->callback([args, &exit_code] { exit_code = run_ack(*args); });
}

}  // namespace mab::mabctl

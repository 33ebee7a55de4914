// mabctl transfers: the operator's view of child transfers between areas, over mabd's operator
// HTTP API (see api_client.h). A transfer opens when an agency notifies a move from one area
// to another; mabd then expects record parts from the agencies that hold history, and raises
// flags (e.g. INCOMPLETE) when they do not arrive. `list` finds transfers; `show` is the
// timeline an operator follows for one of them.
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "adapters/mabctl/api_client.h"
#include "adapters/mabctl/mabctl.h"
#include "adapters/mabctl/transfers_format.h"

namespace mab::mabctl {
namespace {

struct list_args {
  api_target target;
  std::string state;      // empty: every state
  std::string flag_type;  // empty: any (or no) flag
  std::string area;       // empty: any area
  std::string agency;     // empty: any agency
  std::uint64_t limit = 100;
  bool json_out = false;
};

struct show_args {
  api_target target;
  std::string transfer_id;
  bool json_out = false;
};

int run_list(const list_args& a) {
  std::string target = "/api/v1/transfers?limit=" + std::to_string(a.limit);
  if (!a.state.empty()) target += "&state=" + url_encode(a.state);
  if (!a.flag_type.empty()) target += "&flag=" + url_encode(a.flag_type);
  if (!a.area.empty()) target += "&area=" + url_encode(a.area);
  if (!a.agency.empty()) target += "&agency=" + url_encode(a.agency);
  auto answer = api_get(a.target, target);
  if (!answer) {
    std::cerr << "mabctl transfers list: " << answer.message() << "\n";
    return exit_failure;
  }
  const auto rows = answer->find("items");
  if (rows == answer->end() || !rows->is_array()) {
    std::cerr << "mabctl transfers list: malformed answer from mabd (no \"items\" list)\n";
    return exit_failure;
  }
  json reply = {{"transfers", *rows}};
  std::cout << format_transfers(reply, a.json_out ? list_output::json_lines : list_output::table);
  if (!(*answer)["next_offset"].is_null()) {
    std::cerr << "(more than " << a.limit << "; raise --limit, at most 500)\n";
  }
  return exit_ok;
}

int run_show(const show_args& a) {
  auto answer = api_get(a.target, "/api/v1/transfers/" + url_encode(a.transfer_id));
  if (!answer) {
    std::cerr << "mabctl transfers show: " << answer.message() << "\n";
    return exit_failure;
  }
  if (!answer->is_object() || !answer->contains("transfer_id")) {
    std::cerr << "mabctl transfers show: malformed answer from mabd (no transfer)\n";
    return exit_failure;
  }
  std::cout << format_transfer(*answer, a.json_out ? list_output::json_lines : list_output::table);
  return exit_ok;
}

// Rejects an empty or all-whitespace value (an empty filter would silently mean "any").
const CLI::Validator not_blank(
    [](std::string& s) {
      return s.find_first_not_of(" \t\r\n") == std::string::npos ? std::string("must not be empty")
                                                                 : std::string();
    },
    "", "NOT_BLANK");

}  // namespace

void add_transfers(CLI::App& app, int& exit_code) {
  auto* group = app.add_subcommand(
      "transfers", "Follow transfers between areas: expected record parts, flags, timeline");
  group->require_subcommand(1);

  auto largs = std::make_shared<list_args>();
  auto* list = group->add_subcommand("list", "List transfers, with their parts and open flags");
  add_api_options(*list, largs->target);
  list->add_option("--state", largs->state,
                   "Only transfers in this state (open or complete; default: all)")
      ->check(CLI::IsMember({"open", "complete"}));
  list->add_option("--flag", largs->flag_type,
                   "Only transfers with a raised flag of this type (e.g. INCOMPLETE)")
      ->check(not_blank);
  list->add_option("--area", largs->area,
                   "Only transfers from or to this area (e.g. E09000001)")
      ->check(not_blank);
  list->add_option("--agency", largs->agency,
                   "Only transfers where this agency owes or received a part, or is the new "
                   "area's front door")
      ->check(not_blank);
  add_list_options(*list, largs->limit, largs->json_out);
  list->footer(
      "Columns: ID, FROM → TO, STATE, PARTS (acknowledged/expected), FLAGS (open flags),\n"
      "OPENED, SUBJECT (the pseudonymous subject key). Exit status: 0 listed (\"no transfers\"\n"
      "when there are none), 1 mabd could not be reached or refused the request (the reason is\n"
      "on stderr), 64 usage error.");
  list->callback([largs, &exit_code] { exit_code = run_list(*largs); });

  auto sargs = std::make_shared<show_args>();
  auto* show = group->add_subcommand(
      "show", "Show one transfer: header, expected parts, flags and timeline");
  show->add_option("transfer_id", sargs->transfer_id, "Transfer id (from transfers list)")
      ->required()
      ->check(not_blank);
  add_api_options(*show, sargs->target);
  show->add_flag("--json", sargs->json_out,
                 "The transfer (with parts, flags and timeline) as one JSON object");
  show->footer(
      "Sections: the header (subject, areas, reason, state, opened/completed, parts\n"
      "acknowledged/expected, open flags); Expected parts (who owes each part, kind, why, due,\n"
      "state with pieces acked/total, recipient); Flags (type, state, owed by, who was told,\n"
      "raised/cleared); Timeline (time and what happened, oldest first). Exit status: 0 shown,\n"
      "1 mabd could not be reached or refused (e.g. no such transfer; the reason is on stderr),\n"
      "64 usage error.");
  show->callback([sargs, &exit_code] { exit_code = run_show(*sargs); });
}

}  // namespace mab::mabctl

#include "adapters/mabctl/transfers_format.h"

#include <utility>
#include <vector>

namespace mab::mabctl {
namespace {

std::string or_dash(std::string s) { return s.empty() ? "-" : s; }

// Control characters (newlines, tabs) become spaces, so a header value stays on its line.
std::string one_line(std::string s) {
  for (char& c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20U || u == 0x7FU) c = ' ';
  }
  return s;
}

// A field as text, "-" when it is missing, null or empty.
std::string text_of(const json& row, const std::string& key) {
  return or_dash(one_line(cell(row, key)));
}

column dashed(std::string title, std::string key) {
  return {std::move(title), [key = std::move(key)](const json& row) { return text_of(row, key); }};
}

// An array field as "a,b" ("-" when empty); anything else as cell() shows it.
std::string joined(const json& row, const std::string& key) {
  if (!row.is_object()) return "-";
  const auto it = row.find(key);
  if (it == row.end() || !it->is_array()) return text_of(row, key);
  std::string out;
  for (const auto& v : *it) {
    if (!out.empty()) out += ',';
    out += v.is_string() ? v.get<std::string>() : v.dump();
  }
  return or_dash(one_line(std::move(out)));
}

std::string areas(const json& row) {
  return text_of(row, "from_area") + " → " + text_of(row, "to_area");
}

std::string parts_count(const json& row) {
  return text_of(row, "parts_acknowledged") + "/" + text_of(row, "parts_expected");
}

// "sent (1/3 acked)"; just the state while no pieces are known (pieces_total missing or 0).
std::string part_state(const json& part) {
  std::string out = text_of(part, "state");
  const std::string total = cell(part, "pieces_total");
  if (!total.empty() && total != "0") {
    out += " (" + text_of(part, "pieces_acked") + "/" + total + " acked)";
  }
  return out;
}

const json& array_of(const json& obj, const char* key) {
  static const json none = json::array();
  if (!obj.is_object()) return none;
  const auto it = obj.find(key);
  return it != obj.end() && it->is_array() ? *it : none;
}

void section(std::string& out, const char* title, const json& rows,
             const std::vector<column>& columns, const char* none) {
  out += '\n';
  out += title;
  out += '\n';
  out += rows.empty() ? std::string(none) + "\n" : format_table(rows, columns);
}

}  // namespace

std::string format_transfers(const json& reply, list_output how) {
  static const std::vector<column> columns = {
      dashed("ID", "transfer_id"),
      {"FROM → TO", areas},
      dashed("STATE", "state"),
      {"PARTS", parts_count},
      {"FLAGS", [](const json& row) { return joined(row, "open_flags"); }},
      dashed("OPENED", "opened_at"),
      dashed("SUBJECT", "subject_key"),
  };
  const json& rows = array_of(reply, "transfers");
  if (how == list_output::json_lines) return format_json_lines(rows);
  if (rows.empty()) return "no transfers\n";
  return format_table(rows, columns);
}

std::string format_transfer(const json& transfer, list_output how) {
  if (how == list_output::json_lines) {
    return transfer.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  }
  static const std::vector<column> part_columns = {
      dashed("PART", "part_id"),
      dashed("OWED BY", "owed_by"),
      dashed("KIND", "kind"),
      dashed("WHY", "why"),
      dashed("DUE", "due_at"),
      {"STATE", part_state},
      dashed("RECIPIENT", "recipient"),
  };
  static const std::vector<column> flag_columns = {
      dashed("ID", "flag_id"),
      dashed("TYPE", "flag_type"),
      dashed("STATE", "state"),
      dashed("OWED BY", "owed_by"),
      {"TOLD", [](const json& row) { return joined(row, "recipients"); }},
      dashed("RAISED", "raised_at"),
      dashed("CLEARED", "cleared_at"),
  };
  static const std::vector<column> timeline_columns = {
      dashed("AT", "at"),
      dashed("WHAT", "what"),
  };
  std::string out = "Transfer " + text_of(transfer, "transfer_id") + "\n";
  const std::pair<const char*, std::string> header[] = {
      {"Subject", text_of(transfer, "subject_key")},
      {"Areas", areas(transfer)},
      {"Reason", text_of(transfer, "reason")},
      {"State", text_of(transfer, "state")},
      {"Opened", text_of(transfer, "opened_at")},
      {"Completed", text_of(transfer, "completed_at")},
      {"Parts", parts_count(transfer) + " acknowledged"},
      {"Open flags", joined(transfer, "open_flags")},
  };
  for (const auto& [label, value] : header) {
    out += "  ";
    out += label;
    out += ':';
    out.append(11 - std::string(label).size(), ' ');  // values line up
    out += value;
    out += '\n';
  }
  section(out, "Expected parts", array_of(transfer, "parts"), part_columns, "no expected parts");
  section(out, "Flags", array_of(transfer, "flags"), flag_columns, "no flags");
  section(out, "Timeline", array_of(transfer, "timeline"), timeline_columns,
          "no timeline entries");
  return out;
}

}  // namespace mab::mabctl

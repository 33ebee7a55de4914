#include "adapters/mabctl/ledger_format.h"

#include <utility>
#include <vector>

namespace mab::mabctl {
namespace {

std::string or_dash(std::string s) { return s.empty() ? "-" : s; }

// A column for one field, "-" when it is missing, null or empty.
column dashed(std::string title, std::string key) {
  return {std::move(title), [key = std::move(key)](const json& row) {
            return or_dash(cell(row, key));
          }};
}

// The recipients array as "a,b"; anything else as cell() shows it.
std::string recipients(const json& row) {
  if (!row.is_object()) return "-";
  const auto it = row.find("recipients");
  if (it == row.end() || !it->is_array()) return or_dash(cell(row, "recipients"));
  std::string out;
  for (const auto& r : *it) {
    if (!out.empty()) out += ',';
    out += r.is_string() ? r.get<std::string>() : r.dump();
  }
  return or_dash(std::move(out));
}

json rows_of(const json& reply, const char* key) {
  if (!reply.is_object()) return json::array();
  const auto it = reply.find(key);
  return it != reply.end() && it->is_array() ? *it : json::array();
}

std::string format_rows(const json& rows, list_output how, const std::vector<column>& columns,
                        const char* none) {
  if (how == list_output::json_lines) return format_json_lines(rows);
  if (rows.empty()) return std::string(none) + "\n";
  return format_table(rows, columns);
}

}  // namespace

std::string format_obligations(const json& reply, list_output how) {
  static const std::vector<column> columns = {
      dashed("ID", "obligation_id"),
      dashed("KIND", "kind"),
      {"OWED BY → OWED TO",
       [](const json& row) {
         return or_dash(cell(row, "owed_by")) + " → " + or_dash(cell(row, "owed_to"));
       }},
      dashed("DUE", "due_at"),
      dashed("STATE", "state"),
      dashed("SUBJECT", "subject_key"),
  };
  return format_rows(rows_of(reply, "obligations"), how, columns, "no obligations");
}

std::string format_flags(const json& reply, list_output how) {
  static const std::vector<column> columns = {
      dashed("ID", "flag_id"),       dashed("TYPE", "flag_type"),
      dashed("STATE", "state"),      dashed("OWED BY", "owed_by"),
      dashed("RAISED", "raised_at"), {"RECIPIENTS", recipients},
      dashed("DETAIL", "detail"),
  };
  return format_rows(rows_of(reply, "flags"), how, columns, "no flags");
}

}  // namespace mab::mabctl

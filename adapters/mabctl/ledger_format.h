// What `mabctl obligations list` and `mabctl flags list` print for mabd's answer: an aligned
// table (or "no obligations" / "no flags"), or one JSON object per line with --json. Pure
// functions of the reply, so they are tested without a daemon.
#pragma once

#include <string>

#include "adapters/mabctl/table.h"

namespace mab::mabctl {

enum class list_output { table, json_lines };

// reply: mabd's answer to {"command":"obligations",...}; the rows are its "obligations" array
// (missing or not an array: none). Table columns: ID, KIND, OWED BY → OWED TO, DUE, STATE,
// SUBJECT; a missing or null field shows as "-".
std::string format_obligations(const json& reply, list_output how);
// reply: mabd's answer to {"command":"flags",...}; the rows are its "flags" array. Table
// columns: ID, TYPE, STATE, OWED BY, RAISED, RECIPIENTS (comma-separated), DETAIL.
std::string format_flags(const json& reply, list_output how);

}  // namespace mab::mabctl

// What `mabctl transfers list` and `mabctl transfers show` print for mabd's answers: the list as
// an aligned table (or "no transfers"), or one JSON object per line with --json; one transfer as
// the operator's timeline view (header, expected parts, flags, timeline), or as one JSON line
// with --json. Pure functions of the reply, so they are tested without a daemon.
#pragma once

#include <string>

#include "adapters/mabctl/ledger_format.h"
#include "adapters/mabctl/table.h"

namespace mab::mabctl {

// reply: mabd's answer to {"command":"transfers",...}; the rows are its "transfers" array
// (missing or not an array: none). Table columns: ID, FROM → TO, STATE, PARTS (acknowledged /
// expected), FLAGS (open_flags, comma-separated), OPENED, SUBJECT; a missing, null or empty
// field shows as "-".
std::string format_transfers(const json& reply, list_output how);

// transfer: the "transfer" object of mabd's answer to {"command":"transfer",...}.
// list_output::json_lines: the object as one JSON line, every field in mabd's order.
// list_output::table: the timeline view —
//   a header (transfer id, subject key, from → to areas, reason, state, opened and completed
//   times, parts acknowledged/expected, open flags), then
//   "Expected parts": PART, OWED BY, KIND, WHY, DUE, STATE ("sent (1/3 acked)": pieces acked
//   of pieces total, shown once any pieces are known), RECIPIENT;
//   "Flags": ID, TYPE, STATE, OWED BY, TOLD (recipients, comma-separated), RAISED, CLEARED;
//   "Timeline": AT, WHAT, in the order mabd gave them (oldest first).
// An empty or missing section says so ("no expected parts", "no flags", "no timeline entries").
std::string format_transfer(const json& transfer, list_output how);

}  // namespace mab::mabctl

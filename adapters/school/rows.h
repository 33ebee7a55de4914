// Internal to mab-school: the CSV line splitter and export recognition that rows.cc and the
// processor share. Not part of the adapter's rules interface (rules.h).
#pragma once

#include <string>
#include <vector>

#include "daemon/common/result.h"

namespace mab::school {

// Splits one CSV line: fields may be double-quoted (a comma inside, "" for a quote); spaces
// around unquoted fields are trimmed. The error names the column.
result<std::vector<std::string>> split_csv(const std::string& line);

enum class export_kind { unknown, registers, pupils };
// Which export a header line (byte-order mark, case and quoting ignored) starts.
export_kind kind_of_header(std::string line);

}  // namespace mab::school

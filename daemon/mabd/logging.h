// Process-wide logging for mabd: human-readable lines by default, one JSON object per line on
// request (for log shippers). Logs carry agency ids, message ids and reason codes; never names
// or identifiers of children.
#pragma once

#include <string>

#include "daemon/common/result.h"

namespace mab::logging {

// format: "human" or "json"; level: trace, debug, info, warn, error.
status setup(const std::string& format, const std::string& level);

}  // namespace mab::logging

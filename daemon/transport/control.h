// Private to the transport module: the operator control socket's JSON protocol.
//   {"command":"status"}                                   -> counters
//   {"command":"dead_letters","limit":N}                   -> {"dead_letters":[...]}
//   {"command":"replay","delivery_id":N}
// The ledger (obligations, flags, transfers) is served by the operator HTTP API (daemon/api),
// where callers authenticate and acknowledgements name their token's holder.
// Every reply has "ok"; a failure has "error" saying what was wrong.
#pragma once

#include <string>

#include "daemon/broker/broker.h"

namespace mab::transport {

std::string handle_control(broker::broker& brk, const std::string& endpoint,
                           const std::string& request);

}  // namespace mab::transport

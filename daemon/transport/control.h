// Private to the transport module: the operator control socket's JSON protocol.
//   {"command":"status"}                                   -> counters
//   {"command":"dead_letters","limit":N}                   -> {"dead_letters":[...]}
//   {"command":"replay","delivery_id":N}
//   {"command":"obligations","state":"open|overdue|fulfilled","limit":N}
//   {"command":"flags","state":"raised|cleared","limit":N}
//   {"command":"ack_flag","flag_id":N,"by":"...","note":"..."}
// Every reply has "ok"; a failure has "error" saying what was wrong.
#pragma once

#include <string>

#include "daemon/broker/broker.h"

namespace mab::transport {

std::string handle_control(broker::broker& brk, const std::string& endpoint,
                           const std::string& request);

}  // namespace mab::transport

// Re-reading mabd's configuration while it runs (SIGHUP, or an admin's POST
// /api/v1/admin/reload): agencies and their keys, routes, ledger policy, areas and API tokens
// take effect for the next message and the next request; a revoked signing key is refused from
// then on, and queued deliveries stay queued. What is bound at start-up stays as it was until a
// restart: [broker] (endpoints, store, keys), [http] (listener, certificate) and the calendar
// (bank holidays, school terms). Existing adapter connections stay open: a removed Curve key
// stops working at its next connection, a removed signing key at its next message.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "daemon/config/config.h"

namespace mab::mabd {

struct reload_result {
  std::vector<std::string> errors;  // the file's problems; empty = applied
  std::size_t agencies = 0;
  std::size_t routes = 0;
  std::size_t tokens = 0;
};

// Loads live.source_path and, when it is valid, applies it to `live` in place (on the event
// loop's thread, between cycles: everything holding `live` sees the new values from its next
// use). When it is not valid nothing changes.
reload_result reload_in_place(config::config& live);

}  // namespace mab::mabd

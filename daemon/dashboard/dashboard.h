// The operator dashboard: static HTML, CSS and JavaScript compiled into mabd, so nothing is
// loaded from elsewhere at run time. The pages hold no data; they ask the operator for a token
// and read everything through /api/v1 with it.
#pragma once

#include "daemon/http/http.h"

namespace mab::dashboard {

// Registers GET / (the dashboard) and GET /assets/{name} as open routes, with
// Content-Security-Policy allowing only mabd's own origin.
void add_routes(http::router& r);

}  // namespace mab::dashboard

#include "daemon/mabd/reload.h"

#include <utility>

namespace mab::mabd {

reload_result reload_in_place(config::config& live) {
  auto loaded = config::load(live.source_path);
  reload_result out;
  if (!loaded.errors.empty()) {
    out.errors = std::move(loaded.errors);
    return out;
  }
  config::config& next = *loaded.cfg;
  // Field by field, leaving [broker] and [http] untouched: the transport and the HTTP server
  // hold on to those settings, and they only change at a restart.
  live.agencies = std::move(next.agencies);
  live.routes = std::move(next.routes);
  live.areas = std::move(next.areas);
  live.tokens = std::move(next.tokens);
  auto calendar_settings = std::move(live.ledger.calendar_settings);
  live.ledger = std::move(next.ledger);
  live.ledger.calendar_settings = std::move(calendar_settings);
  out.agencies = live.agencies.size();
  out.routes = live.routes.size();
  out.tokens = live.tokens.size();
  return out;
}

}  // namespace mab::mabd

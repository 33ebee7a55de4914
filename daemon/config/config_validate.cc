// Rules that span records: each agency id and key identifies exactly one agency, routes and
// areas name agencies that exist, each area is declared once with a front door of its own, the
// calendar accepts the dates, and socket paths fit the kernel's limit.
#include <algorithm>
#include <map>

#include "daemon/config/config_internal.h"

namespace mab::config::detail {
namespace {

// sockaddr_un.sun_path holds 108 bytes including the terminating NUL; libzmq refuses longer
// ipc paths only when it binds, which is too late to tell the operator which setting to fix.
constexpr std::size_t max_ipc_path = 107;

void check_agency_ids(const document& doc, diagnostics& diag) {
  std::map<std::string, int> first_line;
  for (const auto& e : doc.agencies) {
    if (!e.has_id) continue;
    auto [it, fresh] = first_line.emplace(e.value.id, e.id_line);
    if (!fresh) {
      diag.add(e.id_line, e.where,
               "id: duplicate agency id; already declared at line " + std::to_string(it->second));
    }
  }
}

// A key must resolve to one agency, or an authenticated sender would be ambiguous. Signing keys
// compare by key id: that is what arrives on the wire, so two keys sharing an id collide too.
void check_unique_keys(const document& doc, diagnostics& diag,
                       std::vector<key_ref> agency_entry::*keys, std::string_view what) {
  struct owner {
    const agency_entry* entry;
    int line;
  };
  std::map<std::string, owner> owners;
  for (const auto& e : doc.agencies) {
    for (const auto& ref : e.*keys) {
      auto [it, fresh] = owners.emplace(ref.key, owner{&e, ref.field.line});
      if (fresh) continue;
      const std::string holder = it->second.entry == &e ? "this agency" : it->second.entry->where;
      diag.add(ref.field.line, e.where,
               ref.field.label + ": " + std::string(what) + " " + quoted(ref.key) +
                   " is already registered to " + holder + " (line " +
                   std::to_string(it->second.line) + "); a key must identify exactly one agency");
    }
  }
}

void check_route_targets(const document& doc, diagnostics& diag) {
  std::set<std::string> ids;
  for (const auto& e : doc.agencies) {
    if (e.has_id) ids.insert(e.value.id);
  }
  for (const auto& route : doc.routes) {
    for (std::size_t i = 0; i < route.value.to.size(); ++i) {
      const std::string& id = route.value.to[i];
      if (ids.count(id)) continue;
      const field_ref& field = route.to_fields[i];
      diag.add(field.line, route.where,
               field.label + ": unknown agency " + quoted(id) + "; 'to' must name an [[agency]] id");
    }
  }
}

using agency_index = std::map<std::string, const agency_entry*>;

// By id, the first declaration (a duplicate is reported by check_agency_ids). An agency whose id
// was given but is invalid still counts, so references to it are not also called unknown.
agency_index index_agencies(const document& doc) {
  agency_index index;
  for (const auto& e : doc.agencies) {
    if (e.has_id) index.emplace(e.value.id, &e);
  }
  return index;
}

// The front door receives the area's flags, so it must be the area's own children's services.
// A kind or area left empty was already reported on the agency, so it is not judged here.
void check_front_door(const area_entry& area, const agency_index& agencies, diagnostics& diag) {
  if (!area.front_door) return;
  const field_ref& field = *area.front_door;
  const auto it = agencies.find(area.value.front_door);
  if (it == agencies.end()) {
    return diag.add(field.line, area.where,
                    field.label + ": unknown agency " + quoted(area.value.front_door) +
                        "; 'front_door' must name an [[agency]] id");
  }
  const agency& door = it->second->value;
  if (!door.kind.empty() && door.kind != "csc" && door.kind != "mash") {
    diag.add(field.line, area.where,
             field.label + ": agency " + quoted(door.id) + " is of kind " + quoted(door.kind) +
                 "; a front door must be of kind csc or mash");
  }
  if (area.has_code && !door.area.empty() && door.area != area.value.code) {
    diag.add(field.line, area.where,
             field.label + ": agency " + quoted(door.id) + " is in area " + quoted(door.area) +
                 ", not " + quoted(area.value.code) + "; a front door must be in its own area");
  }
}

void check_areas(const document& doc, diagnostics& diag) {
  const agency_index agencies = index_agencies(doc);
  std::map<std::string, int> first_line;
  for (const auto& area : doc.areas) {
    if (area.has_code) {
      auto [it, fresh] = first_line.emplace(area.value.code, area.code_line);
      if (!fresh) {
        diag.add(area.code_line, area.where,
                 "code: duplicate area code; already declared at line " +
                     std::to_string(it->second));
      }
    }
    check_front_door(area, agencies, diag);
    for (std::size_t i = 0; i < area.value.escalation.size(); ++i) {
      const std::string& id = area.value.escalation[i];
      if (agencies.count(id)) continue;
      const field_ref& field = area.escalation_fields[i];
      diag.add(field.line, area.where,
               field.label + ": unknown agency " + quoted(id) +
                   "; 'escalation' must name [[agency]] ids");
    }
  }
}

// The per-field checks keep bad dates and backward terms out of the calendar settings, so this
// is the calendar's own word on what it will be given. Its error is one message for all the
// settings; to point the operator at a line, the pieces are tried again one by one.
void check_calendar(const document& doc, diagnostics& diag) {
  const calendar::settings& all = doc.ledger.calendar_settings;
  const auto whole = calendar::calendar::make(all);
  if (whole) return;
  bool located = false;
  calendar::settings holidays;
  holidays.extra_bank_holidays = all.extra_bank_holidays;
  if (const auto c = calendar::calendar::make(holidays); !c) {
    diag.add(doc.policy_line, "policy", "extra_bank_holidays: " + printable(c.message()));
    located = true;
  }
  for (const auto& [code, terms] : all.school_terms) {
    calendar::settings one;
    one.school_terms.emplace(code, terms);
    const auto c = calendar::calendar::make(one);
    if (c) continue;
    const auto area = std::find_if(doc.areas.begin(), doc.areas.end(),
                                   [&](const area_entry& a) { return a.value.code == code; });
    if (area == doc.areas.end()) {
      diag.add(doc.policy_line, "policy", "school_terms: " + printable(c.message()));
    } else {
      diag.add(area->value.line, area->where, "school_terms: " + printable(c.message()));
    }
    located = true;
  }
  if (!located) diag.add(doc.policy_line, "policy", printable(whole.message()));
}

void check_ipc_path(std::string_view endpoint, int line, std::string_view field,
                    diagnostics& diag) {
  constexpr std::string_view scheme = "ipc://";
  if (!endpoint.starts_with(scheme)) return;
  const std::size_t length = endpoint.size() - scheme.size();
  if (length <= max_ipc_path) return;
  diag.add(line, "broker",
           std::string(field) + ": the ipc socket path is " + std::to_string(length) +
               " bytes; Unix sockets allow at most " + std::to_string(max_ipc_path));
}

void check_endpoints(const document& doc, diagnostics& diag) {
  const settings& s = doc.broker;
  check_ipc_path(s.listen, doc.listen_line, "listen", diag);
  if (!s.control.empty()) {
    check_ipc_path(s.control, doc.control_line, "control", diag);
  } else {
    // The default lives under data_dir, so a long data_dir is what the operator must change.
    check_ipc_path("ipc://" + s.data_dir + "/control.sock", doc.data_dir_line,
                   "data_dir (default control socket <data_dir>/control.sock)", diag);
  }
}

}  // namespace

void check_document(const document& doc, diagnostics& diag) {
  check_agency_ids(doc, diag);
  check_unique_keys(doc, diag, &agency_entry::signing, "signing key");
  check_unique_keys(doc, diag, &agency_entry::curve, "curve key");
  check_route_targets(doc, diag);
  check_areas(doc, diag);
  check_calendar(doc, diag);
  check_endpoints(doc, diag);
}

}  // namespace mab::config::detail

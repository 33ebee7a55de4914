// Rules that span records: each agency id and key identifies exactly one agency, routes name
// agencies that exist, and socket paths fit the kernel's limit.
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
  check_endpoints(doc, diag);
}

}  // namespace mab::config::detail

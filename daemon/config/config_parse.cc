// TOML tables to structs, checking each field on its own. Cross-record rules live in
// config_validate.cc.
#include <span>
#include <algorithm>
#include <chrono>
#include <limits>
#include <sstream>

#include "daemon/config/config_internal.h"
#include "daemon/crypto/crypto.h"

namespace mab::config::detail {
namespace {

using namespace std::string_view_literals;

constexpr std::string_view top_keys[] = {"broker", "agency", "route", "policy", "area", "http",
                                        "token"};
constexpr std::string_view broker_keys[] = {
    "listen", "data_dir", "store", "sqlite_path", "signing_key_file", "curve_secret_key_file",
    "control", "max_message_bytes", "clock_skew_seconds", "max_refusals",
    "retry_initial_seconds", "retry_max_seconds", "delivery_window",
    "consumer_timeout_seconds", "log_format", "log_level", "subject_key_file",
    "audit_checkpoint_entries", "audit_checkpoint_seconds"};
constexpr std::string_view agency_keys[] = {"id", "name", "kind", "area",
                                            "signing_keys", "curve_keys", "may_send"};
constexpr std::string_view route_keys[] = {"name", "bodies", "areas",
                                           "to", "to_kinds", "allow_explicit"};
constexpr std::string_view policy_keys[] = {
    "referral_outcome_due", "return_interview_due", "acknowledgement_due", "ack_required",
    "due_soon_fraction", "flag_resend", "extra_bank_holidays", "open_transfer_on_area_change",
    "transfer_part_due", "lookback", "expected_parts"};
constexpr std::string_view record_part_kinds[] = {
    "CHILD_PROTECTION_PLAN", "CASE_SUMMARY", "SCHOOL_TRANSFER_FILE", "HEALTH_RECORD",
    "POLICE_RECORD", "HOUSING_RECORD", "OTHER"};
constexpr std::string_view part_conditions[] = {"always", "child_protection_plan", "school_age"};
constexpr std::string_view area_keys[] = {"code", "front_door", "escalation", "school_terms"};

constexpr std::string_view stores[] = {"sqlite"};
constexpr std::string_view log_formats[] = {"human", "json"};
constexpr std::string_view log_levels[] = {"trace", "debug", "info", "warn", "error"};
constexpr std::string_view listen_schemes[] = {"tcp://", "ipc://"};
constexpr std::string_view control_schemes[] = {"ipc://"};

// Durations are later turned into nanosecond clocks; a year keeps them far from overflow and
// is already longer than any sensible timeout.
constexpr std::int64_t max_seconds = 365LL * 24 * 3600;
constexpr std::int64_t max_u32 = std::numeric_limits<std::uint32_t>::max();
constexpr std::int64_t max_i64 = std::numeric_limits<std::int64_t>::max();

std::string number_text(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

bool contains(std::span<const std::string_view> items, std::string_view item) {
  for (std::string_view candidate : items) {
    if (candidate == item) return true;
  }
  return false;
}

void read_nonempty(const table_reader& r, std::string_view key, std::string& out) {
  auto v = r.string(key);
  if (!v) return;
  if (v->value.empty()) return r.error(v->field.line, key, "must not be empty");
  out = std::move(v->value);
}

void read_choice(const table_reader& r, std::string_view key, std::string& out,
                 std::span<const std::string_view> choices) {
  auto v = r.string(key);
  if (!v) return;
  if (!contains(choices, v->value)) {
    return r.error(v->field.line, key, quoted(v->value) + " is not one of: " + join(choices));
  }
  out = std::move(v->value);
}

template <class T>
void read_count(const table_reader& r, std::string_view key, T& out, std::int64_t max) {
  auto v = r.integer(key);
  if (!v) return;
  if (*v < 1) return r.error(key, "must be at least 1, got " + std::to_string(*v));
  if (*v > max) {
    return r.error(key, "must be at most " + std::to_string(max) + ", got " + std::to_string(*v));
  }
  out = static_cast<T>(*v);
}

void read_seconds(const table_reader& r, std::string_view key, double& out) {
  auto v = r.number(key);
  if (!v) return;
  if (!(*v > 0) || *v > static_cast<double>(max_seconds)) {
    return r.error(key, "must be more than 0 and at most " + std::to_string(max_seconds) +
                            " (a year), got " + number_text(*v));
  }
  out = *v;
}

void read_endpoint(const table_reader& r, std::string_view key, std::string& out,
                   std::span<const std::string_view> schemes, std::string_view rule) {
  auto v = r.string(key);
  if (!v) return;
  for (std::string_view scheme : schemes) {
    if (v->value.starts_with(scheme) && v->value.size() > scheme.size()) {
      out = std::move(v->value);
      return;
    }
  }
  r.error(v->field.line, key, quoted(v->value) + " " + std::string(rule));
}

// Agency ids in a list, each once; the fields are kept, parallel to `ids`, for the check that
// each names an [[agency]].
void read_agency_refs(const table_reader& r, const string_list& list,
                      std::vector<std::string>& ids, std::vector<field_ref>& fields) {
  for (const auto& item : list.items) {
    if (std::find(ids.begin(), ids.end(), item.value) != ids.end()) {
      r.error(item.field.line, item.field.label, quoted(item.value) + " is listed twice");
      continue;
    }
    ids.push_back(item.value);
    fields.push_back(item.field);
  }
}

// A string the section cannot do without.
std::optional<list_item> required_string(const table_reader& r, std::string_view key,
                                         std::string_view why) {
  auto v = r.string(key);
  if (!v && !r.has(key)) r.error(r.line(), key, "missing; " + std::string(why));
  return v;
}

// A list the section cannot do without: absent and empty are both errors.
std::optional<string_list> required_list(const table_reader& r, std::string_view key,
                                         std::string_view why) {
  auto list = r.strings(key);
  if (!list) {
    if (!r.has(key)) r.error(r.line(), key, "missing; " + std::string(why));
    return std::nullopt;
  }
  if (list->size == 0) {
    r.error(list->line, key, "is empty; " + std::string(why));
    return std::nullopt;
  }
  return list;
}

// Names that must come from a fixed vocabulary (body kinds, agency kinds).
std::set<std::string> known_names(const table_reader& r, const string_list& list,
                                  const std::set<std::string>& known, std::string_view what) {
  std::set<std::string> out;
  for (const auto& item : list.items) {
    if (known.count(item.value)) {
      out.insert(item.value);
    } else {
      r.error(item.field.line, item.field.label,
              "unknown " + std::string(what) + " " + quoted(item.value) + " (known: " +
                  join(known) + ")");
    }
  }
  return out;
}

void read_broker_paths(const table_reader& r, document& doc) {
  settings& s = doc.broker;
  read_endpoint(r, "listen", s.listen, listen_schemes,
                "must start with tcp:// or ipc:// followed by an address");
  doc.listen_line = r.line_of("listen");
  read_nonempty(r, "data_dir", s.data_dir);
  doc.data_dir_line = r.line_of("data_dir");
  read_choice(r, "store", s.store, stores);
  read_nonempty(r, "sqlite_path", s.sqlite_path);
  read_nonempty(r, "signing_key_file", s.signing_key_file);
  read_nonempty(r, "curve_secret_key_file", s.curve_secret_key_file);
  read_nonempty(r, "subject_key_file", s.subject_key_file);
  read_endpoint(r, "control", s.control, control_schemes,
                "must start with ipc:// followed by a path: the control socket has no "
                "authentication of its own, file permissions guard it");
  doc.control_line = r.line_of("control");
}

void read_broker_limits(const table_reader& r, settings& s) {
  read_count(r, "max_message_bytes", s.max_message_bytes, max_i64);
  read_count(r, "clock_skew_seconds", s.clock_skew_seconds, max_seconds);
  read_count(r, "max_refusals", s.max_refusals, max_u32);
  read_seconds(r, "retry_initial_seconds", s.retry_initial_seconds);
  read_seconds(r, "retry_max_seconds", s.retry_max_seconds);
  if (s.retry_max_seconds < s.retry_initial_seconds) {
    r.error("retry_max_seconds", number_text(s.retry_max_seconds) +
                                     " is less than retry_initial_seconds (" +
                                     number_text(s.retry_initial_seconds) +
                                     "); the backoff cap must not be below the first delay");
  }
  read_count(r, "delivery_window", s.delivery_window, max_u32);
  read_seconds(r, "consumer_timeout_seconds", s.consumer_timeout_seconds);
  read_count(r, "audit_checkpoint_entries", s.audit_checkpoint_entries, max_u32);
  read_seconds(r, "audit_checkpoint_seconds", s.audit_checkpoint_seconds);
  read_choice(r, "log_format", s.log_format, log_formats);
  read_choice(r, "log_level", s.log_level, log_levels);
}

void read_broker(const toml::table& table, document& doc, diagnostics& diag) {
  table_reader r(table, "broker", diag, broker_keys);
  doc.broker_line = r.line();
  read_broker_paths(r, doc);
  read_broker_limits(r, doc.broker);
}


// How messages name a section: by its id or name when it has a usable one, else by position.
std::string section_name(const toml::table& table, std::string_view section,
                         std::string_view key, std::size_t index) {
  const toml::node* node = table.get(key);
  if (node && node->is_string() && !node->as_string()->get().empty()) {
    return std::string(section) + " " + quoted(node->as_string()->get());
  }
  return std::string(section) + " #" + std::to_string(index + 1);
}

void read_agency_id(const table_reader& r, agency_entry& e) {
  auto id = required_string(r, "id", "every agency needs an id");
  if (!id) return;
  e.has_id = true;
  e.id_line = id->field.line;
  e.value.id = id->value;
  if (!is_agency_id(id->value)) {
    r.error(id->field.line, "id",
            quoted(id->value) + " does not match [a-z0-9][a-z0-9._-]{0,63} (lower case letters, "
                                "digits, '.', '_' and '-', at most 64)");
  } else if (id->value == broker_agency_id) {
    r.error(id->field.line, "id",
            quoted(id->value) + " is reserved: the broker raises its own flags as that sender; "
                                "choose another id");
  }
}

void read_agency_text(const table_reader& r, agency_entry& e) {
  agency& a = e.value;
  a.name = a.id;
  read_nonempty(r, "name", a.name);
  if (auto kind = required_string(r, "kind", "one of: " + join(known_agency_kinds()))) {
    if (known_agency_kinds().count(kind->value)) {
      a.kind = kind->value;
    } else {
      r.error(kind->field.line, "kind", "unknown agency kind " + quoted(kind->value) +
                                            " (known: " + join(known_agency_kinds()) + ")");
    }
  }
  constexpr auto area_rule = "routing matches on the local authority code, e.g. E09000001"sv;
  if (auto area = required_string(r, "area", area_rule)) {
    if (area->value.empty()) return r.error(area->field.line, "area", "is empty; " +
                                                                          std::string(area_rule));
    a.area = area->value;
  }
}

void read_signing_keys(const table_reader& r, agency_entry& e) {
  auto keys = required_list(r, "signing_keys",
                            "an agency needs at least one Ed25519 public key (base64)");
  if (!keys) return;
  for (const auto& item : keys->items) {
    auto raw = crypto::base64_decode(item.value);
    if (!raw || raw->size() != 32) {
      r.error(item.field.line, item.field.label, "not base64 of a 32-byte Ed25519 public key");
      continue;
    }
    e.value.signing_keys.push_back({crypto::key_id_for(*raw), *raw});
    e.signing.push_back({e.value.signing_keys.back().key_id, item.field});
  }
}

void read_curve_keys(const table_reader& r, agency_entry& e) {
  auto keys = required_list(r, "curve_keys",
                            "an agency needs at least one Curve public key (40 Z85 characters)");
  if (!keys) return;
  for (const auto& item : keys->items) {
    if (!crypto::is_z85_key(item.value)) {
      r.error(item.field.line, item.field.label,
              "not a Z85 Curve public key (40 Z85 characters)");
      continue;
    }
    e.value.curve_keys.push_back(item.value);
    e.curve.push_back({item.value, item.field});
  }
}

agency_entry read_agency(const toml::table& table, std::size_t index, diagnostics& diag) {
  agency_entry e;
  e.where = section_name(table, "agency", "id", index);
  table_reader r(table, e.where, diag, agency_keys);
  e.line = r.line();
  read_agency_id(r, e);
  read_agency_text(r, e);
  read_signing_keys(r, e);
  read_curve_keys(r, e);
  if (auto may_send = r.strings("may_send")) {
    e.value.may_send = known_names(r, *may_send, known_body_kinds(), "body kind");
  }
  return e;
}

void read_route_targets(const table_reader& r, route_entry& e) {
  route_rule& rule = e.value;
  if (auto to = r.strings("to")) read_agency_refs(r, *to, rule.to, e.to_fields);
  if (auto kinds = r.strings("to_kinds")) {
    rule.to_kinds = known_names(r, *kinds, known_agency_kinds(), "agency kind");
  }
  if (r.count("to") == 0 && r.count("to_kinds") == 0 && !rule.allow_explicit) {
    r.error(r.line(), "to, to_kinds",
            "neither is given; a route needs recipients: agency ids in 'to', agency kinds "
            "in 'to_kinds', or allow_explicit = true for recipients the sender names");
  }
}

route_entry read_route(const toml::table& table, std::size_t index, diagnostics& diag) {
  route_entry e;
  e.where = section_name(table, "route", "name", index);
  table_reader r(table, e.where, diag, route_keys);
  route_rule& rule = e.value;
  rule.line = r.line();
  rule.name = "route #" + std::to_string(index + 1);
  read_nonempty(r, "name", rule.name);
  if (auto bodies = required_list(r, "bodies", "a route must name the body kinds it carries")) {
    rule.bodies = known_names(r, *bodies, known_body_kinds(), "body kind");
  }
  if (auto areas = r.strings("areas")) {
    for (const auto& item : areas->items) {
      if (item.value.empty()) r.error(item.field.line, item.field.label, "must not be empty");
      else rule.areas.insert(item.value);
    }
  }
  // Before the targets: a route may have no fixed recipients when senders name them.
  if (auto explicit_ok = r.boolean("allow_explicit")) rule.allow_explicit = *explicit_ok;
  read_route_targets(r, e);
  return e;
}

void read_duration(const table_reader& r, std::string_view key, calendar::duration& out) {
  auto v = r.string(key);
  if (!v) return;
  auto d = calendar::parse_duration(v->value);
  if (!d) return r.error(v->field.line, key, printable(d.message()));
  out = *d;
}

std::optional<std::chrono::year_month_day> read_date(const table_reader& r, const list_item& item) {
  auto d = calendar::parse_date(item.value);
  if (!d) {
    r.error(item.field.line, item.field.label, printable(d.message()));
    return std::nullopt;
  }
  return *d;
}

bool one_of(std::string_view value, std::span<const std::string_view> allowed) {
  return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

// expected_parts = [["CHILD_PROTECTION_PLAN", "csc", "child_protection_plan"], ...]
void read_expected_parts(const table_reader& r, policy& p) {
  auto rules = r.string_lists("expected_parts");
  if (!rules) return;
  p.expected_parts.clear();  // given: replaces the defaults
  for (const auto& rule : *rules) {
    if (rule.size != 3 || rule.items.size() != 3) {
      r.error(rule.line, rule.label,
              "expected [part kind, agency kind, when], e.g. [\"HEALTH_RECORD\", \"health\", \"always\"]");
      continue;
    }
    const auto& kind = rule.items[0];
    const auto& from = rule.items[1];
    const auto& when = rule.items[2];
    bool ok = true;
    if (!one_of(kind.value, record_part_kinds)) {
      r.error(kind.field.line, kind.field.label,
              "unknown part kind '" + kind.value + "'; use a RecordPart kind such as HEALTH_RECORD");
      ok = false;
    }
    if (known_agency_kinds().count(from.value) == 0) {
      r.error(from.field.line, from.field.label, "unknown agency kind '" + from.value + "'");
      ok = false;
    }
    if (!one_of(when.value, part_conditions)) {
      r.error(when.field.line, when.field.label,
              "'" + when.value + "' is not one of always, child_protection_plan, school_age");
      ok = false;
    }
    if (ok) p.expected_parts.push_back({kind.value, from.value, when.value});
  }
}

void read_policy(const toml::table& table, document& doc, diagnostics& diag) {
  table_reader r(table, "policy", diag, policy_keys);
  doc.policy_line = r.line();
  policy& p = doc.ledger;
  read_duration(r, "referral_outcome_due", p.referral_outcome_due);
  read_duration(r, "return_interview_due", p.return_interview_due);
  read_duration(r, "acknowledgement_due", p.acknowledgement_due);
  read_duration(r, "flag_resend", p.flag_resend);
  // Replaces the default list; an empty list asks for no acknowledgements at all.
  if (auto kinds = r.strings("ack_required")) {
    p.ack_required = known_names(r, *kinds, known_body_kinds(), "body kind");
  }
  if (auto fraction = r.number("due_soon_fraction")) {
    if (*fraction > 0 && *fraction < 1) {
      p.due_soon_fraction = *fraction;
    } else {
      r.error("due_soon_fraction",
              "must be more than 0 and less than 1, got " + number_text(*fraction));
    }
  }
  if (auto dates = r.strings("extra_bank_holidays")) {
    for (const auto& item : dates->items) {
      if (auto d = read_date(r, item)) p.calendar_settings.extra_bank_holidays.push_back(*d);
    }
  }
  if (auto on = r.boolean("open_transfer_on_area_change")) p.open_transfer_on_area_change = *on;
  read_duration(r, "transfer_part_due", p.transfer_part_due);
  read_duration(r, "lookback", p.lookback);
  read_expected_parts(r, p);
}

constexpr auto term_example = R"(e.g. ["2026-09-03", "2026-10-23"])"sv;

void read_school_terms(const table_reader& r, area_entry& e) {
  auto terms = r.string_lists("school_terms");
  if (!terms) return;
  for (const auto& pair : *terms) {
    if (pair.size != 2) {
      r.error(pair.line, pair.label,
              "expected a [first, last] pair of dates, " + std::string(term_example) + ", got " +
                  std::to_string(pair.size) + " element" + (pair.size == 1 ? "" : "s"));
      continue;
    }
    if (pair.items.size() != 2) continue;  // an element that is not a string, already reported
    auto first = read_date(r, pair.items[0]);
    auto last = read_date(r, pair.items[1]);
    if (!first || !last) continue;
    if (std::chrono::sys_days{*last} < std::chrono::sys_days{*first}) {
      r.error(pair.line, pair.label,
              "ends " + pair.items[1].value + " before it starts " + pair.items[0].value +
                  "; a term is [first day, last day], both inclusive");
      continue;
    }
    e.terms.push_back({*first, *last});
  }
}

area_entry read_area(const toml::table& table, std::size_t index, diagnostics& diag) {
  area_entry e;
  e.where = section_name(table, "area", "code", index);
  table_reader r(table, e.where, diag, area_keys);
  e.value.line = r.line();
  constexpr auto code_rule =
      "the local authority code agencies give as their area, e.g. E09000001"sv;
  if (auto code = required_string(r, "code", code_rule)) {
    e.code_line = code->field.line;
    if (code->value.empty()) {
      r.error(code->field.line, "code", "is empty; " + std::string(code_rule));
    } else {
      e.has_code = true;
      e.value.code = code->value;
    }
  }
  constexpr auto door_rule = "the id of this area's csc or mash agency, which receives its flags"sv;
  if (auto door = required_string(r, "front_door", door_rule)) {
    if (door->value.empty()) {
      r.error(door->field.line, "front_door", "is empty; " + std::string(door_rule));
    } else {
      e.value.front_door = door->value;
      e.front_door = door->field;
    }
  }
  if (auto escalation = r.strings("escalation")) {
    read_agency_refs(r, *escalation, e.value.escalation, e.escalation_fields);
  }
  read_school_terms(r, e);
  return e;
}

}  // namespace

bool is_agency_id(std::string_view id) {
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (id.empty() || id.size() > 64 || !lower_or_digit(id[0])) return false;
  for (char c : id.substr(1)) {
    if (!lower_or_digit(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

void read_document(const toml::table& root, document& doc, diagnostics& diag) {
  table_reader r(root, "top level", diag, top_keys);
  if (const toml::node* broker = r.find("broker")) {
    if (const toml::table* table = broker->as_table()) {
      read_broker(*table, doc, diag);
    } else {
      r.error("broker", "expected a table: write [broker]");
    }
  }
  for_each_table(r, "agency", [&](const toml::table& table, std::size_t i) {
    doc.agencies.push_back(read_agency(table, i, diag));
  });
  for_each_table(r, "route", [&](const toml::table& table, std::size_t i) {
    doc.routes.push_back(read_route(table, i, diag));
  });
  if (const toml::node* policy = r.find("policy")) {
    if (const toml::table* table = policy->as_table()) {
      read_policy(*table, doc, diag);
    } else {
      r.error("policy", "expected a table: write [policy]");
    }
  }
  for_each_table(r, "area", [&](const toml::table& table, std::size_t i) {
    doc.areas.push_back(read_area(table, i, diag));
  });
  read_http(r, doc, diag);
  read_tokens(r, doc, diag);
  // The calendar wants every area's terms in one map. A duplicate code is reported by
  // check_document; the first declaration's terms stand meanwhile.
  for (const auto& e : doc.areas) {
    if (e.has_code && !e.terms.empty()) {
      doc.ledger.calendar_settings.school_terms.try_emplace(e.value.code, e.terms);
    }
  }
}

}  // namespace mab::config::detail

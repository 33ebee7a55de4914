// The housing rules (see rules.h): settings, rows, household history and the housing_change
// each row becomes.
#include "adapters/housing/rules.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include <nlohmann/json.hpp>

#include "daemon/validate/validate.h"

namespace mab::housing {
namespace {

using HousingChange = mab::v1::HousingChange;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// A value echoed in a reject line: quoted, and cut short so a runaway field stays readable.
std::string shown(const std::string& v) {
  return "'" + (v.size() > 60 ? v.substr(0, 60) + "..." : v) + "'";
}

const std::map<std::string, event_type>& event_names() {
  static const std::map<std::string, event_type> names = {
      {"move", event_type::move},
      {"temporary_accommodation", event_type::temporary_accommodation},
      {"homeless_application", event_type::homeless_application},
      {"new_household_member", event_type::new_household_member}};
  return names;
}

bool placement(event_type t) {
  return t == event_type::move || t == event_type::temporary_accommodation;
}

// Days since the epoch of a YYYY-MM-DD date; nullopt when it is not one.
std::optional<std::int64_t> day_number(const std::string& date) {
  if (!validate::valid_iso_date(date)) return std::nullopt;
  auto number = [&](std::size_t from, std::size_t len) {
    int v = 0;
    for (std::size_t i = from; i < from + len; ++i) v = v * 10 + (date[i] - '0');
    return v;
  };
  const std::chrono::year_month_day ymd{std::chrono::year(number(0, 4)),
                                        std::chrono::month(static_cast<unsigned>(number(5, 2))),
                                        std::chrono::day(static_cast<unsigned>(number(8, 2)))};
  return std::chrono::sys_days(ymd).time_since_epoch().count();
}

result<std::string> date_column(const std::string& v, const char* column, bool required) {
  if (v.empty()) {
    if (required) return make_error(std::string(column) + ": is required");
    return std::string();
  }
  if (!validate::valid_iso_date(v)) {
    return make_error(std::string(column) + ": " + shown(v) + " is not a date (YYYY-MM-DD)");
  }
  return v;
}

result<std::string> postcode_column(const std::string& v, const char* column) {
  if (v.empty()) return std::string();
  auto p = normalise_postcode(v);
  if (!p) {
    return make_error(std::string(column) + ": " + shown(v) +
                      " is not a full UK postcode (such as SW1A 1AA)");
  }
  return *p;
}

result<std::string> lookup(const std::string& postcode, const char* column,
                           const postcode_table& table) {
  if (auto la = table.area_of(postcode)) return *la;
  return make_error(std::string(column) + ": '" + postcode +
                    "' is not in the postcode table (neither the postcode nor its outward code " +
                    postcode.substr(0, postcode.find(' ')) + ")");
}

void read_window(const toml::table& t, settings& s, kit::config_errors& errors) {
  const toml::node* node = t.get("moves_window_days");
  if (node == nullptr) return;
  auto v = node->value_exact<std::int64_t>();
  if (!v || *v < 1 || *v > 3660) {
    errors.at(*node, "housing.moves_window_days", "must be a whole number from 1 to 3660");
    return;
  }
  s.moves_window_days = static_cast<std::uint32_t>(*v);
}

void read_table(const toml::table& t, const std::string& config_file, settings& s,
                kit::config_errors& errors) {
  const toml::node* node = t.get("postcode_table");
  if (node == nullptr) {
    errors.missing("housing.postcode_table");
    return;
  }
  const auto* v = node->as_string();
  if (v == nullptr || v->get().empty()) {
    errors.at(*node, "housing.postcode_table", "must be a file name");
    return;
  }
  namespace fs = std::filesystem;
  const fs::path p(v->get());
  const fs::path folder = fs::absolute(fs::path(config_file)).parent_path();
  s.postcode_table_path = (p.is_absolute() ? p : folder / p).lexically_normal().string();
  std::ifstream in(s.postcode_table_path, std::ios::binary);
  if (!in) {
    errors.at(*node, "housing.postcode_table", "cannot read '" + s.postcode_table_path + "'");
    return;
  }
  auto table = postcode_table::parse(in, s.postcode_table_path);
  if (!table) {
    errors.merge(table.message());
  } else {
    s.postcodes = std::move(table).value();
  }
}

const char* kind_phrase(event_type t) {
  switch (t) {
    case event_type::move: return "Move";
    case event_type::temporary_accommodation: return "Temporary accommodation";
    case event_type::homeless_application: return "Homeless application";
    case event_type::new_household_member: return "New household member";
  }
  return "Housing event";
}

std::string place(const address& a, const std::string& area) {
  return (a.postcode.empty() ? std::string("an address without a postcode") : a.postcode) +
         (area.empty() ? "" : " (" + area + ")");
}

std::string describe(const row& r, const areas& a, const std::string& own_area, bool out_of_area,
                     std::uint32_t moves, std::uint32_t window_days) {
  std::string s = std::string(kind_phrase(r.type)) + " on " + r.effective_date;
  if (r.type == event_type::move) {
    s += " from " + place(r.previous, a.previous) + " to " + place(r.next, a.next);
    s += a.previous != a.next ? ", across a local authority boundary" : ", within " + a.next;
  } else {
    s += " at " + place(r.next, a.next);
    if (!r.previous.empty()) s += ", previously " + place(r.previous, a.previous);
    if (out_of_area) s += ", placed outside this authority (" + own_area + ")";
  }
  s +=
      "; household " + r.household_id + " had " + std::to_string(moves) +
      (moves == 1 ? " other move or temporary placement" : " other moves or temporary placements") +
      " in the " + std::to_string(window_days) + " days before.";
  return s;
}

void set_address(mab::v1::Address* out, const address& a) {
  out->set_line1(a.line1);
  out->set_town(a.town);
  out->set_postcode(a.postcode);
}

HousingChange::Kind kind_of(event_type t) {
  switch (t) {
    case event_type::move: return HousingChange::MOVE;
    case event_type::temporary_accommodation: return HousingChange::TEMPORARY_ACCOMMODATION;
    case event_type::homeless_application: return HousingChange::HOMELESS_APPLICATION;
    case event_type::new_household_member: return HousingChange::NEW_HOUSEHOLD_MEMBER;
  }
  return HousingChange::KIND_UNSPECIFIED;
}

}  // namespace

result<settings> load_settings(const toml::table& extra, const std::string& config_file) {
  settings s;
  kit::config_errors errors(config_file);
  const auto* t = extra["housing"].as_table();
  if (t == nullptr) {
    errors.missing("housing.postcode_table");
    return make_error(errors.text());
  }
  static const std::set<std::string, std::less<>> known = {"postcode_table", "moves_window_days"};
  for (const auto& [key, node] : *t) {
    if (!known.contains(key.str())) {
      errors.at(node, "housing." + std::string(key.str()), "unknown key");
    }
  }
  read_window(*t, s, errors);
  read_table(*t, config_file, s, errors);
  if (!errors.empty()) return make_error(errors.text());
  return s;
}

result<row> parse_row(const std::vector<std::string>& f) {
  if (f.size() != column_count) {
    return make_error("expected " + std::to_string(column_count) + " columns (" + header +
                      "), found " + std::to_string(f.size()));
  }
  row r;
  r.event_id = f[0];
  if (r.event_id.empty()) return make_error("event_id: is required");
  auto type = event_names().find(lower(f[1]));
  if (type == event_names().end()) {
    return make_error("event_type: " + shown(f[1]) +
                      " must be one of move, temporary_accommodation, homeless_application, "
                      "new_household_member");
  }
  r.type = type->second;
  auto effective = date_column(f[2], "effective_date", true);
  if (!effective) return effective.err();
  r.effective_date = *effective;
  r.household_id = f[3];
  if (r.household_id.empty()) return make_error("household_id: is required");
  r.upn = upper(f[4]);
  if (!r.upn.empty() && !validate::valid_upn(r.upn)) {
    return make_error("upn: " + shown(f[4]) +
                      " is not a valid UPN (13 characters, check letter first)");
  }
  for (char c : f[5]) {
    if (c != ' ') r.nhs_number.push_back(c);  // "943 476 5919" as printed on letters
  }
  if (!r.nhs_number.empty() && !validate::valid_nhs_number(r.nhs_number)) {
    return make_error("nhs_number: " + shown(f[5]) +
                      " is not a valid NHS number (10 digits, modulus 11 check digit)");
  }
  if (r.upn.empty() && r.nhs_number.empty()) {
    return make_error("upn, nhs_number: at least one is required");
  }
  r.given_name = f[6];
  r.family_name = f[7];
  auto dob = date_column(f[8], "date_of_birth", false);
  if (!dob) return dob.err();
  r.date_of_birth = *dob;
  auto previous = postcode_column(f[11], "previous_postcode");
  if (!previous) return previous.err();
  if (previous->empty() && r.type == event_type::move) {
    return make_error("previous_postcode: is required for a move");
  }
  r.previous = {f[9], f[10], *previous};
  auto next = postcode_column(f[14], "new_postcode");
  if (!next) return next.err();
  if (next->empty()) return make_error("new_postcode: is required");
  r.next = {f[12], f[13], *next};
  return r;
}

result<areas> resolve(const row& r, const postcode_table& table) {
  areas a;
  if (!r.previous.postcode.empty()) {
    auto la = lookup(r.previous.postcode, "previous_postcode", table);
    if (!la) return la.err();
    a.previous = *la;
  }
  auto la = lookup(r.next.postcode, "new_postcode", table);
  if (!la) return la.err();
  a.next = *la;
  return a;
}

void household::record(const row& r) {
  if (placement(r.type)) placements[r.event_id] = r.effective_date;
}

std::uint32_t household::placements_before(const std::string& event_id, const std::string& date,
                                           std::uint32_t window_days) const {
  const auto end = day_number(date);
  if (!end) return 0;
  std::uint32_t n = 0;
  for (const auto& [id, when] : placements) {
    const auto day = day_number(when);
    if (id == event_id || !day) continue;
    if (*day <= *end && *end - *day <= window_days) ++n;
  }
  return n;
}

std::string household::to_json() const { return nlohmann::json{{"placements", placements}}.dump(); }

result<household> household::from_json(const std::string& text) {
  try {
    household h;
    h.placements =
        nlohmann::json::parse(text).at("placements").get<std::map<std::string, std::string>>();
    for (const auto& [id, date] : h.placements) {
      if (!validate::valid_iso_date(date)) {
        return make_error("corrupt household state: date " + shown(date));
      }
    }
    return h;
  } catch (const nlohmann::json::exception& e) {
    return make_error(std::string("corrupt household state: ") + e.what());
  }
}

std::string source_key(const row& r) {
  return r.event_id + (r.upn.empty() ? "/nhs:" + r.nhs_number : "/upn:" + r.upn);
}

mab::v1::Notification notification(const row& r, const areas& a, const std::string& own_area,
                                   std::uint32_t moves_last_12_months, std::uint32_t window_days) {
  mab::v1::Notification n;
  auto* s = n.mutable_subject();
  s->set_upn(r.upn);
  s->set_nhs_number(r.nhs_number);
  s->set_given_name(r.given_name);
  s->set_family_name(r.family_name);
  s->set_date_of_birth(r.date_of_birth);
  s->set_area(a.next);
  auto* h = n.mutable_housing_change();
  h->set_kind(kind_of(r.type));
  h->set_household_id(r.household_id);
  if (!r.previous.empty()) set_address(h->mutable_previous_address(), r.previous);
  set_address(h->mutable_new_address(), r.next);
  h->set_previous_area(a.previous);
  h->set_new_area(a.next);
  h->set_effective_date(r.effective_date);
  const bool out_of_area = r.type == event_type::temporary_accommodation && a.next != own_area;
  h->set_out_of_area_placement(out_of_area);
  h->set_moves_last_12_months(moves_last_12_months);
  h->set_summary(describe(r, a, own_area, out_of_area, moves_last_12_months, window_days));
  return n;
}

processor::processor(settings s, std::string own_area, kit::state& st, kit::rejects& rj,
                     kit::summary& sum, send_fn send, bool persist, std::uint64_t progress_every)
    : settings_(std::move(s)),
      own_area_(std::move(own_area)),
      state_(st),
      rejects_(rj),
      summary_(sum),
      send_(std::move(send)),
      persist_(persist),
      progress_every_(progress_every) {}

void processor::reject(const std::string& file, std::uint64_t line, const std::string& reason) {
  rejects_.add(file, line, reason);
  ++summary_.rejected;
}

result<household*> processor::load(const std::string& id,
                                   std::map<std::string, household>& touched) {
  if (auto it = touched.find(id); it != touched.end()) return &it->second;
  auto stored = state_.entity("household/" + id);
  if (!stored) return stored.err();
  household h;
  if (stored->has_value()) {
    auto parsed = household::from_json(**stored);
    if (!parsed) return make_error("household/" + id + ": " + parsed.message());
    h = std::move(parsed).value();
  }
  return &touched.emplace(id, std::move(h)).first->second;
}

status processor::process(const std::string& name, std::istream& in) {
  std::map<std::string, household> touched;
  std::map<std::string, std::uint64_t> seen_here;  // source key -> line, in this input
  kit::progress prog(std::cerr, name, progress_every_);
  std::string line;
  std::uint64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (number == 1) {
      if (loose_header(line) == header) continue;
      reject(name, number, std::string("expected the header '") + header + "'; file skipped");
      return ok_status();
    }
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    ++summary_.rows_read;
    prog.row();
    auto fields = split_csv(line);
    if (!fields) {
      reject(name, number, fields.message());
      continue;
    }
    auto r = parse_row(*fields);
    if (!r) {
      reject(name, number, r.message());
      continue;
    }
    auto a = resolve(*r, settings_.postcodes);
    if (!a) {
      reject(name, number, a.message());
      continue;
    }
    const std::string key = source_key(*r);
    if (auto [it, fresh] = seen_here.emplace(key, number); !fresh) {
      reject(name, number,
             "duplicate row for " + key + " (first at line " + std::to_string(it->second) + ")");
      continue;
    }
    auto h = load(r->household_id, touched);
    if (!h) return h.err();
    const auto moves =
        (*h)->placements_before(r->event_id, r->effective_date, settings_.moves_window_days);
    (*h)->record(*r);
    auto n = notification(*r, *a, own_area_, moves, settings_.moves_window_days);
    auto sent = send_(key, std::move(n), name, number);
    if (!sent) return sent.err();
  }
  if (in.bad()) return make_error(name + ": read error");
  if (!persist_) return ok_status();
  return state_.in_transaction([&]() -> status {
    for (const auto& [id, h] : touched) {
      if (auto s = state_.put_entity("household/" + id, h.to_json()); !s) return s;
    }
    return ok_status();
  });
}

status processor::process_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    reject(path, 0, "cannot read the file");
    return ok_status();
  }
  return process(path, in);
}

}  // namespace mab::housing

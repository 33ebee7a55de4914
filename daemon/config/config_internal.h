// Private to daemon/config: the pieces load() and parse() are built from. Reading happens in two
// passes: config_parse.cc turns each TOML table into structs and checks each field on its own;
// config_validate.cc then checks what spans records (duplicates, references between tables).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "daemon/config/config.h"

namespace mab::config::detail {

// Collects problems with their lines. They are handed out sorted by line, so the operator reads
// them top to bottom whatever order the checks ran in.
class diagnostics {
 public:
  explicit diagnostics(std::string file) : file_(std::move(file)) {}
  void add(int line, std::string_view where, std::string_view what);
  bool empty() const { return items_.empty(); }
  std::vector<std::string> sorted() const;

 private:
  std::string file_;
  std::vector<std::pair<int, std::string>> items_;
};

// Where a value sits, for messages: "signing_keys[1]" at line 14.
struct field_ref {
  std::string label;
  int line = 0;
};

struct list_item {
  std::string value;
  field_ref field;
};

struct string_list {
  std::vector<list_item> items;  // the elements that are strings
  std::size_t size = 0;          // all elements, strings or not
  int line = 0;
  std::string label;             // "school_terms[1]" for an inner list, else the key
};

int line_of(const toml::node& node);
// 'text', with control characters escaped and long values cut, so a message stays one line.
std::string quoted(std::string_view text);
// A message from another module that may echo configured text: control characters escaped.
std::string printable(std::string_view text);
std::string join(const std::set<std::string>& items);
std::string join(std::span<const std::string_view> items);

// Reads one TOML table (the broker section, an agency, a route). Reports keys it does not know
// as soon as it is made, and wrong types as each key is read; getters return nullopt for an
// absent or mistyped key, so callers keep the default and carry on collecting errors.
class table_reader {
 public:
  table_reader(const toml::table& table, std::string where, diagnostics& diag,
               std::span<const std::string_view> allowed);

  const std::string& where() const { return where_; }
  int line() const { return line_; }
  bool has(std::string_view key) const;
  int line_of(std::string_view key) const;       // the key's line, or the table's when absent
  std::size_t count(std::string_view key) const;  // 0 absent, elements of an array, else 1
  const toml::node* find(std::string_view key) const;
  void error(int line, std::string_view field, std::string_view what) const;
  void error(std::string_view key, std::string_view what) const;  // at the key's line

  std::optional<list_item> string(std::string_view key) const;
  std::optional<std::int64_t> integer(std::string_view key) const;
  std::optional<double> number(std::string_view key) const;  // integer or float
  std::optional<bool> boolean(std::string_view key) const;
  std::optional<string_list> strings(std::string_view key) const;
  // An array of arrays of strings ("school_terms"). Elements that are not arrays are reported
  // and left out; each inner list is labelled by its position ("school_terms[1]").
  std::optional<std::vector<string_list>> string_lists(std::string_view key) const;

 private:
  string_list strings_in(const toml::array& array, std::string label) const;
  const toml::node* typed(std::string_view key, toml::node_type want,
                          std::string_view expected) const;
  void report_unknown_keys(std::span<const std::string_view> allowed) const;

  const toml::table& table_;
  std::string where_;
  diagnostics& diag_;
  int line_;
};

struct key_ref {
  std::string key;  // signing: the key id; curve: the Z85 text
  field_ref field;
};

struct agency_entry {
  agency value;
  std::string where;            // "agency 'school-1'", or "agency #3" without a usable id
  int line = 0;                 // the [[agency]] header
  int id_line = 0;
  bool has_id = false;          // an id was given (valid or not), so routes naming it are not "unknown"
  std::vector<key_ref> signing; // the keys that decoded, for the cross-agency checks
  std::vector<key_ref> curve;
};

struct route_entry {
  route_rule value;
  std::string where;
  std::vector<field_ref> to_fields;  // parallel to value.to
};

struct area_entry {
  area_policy value;                      // value.line: the [[area]] header
  std::string where;                      // "area 'E09000001'", or "area #2" without a code
  bool has_code = false;                  // a non-empty code was given
  int code_line = 0;
  std::optional<field_ref> front_door;    // set when a non-empty front_door was given
  std::vector<field_ref> escalation_fields;  // parallel to value.escalation
  std::vector<calendar::term> terms;      // the terms that parsed and run forwards
};

struct document {
  settings broker;
  int broker_line = 1;  // line 1 stands in for settings left at their defaults
  int listen_line = 1;
  int data_dir_line = 1;
  int control_line = 1;
  std::vector<agency_entry> agencies;
  std::vector<route_entry> routes;
  // School terms are gathered from the areas into ledger.calendar_settings by read_document.
  policy ledger;
  int policy_line = 1;
  std::vector<area_entry> areas;
  http_settings http;
  int http_line = 1;
  std::vector<http_token> tokens;
  std::vector<int> token_lines;  // parallel to tokens: each [[token]] header
};

bool is_agency_id(std::string_view id);  // [a-z0-9][a-z0-9._-]{0,63}

// [[agency]], [[route]], [[area]] and [[token]]: arrays of tables. A single [agency] is a common slip, so
// say so.
template <class F>
void for_each_table(const table_reader& r, std::string_view key, F&& read) {
  const toml::node* node = r.find(key);
  if (!node) return;
  const toml::array* array = node->as_array();
  if (!array) {
    return r.error(key, "expected an array of tables: write [[" + std::string(key) + "]]");
  }
  for (std::size_t i = 0; i < array->size(); ++i) {
    if (const toml::table* table = (*array)[i].as_table()) {
      read(*table, i);
    } else {
      r.error(line_of((*array)[i]), std::string(key) + "[" + std::to_string(i) + "]",
              "expected a table: write [[" + std::string(key) + "]]");
    }
  }
}

// config_http.cc: the [http] table and the [[token]] list.
void read_http(const table_reader& r, document& doc, diagnostics& diag);
void read_tokens(const table_reader& r, document& doc, diagnostics& diag);

void read_document(const toml::table& root, document& doc, diagnostics& diag);
// Checks across records; expects broker.data_dir already resolved.
void check_document(const document& doc, diagnostics& diag);

}  // namespace mab::config::detail

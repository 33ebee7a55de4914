// The housing adapter's rules: tenancy and address events (CSV) in, one housing_change per child
// per event out, each postcode resolved to its local authority through a lookup table so that a
// move across a boundary reaches the new area's front door and, for a child mabd's ledger already
// places in the old area, opens a transfer (the ledger goes by the area it last saw the child in,
// not by previous_area).
// Free of I/O except through the kit's state and a send callback, so the decisions are testable
// without a broker.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "adapters/kit/kit.h"
#include "daemon/common/result.h"
#include "mab/v1/notification.pb.h"

namespace mab::housing {

// ---- CSV (RFC 4180, one record per line) ----
// Splits one line into fields. A field may be quoted ("12, High Street"), with "" for a quote
// inside; whitespace around a field outside its quotes is dropped. A quoted field may not span
// lines: an unterminated quote is an error for that line alone, so one broken row cannot swallow
// the rows after it. The error names the 1-based column and the fault.
result<std::vector<std::string>> split_csv(std::string_view line);

// ---- postcodes ----
// A UK postcode in canonical form: upper case, no inner spaces but one before the 3-character
// inward code ("sw1a1aa", " Sw1A  1aa" -> "SW1A 1AA"); nullopt when it is not shaped like one.
std::optional<std::string> normalise_postcode(std::string_view text);
// An outward code alone ("sw1a" -> "SW1A"); nullopt when it is not shaped like one.
std::optional<std::string> normalise_outward(std::string_view text);

// The postcode -> local authority (ONS code) table, CSV with header `postcode,la_code`. Each row
// names a full postcode or an outward code. Lookup never guesses: a full postcode's own row, else
// its outward code's row, else nothing.
class postcode_table {
 public:
  // Every bad row is reported, each as "<name>:<line>: <column>: <rule>"; an empty table is an
  // error too.
  static result<postcode_table> parse(std::istream& in, const std::string& name);
  static result<postcode_table> load(const std::string& path);

  // `postcode` must be normalised (normalise_postcode).
  std::optional<std::string> area_of(const std::string& postcode) const;
  std::size_t size() const { return full_.size() + outward_.size(); }

 private:
  std::map<std::string, std::string> full_;
  std::map<std::string, std::string> outward_;
};

// [housing] in the adapter's config file.
struct settings {
  std::string postcode_table_path;  // absolute
  postcode_table postcodes;
  // Moves and temporary placements of the household this many days before an event count
  // towards its moves_last_12_months.
  std::uint32_t moves_window_days = 365;
};
// postcode_table (required; relative paths against the config file's folder; the table is loaded
// here, so a bad row is a start-up error naming its file and line) and moves_window_days
// (optional, 1..3660). Unknown keys are errors; all errors come back at once.
result<settings> load_settings(const toml::table& extra, const std::string& config_file);

// ---- rows ----
enum class event_type { move, temporary_accommodation, homeless_application, new_household_member };

struct address {
  std::string line1;
  std::string town;
  std::string postcode;  // normalised; empty when not known
  bool empty() const { return line1.empty() && town.empty() && postcode.empty(); }
};

struct row {
  std::string event_id;
  event_type type = event_type::move;
  std::string effective_date;  // YYYY-MM-DD
  std::string household_id;
  std::string upn;         // upper case; at least one of upn and nhs_number
  std::string nhs_number;  // digits only
  std::string given_name;
  std::string family_name;
  std::string date_of_birth;
  address previous;  // may be empty except for a move
  address next;      // where the child lives now; postcode required
};

inline constexpr const char* header =
    "event_id,event_type,effective_date,household_id,upn,nhs_number,given_name,family_name,"
    "date_of_birth,previous_line1,previous_town,previous_postcode,new_line1,new_town,new_postcode";
inline constexpr std::size_t column_count = 15;
// A header line as compared with `header` (and the table's): without a byte-order mark, blanks
// or quotes, in lower case, since spreadsheet exports vary in all of these.
std::string loose_header(std::string_view line);

// One split data line; the error is the reason, starting with the column it concerns
// ("event_type: must be one of move, temporary_accommodation, ...").
result<row> parse_row(const std::vector<std::string>& fields);

struct areas {
  std::string previous;  // empty when the row has no previous postcode
  std::string next;
};
// Both postcodes through the table; a postcode that does not resolve is an error naming it and
// its column.
result<areas> resolve(const row& r, const postcode_table& table);

// ---- household history (kit state entity "household/<household_id>") ----
struct household {
  // Moves and temporary placements seen for the household: event_id -> effective_date.
  std::map<std::string, std::string> placements;

  // Remembers `r` when it is a move or a temporary placement (once per event, whichever child).
  void record(const row& r);
  // Placements other than `event_id` dated from `window_days` before `date` up to `date`.
  std::uint32_t placements_before(const std::string& event_id, const std::string& date,
                                  std::uint32_t window_days) const;

  std::string to_json() const;
  static result<household> from_json(const std::string& text);
};

// ---- decisions ----
// "<event_id>/upn:<UPN>", or "<event_id>/nhs:<NHS number>" when the row has no UPN.
std::string source_key(const row& r);
// The housing_change for one child: subject.area is where the child now lives (new_area);
// out_of_area_placement is temporary accommodation outside `own_area`; `window_days` is the span
// moves_last_12_months was counted over, as the summary sentence states it.
mab::v1::Notification notification(const row& r, const areas& a, const std::string& own_area,
                                   std::uint32_t moves_last_12_months,
                                   std::uint32_t window_days = 365);

using kit::send_fn;

// Processes housing event exports against the kit's state. Households touched by a file are
// saved in one transaction at its end (unless `persist` is false: dry run), so an interrupted
// file is simply processed again. moves_last_12_months counts what earlier files and earlier
// rows showed. A row repeating an earlier row's event and child in the same input is a reject.
class processor {
 public:
  processor(settings s, std::string own_area, kit::state& st, kit::rejects& rj, kit::summary& sum,
            send_fn send, bool persist, std::uint64_t progress_every = 100000);
  // An error means the run cannot go on (state file, broker connection).
  status process(const std::string& name, std::istream& in);
  status process_file(const std::string& path);

 private:
  result<household*> load(const std::string& id, std::map<std::string, household>& touched);
  void reject(const std::string& file, std::uint64_t line, const std::string& reason);

  settings settings_;
  std::string own_area_;
  kit::state& state_;
  kit::rejects& rejects_;
  kit::summary& summary_;
  send_fn send_;
  bool persist_;
  std::uint64_t progress_every_;
};

}  // namespace mab::housing

// The adapter kit: what every reference adapter (school attendance, ...) shares on top of the
// SDK. Deterministic message ids (so a source record always maps to the same notification and
// the broker answers DUPLICATE on a re-send), a small persistent state file, a reject file, a
// run summary, a sender that does dry runs and records outcomes, a drop-folder watcher, and
// the adapter configuration file.
//
// Errors come back as values (result<T>); nothing here throws across the API.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "adapters/sdk/client.h"
#include "daemon/common/result.h"
#include "mab/v1/notification.pb.h"

namespace mab::kit {

// ---- message ids (message_id.cc) ----
// A version-5-style UUID (RFC 4122 layout, version nibble 5, variant 10) from the first 16
// bytes of SHA-256("mab-adapter\n" + adapter + "\n" + source_key); lowercase.
std::string message_id_for(std::string_view adapter, std::string_view source_key);

// ---- persistent state (state.cc) ----
// Its own SQLite file. Every write is transactional; in_transaction groups several.
struct sent_record {
  std::string message_id;
  std::string status;  // "ACCEPTED", "DUPLICATE", "REJECTED:<REASON>"
};

class state {
 public:
  static result<std::unique_ptr<state>> open(const std::string& path);
  ~state();
  state(const state&) = delete;
  state& operator=(const state&) = delete;

  // Source keys already sent (with their message id and final status).
  result<std::optional<sent_record>> sent(const std::string& source_key);
  status record_sent(const std::string& source_key, const sent_record& r);

  // Per-entity JSON text (e.g. a pupil's running counts); nullopt when never stored.
  result<std::optional<std::string>> entity(const std::string& key);
  status put_entity(const std::string& key, const std::string& json);

  // Drop-folder files fully processed, by a fingerprint (name, size, modification time).
  result<bool> file_done(const std::string& fingerprint);
  status mark_file_done(const std::string& fingerprint, const std::string& outcome);

  // Runs `body` inside one transaction: committed when it returns ok, rolled back otherwise.
  status in_transaction(const std::function<status()>& body);

 private:
  struct impl;
  explicit state(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

// ---- rejects (rejects.cc) ----
// Appends "<file>:<line>: <reason>" lines to a reject file (created 0600) and counts them.
class rejects {
 public:
  static result<std::unique_ptr<rejects>> open(const std::string& path);
  ~rejects();
  rejects(const rejects&) = delete;
  rejects& operator=(const rejects&) = delete;

  // line 0 means "the whole file" and is written as "<file>: <reason>".
  void add(const std::string& file, std::uint64_t line, const std::string& reason);
  std::uint64_t count() const { return count_; }
  const std::string& path() const { return path_; }

 private:
  rejects(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_ = -1;
  std::uint64_t count_ = 0;
};

// ---- summary and progress (summary.cc) ----
struct summary {
  std::uint64_t rows_read = 0;
  std::uint64_t sent = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t skipped = 0;
  std::uint64_t rejected = 0;
  // "rows_read=10 sent=2 duplicates=0 skipped=1 rejected=3"
  std::string text() const;
  // What happened between two snapshots of one run (e.g. one file of a watch).
  summary operator-(const summary& earlier) const;
};

// Writes "<label>: <n> rows" to `err` every `every` rows (0: never).
class progress {
 public:
  progress(std::ostream& err, std::string label, std::uint64_t every)
      : err_(err), label_(std::move(label)), every_(every) {}
  void row();
  std::uint64_t rows() const { return rows_; }

 private:
  std::ostream& err_;
  std::string label_;
  std::uint64_t every_;
  std::uint64_t rows_ = 0;
};

// ---- sender (sender.cc) ----
enum class outcome { sent, duplicate, skipped, rejected };

class sender {
 public:
  // `client` null means dry run: each notification is printed to `dry_out` as one protobuf
  // JSON line (proto field names) and nothing is sent or recorded.
  sender(std::string adapter, state& st, rejects& rj, summary& sum, sdk::client* client,
         std::ostream& dry_out, std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Sends `n` for `source_key` (its message_id becomes message_id_for(adapter, source_key)).
  // A key already recorded as sent is skipped without contacting the broker. ACCEPTED counts
  // as sent, DUPLICATE (and DUPLICATE_CONFLICT, which for a deterministic id means the broker
  // already has this record) as a duplicate; REJECTED goes to the reject file at `file`:`line`
  // with the reason code, field and detail. An error means the outcome is unknown (no
  // connection): stop, and run again later; nothing is recorded for this key.
  result<outcome> send(const std::string& source_key, mab::v1::Notification n,
                       const std::string& file, std::uint64_t line);

  bool dry_run() const { return client_ == nullptr; }
  // Connects a sender built before its client existed (run_app validates the adapter's
  // configuration before it connects).
  void use_client(sdk::client* client) { client_ = client; }

 private:
  std::string adapter_;
  state& state_;
  rejects& rejects_;
  summary& summary_;
  sdk::client* client_;
  std::ostream& dry_out_;
  std::chrono::milliseconds timeout_;
};

// What an adapter's decisions call to send one notification for one source record: the
// sender's send() in a run, a recording fake in tests.
using send_fn = std::function<result<outcome>(const std::string& source_key,
                                              mab::v1::Notification n, const std::string& file,
                                              std::uint64_t line)>;

// ---- drop folder (watch.cc) ----
// Handles one file; an error stops the watch (the file is not marked done, so it is retried).
using file_handler = std::function<status(const std::string& path)>;

// One pass: every regular file directly in `folder` not yet recorded in `st`, oldest first
// (modification time, then name). Names containing '/', '\\' or ".." and symbolic links are
// refused (a reject, recorded so they are reported once); hidden files (".name") are ignored as
// uploads in progress. Returns the number of files handled. `record` false (a dry run) leaves
// the state untouched.
result<std::uint64_t> watch_once(const std::string& folder, state& st, rejects& rj,
                                 const file_handler& handle, bool record = true);
// Repeats watch_once every `interval` until `stop` is set (checked at least every 100 ms).
status watch(const std::string& folder, std::chrono::milliseconds interval,
             const std::atomic<bool>& stop, state& st, rejects& rj, const file_handler& handle);

// ---- configuration (config.cc) ----
// [broker]: the SDK adapter keys (agency, endpoint, broker_curve_key, broker_signing_key,
// signing_key_file, curve_secret_key_file, optional heartbeat_seconds); relative paths resolve
// against the file's folder. [adapter]: state_file, reject_file (required), drop_folder
// (optional), area (required, an ONS LA code such as E09000001). Tables named in
// `extra_tables` are left to the adapter (in `extra`); any other table or key is an error.
struct config {
  std::string path;
  sdk::options broker;
  std::string state_file;
  std::string reject_file;
  std::string drop_folder;  // empty when absent
  std::string area;
  toml::table extra;        // the adapter's own tables
};

// Collects "file:line: field: rule" errors so all are reported at once.
class config_errors {
 public:
  explicit config_errors(std::string file) : file_(std::move(file)) {}
  void at(const toml::node& node, std::string_view field, std::string_view rule);
  void missing(std::string_view field);
  // Appends already formatted error lines (e.g. from sdk::read_options).
  void merge(const std::string& lines);
  bool empty() const { return text_.empty(); }
  const std::string& text() const { return text_; }

 private:
  std::string file_;
  std::string text_;
};

result<config> load_config(const std::string& path, const std::set<std::string>& extra_tables);

// ---- the adapter program (app.cc) ----
// Everything an adapter's main() would otherwise repeat: the command line
//   <name> --config F [--dry-run] FILE...    one-shot
//   <name> --config F [--dry-run] --watch [--interval S]    the drop folder until SIGINT/SIGTERM
// loading and validating the configuration, opening the state and reject files, connecting (not
// in a dry run), the watch loop, the summary line on stderr and the exit status: 0 it ran
// (rejects are in the reject file), 1 it could not (configuration, state file, connection), 64
// usage. The adapter supplies only what differs: its own tables and a handler for one file.
struct app_context {
  const config& cfg;
  state& st;
  rejects& rj;
  summary& sum;
  sender& out;   // message ids are message_id_for("<adapter>:<agency>", source key)
  bool dry_run;  // record nothing in the state file

  // out.send as a send_fn, for the adapter's processor.
  send_fn send() const {
    return [&o = out](const std::string& key, mab::v1::Notification n, const std::string& file,
                      std::uint64_t line) { return o.send(key, std::move(n), file, line); };
  }
};

struct app_spec {
  std::string name;         // "mab-school": the program, and the prefix of its messages
  std::string adapter;      // "school": part of every message id
  std::string description;  // the first line of --help
  std::set<std::string> extra_tables;
  // Reads the adapter's tables from ctx.cfg.extra and returns the handler for one input file;
  // an error is a configuration problem (exit 1). Runs after the state file opened and before
  // connecting, so a bad configuration fails fast.
  std::function<result<file_handler>(app_context& ctx)> setup;
  // Optional: the order to process the files named on the command line (mab-school takes pupil
  // exports before registers, so concerns carry the pupils' details). Default: as given.
  std::function<std::vector<std::string>(const std::vector<std::string>&)> order_files;
};

int run_app(const app_spec& spec, int argc, char** argv);

}  // namespace mab::kit

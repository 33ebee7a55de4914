// A sandbox for scenario tests: a temporary folder with fresh keys for a broker and its
// agencies, a real mabd process started from it on an ephemeral loopback port, SDK clients
// and mabctl runs against it. Everything it starts it stops, and the folder is removed.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "adapters/sdk/client.h"
#include "daemon/crypto/crypto.h"

namespace mab::testing {

struct agency_keys {
  std::string id;
  std::string kind;
  std::string area;
  std::vector<std::string> may_send;
  crypto::signing_key_pair sign;
  crypto::curve_key_pair curve;
  std::string adapter_config;  // path of its adapter TOML (written by start())
};

struct run_result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class sandbox {
 public:
  sandbox();
  ~sandbox();
  sandbox(const sandbox&) = delete;
  sandbox& operator=(const sandbox&) = delete;

  agency_keys& add_agency(const std::string& id, const std::string& kind, const std::string& area,
                          std::vector<std::string> may_send);
  // Raw TOML appended to the config: [[route]] tables, extra [broker] lines via broker_extra.
  std::string routes;
  std::string broker_extra;

  void write_config();
  // The SDK config of every agency (start() writes them; call again for one added later).
  void write_adapter_configs() const;
  // Starts mabd and waits until it is listening; ASSERTs on failure (call via ASSERT_NO_FATAL_FAILURE).
  void start();
  // Sends `sig` and waits; returns the exit status (or 128 + signal).
  int stop(int sig = 15);
  bool running() const { return pid_ > 0; }
  // Sends `sig` (SIGHUP: reload) without waiting for mabd to exit.
  void signal(int sig) const;
  std::string log() const;

  sdk::options options_for(const std::string& id) const;
  std::unique_ptr<sdk::client> client(const std::string& id) const;
  // Runs mabctl with `args`, feeding `input` on stdin.
  run_result mabctl(const std::vector<std::string>& args, const std::string& input = "") const;
  // Runs mabd with `args` (for --validate-config and the like), not as the sandbox's daemon.
  run_result mabd(const std::vector<std::string>& args) const;
  // Runs any program (an adapter) with `args`, feeding `input` on stdin.
  run_result run(const std::string& exe, const std::vector<std::string>& args,
                 const std::string& input = "") const;
  // Writes an adapter-kit configuration for agency `id` (after start(): it needs the endpoint):
  // [broker] with the agency's keys, [adapter] with a state file, reject file and drop folder
  // under dir()/adapters/<id>/ and the agency's area, then `extra` (the adapter's own tables)
  // verbatim. Returns the file's path.
  std::string kit_config(const std::string& id, const std::string& extra = "") const;
  // The state, reject and drop-folder paths kit_config() used for `id`.
  std::string kit_dir(const std::string& id) const { return dir_ + "/adapters/" + id; }

  const std::string& dir() const { return dir_; }
  const std::string& endpoint() const { return endpoint_; }
  std::string config_path() const { return dir_ + "/mabd.toml"; }
  const crypto::signing_key_pair& broker_signing() const { return broker_sign_; }

  // The operator API (HTTPS on an ephemeral loopback port, self-signed certificate), set by
  // start(). Tokens exist for each role ("viewer", "operator", "auditor", "admin"), named
  // "test-<role>" in the config; mabctl() runs with MAB_TOKEN set to the operator's.
  const std::string& http_url() const { return http_url_; }
  std::string http_cert() const { return dir_ + "/keys/http.crt"; }
  const std::string& token(const std::string& role) const;
  std::string token_file(const std::string& role) const { return dir_ + "/keys/" + role + ".token"; }
  const agency_keys& agency(const std::string& id) const;

 private:
  std::string dir_;
  std::string endpoint_;
  std::string listen_ = "tcp://127.0.0.1:*";
  crypto::signing_key_pair broker_sign_;
  crypto::curve_key_pair broker_curve_;
  std::vector<agency_keys> agencies_;
  pid_t pid_ = -1;
  struct role_token {
    std::string role;
    std::string secret;
    std::string sha256_hex;
  };
  std::vector<role_token> tokens_;
  std::string http_url_;
  int http_port_ = 0;
};

// Whole-file helpers for the inputs and outputs scenario tests hand to real programs.
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);

// A notification that passes every content rule, from `sender`, about a child in `area`.
mab::v1::Notification attendance_concern(const std::string& sender, const std::string& area);

// Every notification delivered to `c` until it has been quiet for `quiet`, in order; deliveries
// are acknowledged unless `ack` is false, and notices confirmed.
std::vector<mab::v1::Notification> drain(sdk::client& c, std::chrono::milliseconds quiet,
                                         bool ack = true);

// Receives until `pred` holds for an event or `timeout` passes; returns the events seen.
std::vector<sdk::event> receive_for(sdk::client& c, std::chrono::milliseconds timeout,
                                    std::size_t want);

}  // namespace mab::testing

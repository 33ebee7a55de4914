#include "tests/integration/harness.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "daemon/http/http.h"
#include "daemon/wire/wire.h"

namespace fs = std::filesystem;

namespace mab::testing {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void spit(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

std::string list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const auto& i : items) out += (out.size() > 1 ? ", \"" : "\"") + i + "\"";
  return out + "]";
}

// fork/exec with stdin, stdout and stderr redirected to files; returns the child's pid.
pid_t spawn(const std::string& exe, const std::vector<std::string>& args, const std::string& in,
            const std::string& out, const std::string& err,
            const std::vector<std::pair<std::string, std::string>>& env = {}) {
  std::vector<std::string> argv_s{exe};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    const int i = open(in.c_str(), O_RDONLY);
    const int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int e = open(err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (i < 0 || o < 0 || e < 0) _exit(127);
    dup2(i, 0);
    dup2(o, 1);
    dup2(e, 2);
    for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
    execv(exe.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

int wait_status(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

run_result run_program(const std::string& dir, const std::string& exe, const std::vector<std::string>& args,
               const std::string& input,
               const std::vector<std::pair<std::string, std::string>>& env = {}) {
  static int counter = 0;
  const std::string base = dir + "/run" + std::to_string(++counter);
  spit(base + ".in", input);
  std::remove((base + ".err").c_str());
  const pid_t pid = spawn(exe, args, base + ".in", base + ".out", base + ".err", env);
  run_result r;
  r.exit_code = wait_status(pid);
  r.out = slurp(base + ".out");
  r.err = slurp(base + ".err");
  return r;
}

}  // namespace

sandbox::sandbox() {
  char tmpl[] = "/tmp/mab-test-XXXXXX";
  const char* d = mkdtemp(tmpl);
  if (d == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = d;
  broker_sign_ = crypto::generate_signing_key();
  broker_curve_ = crypto::generate_curve_key();
  fs::create_directories(dir_ + "/keys");
  fs::create_directories(dir_ + "/adapters");
  (void)crypto::write_secret_file(dir_ + "/keys/broker.sign.key",
                                  crypto::base64_encode(broker_sign_.seed), true);
  (void)crypto::write_secret_file(dir_ + "/keys/broker.curve.key", broker_curve_.secret_z85, true);
  (void)crypto::write_public_file(dir_ + "/keys/broker.sign.pub",
                                  crypto::base64_encode(broker_sign_.public_key), true);
  (void)crypto::write_secret_file(dir_ + "/keys/subject.key",
                                  crypto::base64_encode(crypto::random_bytes(32)), true);
  // Every sandbox serves the operator API over HTTPS, as a deployment would, with one token per
  // role; mabctl's ledger commands use it.
  if (auto st = http::write_self_signed(http_cert(), dir_ + "/keys/http.key", {"127.0.0.1"}, 2);
      !st) {
    throw std::runtime_error(st.message());
  }
  for (const char* role : {"viewer", "operator", "auditor", "admin"}) {
    const auto issued = http::issue_token();
    tokens_.push_back({role, issued.secret, issued.sha256_hex});
    (void)crypto::write_secret_file(token_file(role), issued.secret + "\n", true);
  }
}

sandbox::~sandbox() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    wait_status(pid_);
  }
  std::error_code ec;
  if (!::testing::Test::HasFailure()) fs::remove_all(dir_, ec);
  else std::fprintf(stderr, "sandbox kept for inspection: %s\n", dir_.c_str());
}

agency_keys& sandbox::add_agency(const std::string& id, const std::string& kind,
                                 const std::string& area, std::vector<std::string> may_send) {
  agency_keys a;
  a.id = id;
  a.kind = kind;
  a.area = area;
  a.may_send = std::move(may_send);
  a.sign = crypto::generate_signing_key();
  a.curve = crypto::generate_curve_key();
  a.adapter_config = dir_ + "/adapters/" + id + ".toml";
  (void)crypto::write_secret_file(dir_ + "/keys/" + id + ".sign.key",
                                  crypto::base64_encode(a.sign.seed), true);
  (void)crypto::write_secret_file(dir_ + "/keys/" + id + ".curve.key", a.curve.secret_z85, true);
  agencies_.push_back(std::move(a));
  return agencies_.back();
}

const agency_keys& sandbox::agency(const std::string& id) const {
  for (const auto& a : agencies_) {
    if (a.id == id) return a;
  }
  throw std::runtime_error("no agency " + id);
}

void sandbox::write_config() {
  std::string t = "[broker]\nlisten = \"" + listen_ + "\"\ndata_dir = \".\"\n" +
                  "signing_key_file = \"keys/broker.sign.key\"\n" +
                  "curve_secret_key_file = \"keys/broker.curve.key\"\n" +
                  "subject_key_file = \"keys/subject.key\"\n" + broker_extra + "\n";
  t += "[http]\nlisten = \"127.0.0.1:" + std::to_string(http_port_) +
       "\"\ncert_file = \"keys/http.crt\"\nkey_file = \"keys/http.key\"\n\n";
  for (const auto& tok : tokens_) {
    t += "[[token]]\nname = \"test-" + tok.role + "\"\nrole = \"" + tok.role +
         "\"\nsha256 = \"" + tok.sha256_hex + "\"\n\n";
  }
  for (const auto& a : agencies_) {
    t += "[[agency]]\nid = \"" + a.id + "\"\nkind = \"" + a.kind + "\"\narea = \"" + a.area +
         "\"\nsigning_keys = [\"" + crypto::base64_encode(a.sign.public_key) +
         "\"]\ncurve_keys = [\"" + a.curve.public_z85 + "\"]\nmay_send = " + list(a.may_send) +
         "\n\n";
  }
  spit(config_path(), t + routes);
}

void sandbox::start() {
  ASSERT_LT(pid_, 0) << "mabd already running";
  write_config();
  const std::string endpoint_file = dir_ + "/mabd.endpoint";
  const std::string url_file = dir_ + "/mabd.http";
  std::remove(endpoint_file.c_str());
  std::remove(url_file.c_str());
  pid_ = spawn(MABD_PATH, {"--config", config_path()}, "/dev/null", dir_ + "/mabd.stdout",
               dir_ + "/mabd.log");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    // mabd writes the URL file after the endpoint file, once both listeners are up.
    std::string ep = slurp(endpoint_file);
    std::string url = slurp(url_file);
    if (!ep.empty() && ep.back() == '\n' && !url.empty() && url.back() == '\n') {
      endpoint_ = ep.substr(0, ep.size() - 1);
      listen_ = endpoint_;  // a restart comes back on the same ports
      http_url_ = url.substr(0, url.size() - 1);
      http_port_ = std::stoi(http_url_.substr(http_url_.rfind(':') + 1));
      break;
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      FAIL() << "mabd exited during start-up:\n" << log();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(endpoint_.empty()) << "mabd did not start in time:\n" << log();
  write_adapter_configs();
}

void sandbox::write_adapter_configs() const {
  for (const auto& a : agencies_) {
    spit(a.adapter_config,
         "agency = \"" + a.id + "\"\nendpoint = \"" + endpoint_ + "\"\nbroker_curve_key = \"" +
             broker_curve_.public_z85 + "\"\nbroker_signing_key = \"" +
             crypto::base64_encode(broker_sign_.public_key) + "\"\nsigning_key_file = \"../keys/" +
             a.id + ".sign.key\"\ncurve_secret_key_file = \"../keys/" + a.id + ".curve.key\"\n");
  }
}

int sandbox::stop(int sig) {
  if (pid_ < 0) return -1;
  kill(pid_, sig);
  const int status = wait_status(pid_);
  pid_ = -1;
  return status;
}

const std::string& sandbox::token(const std::string& role) const {
  for (const auto& t : tokens_) {
    if (t.role == role) return t.secret;
  }
  throw std::runtime_error("no token for role " + role);
}

void sandbox::signal(int sig) const {
  if (pid_ > 0) kill(pid_, sig);
}

std::string sandbox::log() const { return slurp(dir_ + "/mabd.log"); }

sdk::options sandbox::options_for(const std::string& id) const {
  auto o = sdk::load_options(agency(id).adapter_config);
  if (!o) throw std::runtime_error(o.message());
  o->heartbeat = std::chrono::milliseconds(500);
  return *o;
}

std::unique_ptr<sdk::client> sandbox::client(const std::string& id) const {
  auto c = sdk::client::connect(options_for(id));
  if (!c) throw std::runtime_error(c.message());
  return std::move(c).value();
}

run_result sandbox::mabctl(const std::vector<std::string>& args, const std::string& input) const {
  return run_program(dir_, MABCTL_PATH, args, input, {{"MAB_TOKEN", token("operator")}});
}

run_result sandbox::mabd(const std::vector<std::string>& args) const {
  return run_program(dir_, MABD_PATH, args, "");
}

run_result sandbox::run(const std::string& exe, const std::vector<std::string>& args,
                        const std::string& input) const {
  return run_program(dir_, exe, args, input);
}

std::string sandbox::kit_config(const std::string& id, const std::string& extra) const {
  const agency_keys& a = agency(id);
  const std::string folder = kit_dir(id);
  fs::create_directories(folder + "/drop");
  const std::string path = dir_ + "/adapters/" + id + ".kit.toml";
  spit(path, "[broker]\n" + slurp(a.adapter_config) + "heartbeat_seconds = 0.5\n\n[adapter]\n" +
                 "state_file = \"" + id + "/state.db\"\nreject_file = \"" + id +
                 "/rejects.txt\"\ndrop_folder = \"" + id + "/drop\"\narea = \"" + a.area +
                 "\"\n\n" + extra);
  return path;
}

std::vector<mab::v1::Notification> drain(sdk::client& c, std::chrono::milliseconds quiet,
                                         bool ack) {
  std::vector<mab::v1::Notification> got;
  for (;;) {
    auto e = c.receive(quiet);
    if (!e || !e->has_value()) return got;
    if (const auto* d = std::get_if<sdk::delivery>(&**e)) {
      if (ack) {
        EXPECT_TRUE(c.ack(*d));
      }
      got.push_back(d->notification);
    } else if (const auto* n = std::get_if<sdk::notice>(&**e)) {
      EXPECT_TRUE(c.confirm(*n));
    }
  }
}

std::string read_file(const std::string& path) { return slurp(path); }
void write_file(const std::string& path, const std::string& text) { spit(path, text); }

mab::v1::Notification attendance_concern(const std::string& sender, const std::string& area) {
  mab::v1::Notification n;
  n.set_message_id(crypto::uuid_v4());
  n.set_sender(sender);
  *n.mutable_created_at() = wire::to_timestamp(std::chrono::system_clock::now());
  auto* s = n.mutable_subject();
  s->set_upn("P207000016049");
  s->set_given_name("Ava");
  s->set_family_name("Example");
  s->set_date_of_birth("2015-05-17");
  s->set_area(area);
  auto* b = n.mutable_attendance_concern();
  b->set_kind(mab::v1::AttendanceConcern::PERSISTENT_ABSENCE);
  b->set_school_urn("100000");
  b->set_period_start("2026-09-03");
  b->set_period_end("2026-11-20");
  b->set_possible_sessions(108);
  b->set_attended_sessions(86);
  b->set_unauthorised_absences(16);
  b->set_absence_rate_percent(20.4);
  return n;
}

std::vector<sdk::event> receive_for(sdk::client& c, std::chrono::milliseconds timeout,
                                    std::size_t want) {
  std::vector<sdk::event> got;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (got.size() < want) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    auto e = c.receive(left);
    if (!e) break;
    if (e->has_value()) got.push_back(std::move(**e));
  }
  return got;
}

}  // namespace mab::testing

// The dashboard end to end: a real mabd with its HTTPS listener, a transfer scenario driven
// through real adapters' SDK clients, and Debian's Chromium (driven by playwright-core from
// dashboard.e2e.js) watching it as an operator would. The browser must see the transfer turn
// INCOMPLETE live, open its timeline, acknowledge the flag with a note and reveal the child with
// a reason; the audit trail must then hold both under the token's name ("test-operator", from
// the sandbox), and nothing under the viewer's, whose attempts are refused. Screenshots land in the build folder.
//
// Missing node, playwright-core or chromium is a failure that says what to install, never a
// skip: deploy/setup installs chromium and deploy/test runs `npm ci --prefix tests/e2e`.
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon/crypto/crypto.h"
#include "tests/integration/scenario.h"

namespace mab::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr auto k_browser_deadline = 75s;  // after the scenario starts; it normally needs ~20 s

// The first `name` on $PATH that is executable, or "".
std::string on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = dir + "/" + name;
    if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// A child process in its own process group (so the browser it starts goes with it), its output
// in `log`.
class child {
 public:
  child(const std::vector<std::string>& argv, const std::string& log) {
    std::vector<std::string> args = argv;
    std::vector<char*> raw;
    for (auto& a : args) raw.push_back(a.data());
    raw.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setpgid(0, 0);
      const int in = ::open("/dev/null", O_RDONLY);
      const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (in < 0 || out < 0) ::_exit(127);
      ::dup2(in, 0);
      ::dup2(out, 1);
      ::dup2(out, 2);
      ::execv(raw[0], raw.data());
      ::_exit(127);
    }
  }
  ~child() {
    if (pid_ > 0) {
      ::kill(-pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  // The exit status once it has exited; nullopt while it runs.
  std::optional<int> poll() {
    if (pid_ <= 0) return status_;
    int st = 0;
    if (::waitpid(pid_, &st, WNOHANG) != pid_) return std::nullopt;
    // Whatever it left behind in its group (a browser that outlived it) goes too.
    ::kill(-pid_, SIGKILL);
    pid_ = -1;
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return status_;
  }

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

class dashboard_e2e : public ::testing::Test {
 protected:
  void SetUp() override {
    node_ = on_path("node");
    ASSERT_FALSE(node_.empty())
        << "node is not installed (Node.js 20 or later is needed to drive the browser)";
    ASSERT_TRUE(fs::exists(chromium()))
        << chromium() << " is missing: install Debian's chromium package (deploy/setup does)";
    ASSERT_TRUE(fs::exists(std::string(MAB_E2E_DIR) + "/node_modules/playwright-core/package.json"))
        << "playwright-core is not installed: run `npm ci --prefix tests/e2e` (deploy/test does)";

    const std::vector<std::string> sends = {"attendance_concern", "missing_episode",
                                            "health_concern", "record_part", "transfer_notice"};
    for (const auto& [id, kind] : {std::pair{"school-a", "school"}, {"police-a", "police"},
                                   {"health-a", "health"}, {"csc-a", "csc"}}) {
      sb.add_agency(id, kind, area_a, sends);
    }
    sb.add_agency("csc-b", "csc", area_b, sends);
    sb.routes = R"(
[[route]]
name = "concerns to the front door"
bodies = ["attendance_concern", "missing_episode", "health_concern"]
to_kinds = ["csc"]

[[route]]
name = "transfers"
bodies = ["transfer_notice", "record_part"]
to_kinds = ["csc"]
allow_explicit = true

[policy]
transfer_part_due = "10s"
acknowledgement_due = "1 hour"
ack_required = ["transfer_notice", "record_part"]
expected_parts = []
flag_resend = "1 hour"

[[area]]
code = "E09000001"
front_door = "csc-a"

[[area]]
code = "E08000025"
front_door = "csc-b"

)";
    ASSERT_NO_FATAL_FAILURE(sb.start());
    for (const auto& id : {"school-a", "police-a", "health-a", "csc-a", "csc-b"}) {
      clients[id] = sb.client(id);
    }
    // The sandbox serves the operator API over HTTPS with a self-signed certificate.
    ASSERT_EQ(sb.http_url().rfind("https://127.0.0.1:", 0), 0u) << sb.http_url();
  }

  static std::string chromium() {
    const char* env = std::getenv("MAB_CHROMIUM");
    return env ? env : "/usr/bin/chromium";
  }

  mab::v1::Notification about(const std::string& sender, const std::string& area) {
    auto n = attendance_concern(sender, area);
    n.mutable_subject()->set_nhs_number("9434765919");
    return n;
  }
  void send(const std::string& sender, mab::v1::Notification n) {
    auto r = clients[sender]->send(std::move(n), receipt_timeout);
    ASSERT_TRUE(r) << r.message();
    ASSERT_EQ(r->status(), mab::v1::Receipt::ACCEPTED) << r->detail();
  }
  // Four agencies of the old area know the child, so each owes a part of the record.
  void history() {
    send("school-a", about("school-a", area_a));
    auto m = about("police-a", area_a);
    auto* e = m.mutable_missing_episode();
    e->set_police_reference("MP-E2E");
    e->set_status(mab::v1::MissingEpisode::REPORTED_MISSING);
    e->set_risk_grade(mab::v1::MissingEpisode::MEDIUM);
    send("police-a", m);
    auto h = about("health-a", area_a);
    h.mutable_health_concern()->set_kind(mab::v1::HealthConcern::EMERGENCY_INJURY);
    send("health-a", h);
    drain(*clients["csc-a"], 800ms);
  }
  void notice() {
    auto n = about("csc-a", area_b);
    auto* t = n.mutable_transfer_notice();
    t->set_transfer_id(k_transfer);
    t->set_from_area(area_a);
    t->set_to_area(area_b);
    t->set_reason("family moved");
    send("csc-a", n);
  }
  void part(const std::string& sender) {
    auto n = about(sender, area_b);
    auto* p = n.mutable_record_part();
    p->set_transfer_id(k_transfer);
    p->set_kind(mab::v1::RecordPart::CASE_SUMMARY);
    p->set_sequence(1);
    p->set_total(1);
    p->set_content_type("text/plain");
    p->set_content("summary of involvement from " + sender);
    send(sender, n);
  }

  // Waits for `file` to hold `text` while `browser` runs; false if it exits or time runs out.
  static bool wait_for_file(const std::string& file, const std::string& text, child& browser,
                            std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (read_file(file).find(text) != std::string::npos) return true;
      if (browser.poll()) return false;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  static constexpr const char* k_transfer = "T-E2E";
  static constexpr const char* k_reveal_reason = "Chasing the health record: need the NHS number";
  sandbox sb;
  std::map<std::string, std::unique_ptr<sdk::client>> clients;
  std::string node_;
};

std::vector<std::string> audit_rows(const std::string& db_path, const std::string& kind) {
  std::vector<std::string> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return out;
  }
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT data FROM audit_log WHERE kind = ? ORDER BY seq", -1, &st,
                         nullptr) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, kind.c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) {
      out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    }
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

TEST_F(dashboard_e2e, an_operator_sees_a_transfer_fall_incomplete_live_and_acknowledges_it) {
  history();
  const std::string shots = MAB_E2E_SCREENSHOTS;
  fs::create_directories(shots);
  const std::string status = sb.dir() + "/browser.status";
  const std::string log = sb.dir() + "/browser.log";
  child browser({node_, std::string(MAB_E2E_DIR) + "/dashboard.e2e.js", "--url", sb.http_url(),
                 "--token", sb.token("operator"), "--operator", "test-operator", "--viewer-token",
                 sb.token("viewer"), "--transfer", k_transfer, "--owed-by", "health-a", "--child",
                 "Ava Example", "--reveal-reason", k_reveal_reason, "--out", shots, "--status",
                 status, "--profile-parent", sb.dir()},
                log);

  // The scenario starts once the browser is watching, so what it sees arrives live.
  ASSERT_TRUE(wait_for_file(status, "watching", browser, 30s))
      << "the browser did not get to the transfers list:\n" << read_file(log);
  notice();
  drain(*clients["csc-b"], 500ms);
  part("school-a");
  part("police-a");
  part("csc-a");
  drain(*clients["csc-b"], 500ms);  // the new area acknowledges the three parts
  // health-a never sends: its part falls overdue after 10 s and INCOMPLETE is raised.

  std::optional<int> exit;
  const auto deadline = std::chrono::steady_clock::now() + k_browser_deadline;
  while (!(exit = browser.poll()) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);
  }
  const std::string out = read_file(log);
  ASSERT_TRUE(exit.has_value()) << "the browser run did not finish in time:\n" << out;
  ASSERT_EQ(*exit, 0) << out;
  for (const char* name : {"overview.png", "overview-2560.png", "transfer.png", "agencies.png"}) {
    EXPECT_GT(fs::file_size(shots + "/" + name), 10000u) << name;
  }

  // The browser says which flag it acknowledged and with what note.
  const std::string marker = "acknowledged flag ";
  const auto at = out.rfind(marker);
  ASSERT_NE(at, std::string::npos) << out;
  std::istringstream said(out.substr(at + marker.size()));
  std::uint64_t flag_id = 0;
  std::string word;
  said >> flag_id >> word;
  ASSERT_EQ(word, "note");
  std::string note;
  std::getline(said >> std::ws, note);
  ASSERT_GT(flag_id, 0u);
  ASSERT_FALSE(note.empty());

  // The audit trail, straight from the store after mabd has sealed it: the acknowledgement is
  // there under the token's name, with the hash of exactly that note, and the chain verifies.
  ASSERT_EQ(sb.stop(), 0);
  const auto verify = sb.mabctl({"audit", "verify", "--mabd-config", sb.config_path()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  bool found = false;
  for (const auto& row : audit_rows(sb.dir() + "/mab.db", "flag.acknowledged")) {
    const auto j = nlohmann::json::parse(row);
    if (j.value("flag_id", std::uint64_t{0}) != flag_id) continue;
    found = true;
    EXPECT_EQ(j.value("by", ""), "test-operator") << row;
    EXPECT_EQ(j.value("note_sha256", ""), crypto::to_hex(crypto::sha256(note))) << row;
  }
  EXPECT_TRUE(found) << "no flag.acknowledged entry for flag " << flag_id;
  // The reveal is there too, with who and why; the viewer's attempts were refused, so nothing
  // was recorded in its name.
  const auto reveals = audit_rows(sb.dir() + "/mab.db", "subject.revealed");
  ASSERT_EQ(reveals.size(), 1u);
  const auto revealed = nlohmann::json::parse(reveals[0]);
  EXPECT_EQ(revealed.value("by", ""), "test-operator");
  EXPECT_EQ(revealed.value("reason", ""), k_reveal_reason);
  for (const auto& row : audit_rows(sb.dir() + "/mab.db", "flag.acknowledged")) {
    EXPECT_EQ(row.find("test-viewer"), std::string::npos) << row;
  }
}

}  // namespace
}  // namespace mab::testing

// The operator API's test fixture: a real broker on a real SQLite store in a temporary folder,
// a fake clock, and the API's routes on a router, called the way the server calls it (the raw
// target parsed by http's own rules, then dispatched with a bearer token of each role).
//
// busy_ledger() drives real work through the broker: three children known to two agencies of
// area E1 move to E2, so three transfers open with the parts the old area owes; a day later the
// parts are overdue (INCOMPLETE) and the new front door's acknowledgements are due soon.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon/api/api.h"
#include "daemon/http/target.h"
#include "tests/fakes/failing_store.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/test_config.h"

namespace mab::api {

using namespace std::chrono_literals;
using nlohmann::json;

inline constexpr http::role k_roles[] = {http::role::viewer, http::role::operator_role,
                                         http::role::auditor, http::role::admin};

inline std::string secret_of(http::role r) { return "mab_api-test-" + std::string(http::name(r)); }
inline std::string token_name(http::role r) { return "duty-" + std::string(http::name(r)); }

// The child everyone knows best: real check digits, so every identifier is kept.
inline constexpr const char* k_upn = "P207000016049";
inline constexpr const char* k_nhs = "9434765919";

class api_test : public ::testing::Test {
 protected:
  static testing::test_config make_config() {
    testing::test_config tc;
    const std::vector<std::string> sends = {"attendance_concern", "health_concern",
                                            "transfer_notice", "record_part"};
    tc.agency("school-a", "school", "E1", sends)
        .agency("health-a", "health", "E1", sends)
        .agency("csc-a", "csc", "E1", sends)
        .agency("mash-a", "mash", "E1", {})
        .agency("csc-b", "csc", "E2", sends)
        .broker("audit_checkpoint_entries = 5\naudit_checkpoint_seconds = 3600.0\n"
                "retry_initial_seconds = 600.0\nretry_max_seconds = 600.0\n"
                "consumer_timeout_seconds = 100000.0\n")
        .routes(R"(
[[route]]
bodies = ["attendance_concern", "health_concern"]
to_kinds = ["csc"]

[[route]]
bodies = ["transfer_notice", "record_part"]
to_kinds = ["csc"]
allow_explicit = true

[policy]
transfer_part_due = "1 day"
acknowledgement_due = "2 days"
ack_required = ["transfer_notice", "record_part"]
expected_parts = [["HEALTH_RECORD", "health", "always"]]
due_soon_fraction = 0.5
flag_resend = "30 days"

[[area]]
code = "E1"
front_door = "csc-a"
escalation = ["mash-a"]

[[area]]
code = "E2"
front_door = "csc-b"
)");
    return tc;
  }

  api_test() {
    cfg = tc.build();
    char tmpl[] = "/tmp/mab-api-test-XXXXXX";
    dir = mkdtemp(tmpl);
    real = std::move(store::open_sqlite({dir + "/mab.db", false})).value();
    st = std::make_unique<testing::failing_store>(*real);
    cal = std::make_unique<calendar::calendar>(
        std::move(calendar::calendar::make(cfg.ledger.calendar_settings)).value());
    b = std::make_unique<broker::broker>(cfg, *st, clk, broker_signer, keyer, *cal);
    add_routes(router, *b, cfg);
    for (http::role r : k_roles) {
      tokens.push_back({token_name(r), http::hash_token(secret_of(r)), r});
    }
  }
  ~api_test() override {
    b.reset();
    st.reset();
    real.reset();
    std::filesystem::remove_all(dir);
  }

  // ---- HTTP, as the server would do it ----

  // `target` is raw ("/api/v1/flags?state=raised"); `secret` empty sends no Authorization.
  http::response call(const std::string& method, const std::string& target,
                      const std::string& secret, const std::string& body = "") {
    http::request req;
    req.method = method;
    if (auto bad = http::detail::parse_target(target, req)) return *bad;
    req.body = body;
    if (!body.empty()) req.content_type = "application/json";
    return router.dispatch(std::move(req), secret.empty() ? "" : "Bearer " + secret, tokens);
  }
  http::response get(const std::string& target, http::role as = http::role::viewer) {
    return call("GET", target, secret_of(as));
  }
  http::response post(const std::string& target, const std::string& body,
                      http::role as = http::role::operator_role) {
    return call("POST", target, secret_of(as), body);
  }
  // The JSON body of a 200 answer (a failure otherwise).
  json ok(const http::response& r) {
    EXPECT_EQ(r.status, 200u) << r.body;
    auto j = json::parse(r.body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.body;
    return j;
  }
  // The error code of an error answer with `status`.
  std::string error(const http::response& r, unsigned status) {
    EXPECT_EQ(r.status, status) << r.body;
    auto j = json::parse(r.body, nullptr, false);
    if (j.is_discarded() || !j.contains("error")) return "(not an error: " + r.body + ")";
    return j["error"]["code"].get<std::string>() + ": " + j["error"]["message"].get<std::string>();
  }

  // ---- the broker, in-process ----

  mab::v1::Notification concern(const std::string& sender, const std::string& area) {
    mab::v1::Notification n;
    n.set_message_id(crypto::uuid_v4());
    n.set_sender(sender);
    *n.mutable_created_at() = wire::to_timestamp(clk.now());
    auto* s = n.mutable_subject();
    s->set_upn(k_upn);
    s->set_nhs_number(k_nhs);
    s->set_given_name("Ava");
    s->set_family_name("Example");
    s->set_date_of_birth("2015-05-17");
    s->set_preferred_language("pl");
    s->set_interpreter_required(true);
    s->set_area(area);
    auto* a = n.mutable_attendance_concern();
    a->set_kind(mab::v1::AttendanceConcern::PERSISTENT_ABSENCE);
    a->set_school_urn("100000");
    a->set_period_start("2026-09-03");
    a->set_period_end("2026-11-20");
    a->set_possible_sessions(108);
    a->set_attended_sessions(86);
    return n;
  }
  // Another child, known only by a local id.
  mab::v1::Notification other_child(const std::string& sender, const std::string& local_id,
                                    const std::string& area) {
    auto n = concern(sender, area);
    auto* s = n.mutable_subject();
    s->clear_upn();
    s->clear_nhs_number();
    s->set_given_name("Other");
    auto* id = s->add_local_ids();
    id->set_system("csc:E1");
    id->set_value(local_id);
    return n;
  }
  mab::v1::Notification transfer_notice(mab::v1::Notification about, const std::string& id) {
    about.set_message_id(crypto::uuid_v4());
    about.set_sender("csc-a");
    about.mutable_subject()->set_area("E2");
    auto* t = about.mutable_transfer_notice();
    t->set_transfer_id(id);
    t->set_from_area("E1");
    t->set_to_area("E2");
    t->set_reason("family moved");
    return about;
  }

  // Submits `n` as its sender and runs a cycle; true when it was accepted.
  bool submit(const mab::v1::Notification& n) {
    const auto signer = tc.signer_of(n.sender());
    b->on_message("p-" + n.sender(), n.sender(),
                  wire::make_frames(wire::cmd::submit,
                                    wire::serialize(wire::sign_notification(signer, n))));
    b->run_cycle();
    for (const auto& o : b->take_outgoing()) {
      if (o.frames[1] != wire::cmd::receipt) continue;
      mab::v1::Sealed s;
      mab::v1::Receipt r;
      if (s.ParseFromString(o.frames[2]) &&
          wire::open_sealed(s, wire::sealed_type::receipt, broker_signer.public_key(), r)) {
        EXPECT_EQ(r.status(), mab::v1::Receipt::ACCEPTED) << r.detail();
        return r.status() == mab::v1::Receipt::ACCEPTED;
      }
    }
    ADD_FAILURE() << "no receipt";
    return false;
  }
  void ready(const std::string& agency) {
    b->on_message("p-" + agency, agency, wire::make_frames(wire::cmd::ready));
  }
  // `agency` acknowledges `message_id` (already delivered to it) and a cycle records it.
  void ack(const std::string& agency, const std::string& message_id) {
    mab::v1::Ack a;
    a.set_message_id(message_id);
    a.set_recipient(agency);
    const auto signer = tc.signer_of(agency);
    b->on_message("p-" + agency, agency,
                  wire::make_frames(wire::cmd::ack, wire::serialize(wire::seal(
                                                        signer, wire::sealed_type::ack, a))));
    b->run_cycle();
    b->take_outgoing();
  }
  void cycle() {
    b->run_cycle();
    b->take_outgoing();
  }

  // The scenario in the header comment. csc-a acknowledges the first concern after 30 s and the
  // second after 90 s; nothing else is acknowledged.
  void busy_ledger() {
    ready("csc-a");
    ready("csc-b");
    const auto first = concern("school-a", "E1");
    ASSERT_TRUE(submit(first));
    clk.advance(30s);
    ack("csc-a", first.message_id());
    auto health = concern("health-a", "E1");
    health.mutable_subject()->clear_upn();
    health.clear_attendance_concern();
    health.mutable_health_concern()->set_kind(mab::v1::HealthConcern::EMERGENCY_INJURY);
    ASSERT_TRUE(submit(health));
    clk.advance(90s);
    ack("csc-a", health.message_id());
    ASSERT_TRUE(submit(other_child("school-a", "B-1", "E1")));
    ASSERT_TRUE(submit(other_child("school-a", "C-1", "E1")));
    clk.advance(1s);
    ASSERT_TRUE(submit(transfer_notice(first, "T-1")));
    clk.advance(1s);
    ASSERT_TRUE(submit(transfer_notice(other_child("school-a", "B-1", "E1"), "T-2")));
    clk.advance(1s);
    ASSERT_TRUE(submit(transfer_notice(other_child("school-a", "C-1", "E1"), "T-3")));
    clk.advance(25h);
    ready("csc-a");
    ready("csc-b");
    cycle();
  }

  json page_items(const std::string& target, http::role as = http::role::viewer) {
    return ok(get(target, as))["items"];
  }

  testing::test_config tc = make_config();
  config::config cfg;
  std::string dir;
  testing::fake_clock clk{time_point(std::chrono::sys_days(std::chrono::year{2026} / 11 / 16) + 9h)};
  crypto::signer broker_signer =
      std::move(crypto::signer::from_seed(crypto::generate_signing_key().seed)).value();
  subjects::keyer keyer = std::move(subjects::keyer::from_secret(std::string(32, 'k'))).value();
  std::unique_ptr<calendar::calendar> cal;
  std::unique_ptr<store::store> real;
  std::unique_ptr<testing::failing_store> st;
  std::unique_ptr<broker::broker> b;
  http::router router;
  std::vector<http::token> tokens;
};

}  // namespace mab::api

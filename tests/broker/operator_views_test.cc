// The broker's operator reads, in-process on a real store: message links and the audited reveal,
// audit verification and reading the trail by seq, transfer queries by agency, the overview,
// scorecards and queue depths, the readiness probe, and the metrics histograms.
#include <filesystem>

#include <gtest/gtest.h>

#include "daemon/broker/broker.h"
#include "tests/fakes/failing_store.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/test_config.h"

namespace mab::broker {
namespace {

using namespace std::chrono_literals;

class operator_views_test : public ::testing::Test {
 protected:
  static testing::test_config make_config() {
    testing::test_config tc;
    const std::vector<std::string> sends = {"attendance_concern", "transfer_notice"};
    tc.agency("school-a", "school", "E1", sends)
        .agency("csc-a", "csc", "E1", sends)
        .agency("mash-b", "mash", "E2", {})
        .agency("csc-b", "csc", "E2", sends)
        .broker("audit_checkpoint_entries = 4\nconsumer_timeout_seconds = 100000.0\n"
                "retry_initial_seconds = 600.0\nretry_max_seconds = 600.0\n")
        .routes(R"(
[[route]]
bodies = ["attendance_concern", "transfer_notice"]
to_kinds = ["csc"]

[policy]
transfer_part_due = "1 day"
ack_required = ["transfer_notice"]
acknowledgement_due = "10 days"
expected_parts = []

[[area]]
code = "E1"
front_door = "csc-a"

[[area]]
code = "E2"
front_door = "csc-b"
escalation = ["mash-b"]
)");
    return tc;
  }

  operator_views_test() {
    cfg = tc.build();
    char tmpl[] = "/tmp/mab-broker-views-XXXXXX";
    dir = mkdtemp(tmpl);
    real = std::move(store::open_sqlite({dir + "/mab.db", false})).value();
    st = std::make_unique<testing::failing_store>(*real);
    cal = std::make_unique<calendar::calendar>(
        std::move(calendar::calendar::make(cfg.ledger.calendar_settings)).value());
    b = std::make_unique<broker>(cfg, *st, clk, broker_signer, keyer, *cal);
  }
  ~operator_views_test() override {
    b.reset();
    st.reset();
    real.reset();
    std::filesystem::remove_all(dir);
  }

  mab::v1::Notification concern(const std::string& upn, const std::string& nhs,
                                const std::string& given) {
    mab::v1::Notification n;
    n.set_message_id(crypto::uuid_v4());
    n.set_sender("school-a");
    *n.mutable_created_at() = wire::to_timestamp(clk.now());
    auto* s = n.mutable_subject();
    if (!upn.empty()) s->set_upn(upn);
    if (!nhs.empty()) s->set_nhs_number(nhs);
    s->set_given_name(given);
    s->set_area("E1");
    auto* a = n.mutable_attendance_concern();
    a->set_kind(mab::v1::AttendanceConcern::PERSISTENT_ABSENCE);
    a->set_possible_sessions(100);
    a->set_attended_sessions(80);
    return n;
  }
  void submit(const mab::v1::Notification& n) {
    b->on_message("p-" + n.sender(), n.sender(),
                  wire::make_frames(wire::cmd::submit, wire::serialize(wire::sign_notification(
                                                           tc.signer_of(n.sender()), n))));
    cycle();
  }
  void cycle() {
    b->run_cycle();
    b->take_outgoing();
  }
  void ready(const std::string& agency) {
    b->on_message("p-" + agency, agency, wire::make_frames(wire::cmd::ready));
  }
  void ack(const std::string& agency, const std::string& message_id) {
    mab::v1::Ack a;
    a.set_message_id(message_id);
    a.set_recipient(agency);
    b->on_message("p-" + agency, agency,
                  wire::make_frames(wire::cmd::ack,
                                    wire::serialize(wire::seal(tc.signer_of(agency),
                                                               wire::sealed_type::ack, a))));
    cycle();
  }
  std::string key_of(const mab::v1::Notification& n) {
    return subjects::identifier_keys(keyer, n.subject()).front();
  }
  std::size_t entries_of_kind(const std::string& kind) {
    std::size_t n = 0;
    const auto all = b->audit_entries(0, 10000);
    for (const auto& e : *all) n += e.kind == kind ? 1u : 0u;
    return n;
  }

  testing::test_config tc = make_config();
  config::config cfg;
  std::string dir;
  testing::fake_clock clk;
  crypto::signer broker_signer =
      std::move(crypto::signer::from_seed(crypto::generate_signing_key().seed)).value();
  subjects::keyer keyer = std::move(subjects::keyer::from_secret(std::string(32, 'k'))).value();
  std::unique_ptr<calendar::calendar> cal;
  std::unique_ptr<store::store> real;
  std::unique_ptr<testing::failing_store> st;
  std::unique_ptr<broker> b;
};

TEST(histogram, counts_each_value_in_the_first_bucket_that_holds_it) {
  histogram h({1, 5, 15});
  for (double v : {0.5, 1.0, 1.5, 5.0, 20.0, 1000.0}) h.observe(v);
  EXPECT_EQ(h.buckets, (std::vector<std::uint64_t>{2, 2, 0, 2}));
  EXPECT_EQ(h.count, 6u);
  EXPECT_DOUBLE_EQ(h.sum, 1028.0);
}

TEST_F(operator_views_test, reveal_audits_first_then_names_the_child_from_the_latest_message) {
  const auto first = concern("P207000016049", "", "Ava");
  submit(first);
  clk.advance(1min);
  const auto second = concern("", "9434765919", "Ava");
  submit(second);  // a different identifier: a different subject, for now
  clk.advance(1min);
  const auto both = concern("P207000016049", "9434765919", "Ava-Maria");
  submit(both);    // links the two: they merge, and every message follows

  auto r = b->reveal_subject(key_of(second), "duty-operator", "strategy meeting");
  ASSERT_TRUE(r) << r.message();
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->message_id, both.message_id());
  EXPECT_EQ((*r)->subject.given_name(), "Ava-Maria");
  EXPECT_EQ((*r)->subject.upn(), "P207000016049");
  EXPECT_EQ((*r)->sender, "school-a");
  const auto trail = b->audit_entries((*r)->audit_seq - 1, 1);
  ASSERT_EQ(trail->size(), 1u);
  EXPECT_EQ((*trail)[0].kind, "subject.revealed");
  EXPECT_EQ((*trail)[0].subject_key, key_of(second));
  EXPECT_NE((*trail)[0].data.find("\"by\":\"duty-operator\""), std::string::npos);
  EXPECT_NE((*trail)[0].data.find("\"reason\":\"strategy meeting\""), std::string::npos);
  EXPECT_EQ((*trail)[0].data.find("P207000016049"), std::string::npos);
}

TEST_F(operator_views_test, reveal_reveals_nothing_it_cannot_audit) {
  const auto n = concern("P207000016049", "", "Ava");
  submit(n);
  auto unknown = b->reveal_subject("sk_" + std::string(32, '0'), "op", "looking");
  ASSERT_TRUE(unknown);
  EXPECT_FALSE(unknown->has_value());
  EXPECT_FALSE(b->reveal_subject(key_of(n), "", "no one"));
  EXPECT_FALSE(b->reveal_subject(key_of(n), "op", ""));
  st->full = true;
  EXPECT_FALSE(b->reveal_subject(key_of(n), "op", "urgent"));
  st->full = false;
  EXPECT_EQ(entries_of_kind("subject.revealed"), 0u);
  ASSERT_TRUE(b->reveal_subject(key_of(n), "op", "now it works"));
  EXPECT_EQ(entries_of_kind("subject.revealed"), 1u);
}

TEST_F(operator_views_test, a_subject_with_no_linked_message_reveals_nothing) {
  // As in a database migrated from before messages were linked: the subject and its key exist,
  // no link does.
  const auto subject = real->new_subject(clk.now());
  ASSERT_TRUE(subject);
  const std::string key = "sk_" + std::string(32, 'a');
  ASSERT_TRUE(real->map_key(key, *subject));
  auto r = b->reveal_subject(key, "op", "who is this");
  ASSERT_TRUE(r) << r.message();
  EXPECT_FALSE(r->has_value());
  EXPECT_EQ(entries_of_kind("subject.revealed"), 0u);
}

TEST_F(operator_views_test, audit_verification_reads_the_whole_trail) {
  for (int i = 0; i < 6; ++i) submit(concern("P207000016049", "", "Ava"));
  ASSERT_TRUE(b->seal_audit());
  auto report = b->verify_audit();
  ASSERT_TRUE(report) << report.message();
  EXPECT_TRUE(report->ok()) << audit::to_text(*report);
  EXPECT_EQ(report->entries, 6u);
  EXPECT_GE(report->checkpoints, 2u);
  auto head = b->audit_head_seq();
  ASSERT_TRUE(head);
  EXPECT_EQ(*head, 6u);
  // An entry appended behind the chain's back (wrong link, wrong hash) is found.
  ASSERT_TRUE(real->append_audit({7, 0, "message.accepted", "", "{}", std::string(64, '0'),
                                  std::string(64, '1')}));
  report = b->verify_audit();
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->ok());
  EXPECT_EQ(b->audit_entries(5, 10)->size(), 2u);
  EXPECT_EQ(b->audit_entries(5, 1)->at(0).seq, 6u);
}

TEST_F(operator_views_test, transfers_by_agency_include_the_receiving_front_door_and_escalation) {
  ready("csc-a");
  const auto n = concern("P207000016049", "", "Ava");
  submit(n);
  auto notice = n;
  notice.set_message_id(crypto::uuid_v4());
  notice.set_sender("csc-a");
  notice.mutable_subject()->set_area("E2");
  auto* t = notice.mutable_transfer_notice();
  t->set_transfer_id("T-1");
  t->set_from_area("E1");
  t->set_to_area("E2");
  submit(notice);
  const auto count = [&](const std::string& agency) {
    auto rows = b->transfers(broker::transfer_query{std::nullopt, "", "", agency}, {10, 0});
    EXPECT_TRUE(rows) << rows.message();
    return rows ? rows->size() : 99u;
  };
  EXPECT_EQ(count("school-a"), 1u) << "owes its part";
  EXPECT_EQ(count("csc-b"), 1u) << "front door of the new area";
  EXPECT_EQ(count("mash-b"), 1u) << "on the new area's escalation list";
  EXPECT_EQ(count("nobody"), 0u);
  EXPECT_EQ(b->transfers(std::nullopt, "", "E2", 10)->size(), 1u) << "the old form still works";

  clk.advance(25h);
  cycle();
  auto o = b->ledger_overview(10);
  ASSERT_TRUE(o) << o.message();
  EXPECT_EQ(o->counts.open_transfers, 1u);
  EXPECT_EQ(o->counts.overdue_obligations, 2u) << "school-a's and csc-a's parts";
  ASSERT_EQ(o->oldest_overdue.size(), 2u);
  for (const auto& v : o->oldest_overdue) {
    EXPECT_EQ(v.transfer_id, "T-1");
    EXPECT_EQ(v.item.flag_type, "INCOMPLETE");
  }
  const auto v = b->transfer("T-1");
  ASSERT_TRUE(v && v->has_value());
  EXPECT_EQ((*v)->flags.size(), 2u);
}

TEST_F(operator_views_test, scorecards_queue_depths_and_the_ack_latency_histogram) {
  ready("csc-a");
  const auto n = concern("P207000016049", "", "Ava");
  submit(n);
  submit(concern("P207000016049", "", "Ava"));
  clk.advance(42s);
  ack("csc-a", n.message_id());
  const auto card = b->scorecard("csc-a");
  ASSERT_TRUE(card) << card.message();
  EXPECT_EQ(card->received, 2u);
  EXPECT_EQ(card->acknowledged, 1u);
  EXPECT_EQ(card->pending, 1u);
  EXPECT_EQ(card->ack_median_seconds, 42.0);
  EXPECT_EQ(b->scorecard("school-a")->sent, 2u);
  const auto depths = b->queue_depths();
  ASSERT_TRUE(depths);
  EXPECT_EQ(depths->size(), cfg.agencies.size());
  EXPECT_EQ(depths->at("csc-a"), 1u);
  EXPECT_EQ(depths->at("school-a"), 0u);
  const auto& h = b->counters().ack_latency_seconds;
  EXPECT_EQ(h.count, 1u);
  EXPECT_DOUBLE_EQ(h.sum, 42.0);
  EXPECT_EQ(b->counters().store_commit_seconds.count, b->counters().commits);
}

TEST_F(operator_views_test, the_probe_fails_when_the_store_does) {
  EXPECT_TRUE(b->probe_store());
  st->unreadable = true;
  EXPECT_FALSE(b->probe_store());
  EXPECT_FALSE(b->ledger_overview());
  EXPECT_FALSE(b->verify_audit());
  st->unreadable = false;
  EXPECT_TRUE(b->probe_store());
}

}  // namespace
}  // namespace mab::broker

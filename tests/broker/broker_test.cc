// The broker's rules in-process: a real SQLite store in a temp folder, a fake clock, no sockets.
#include "daemon/broker/broker.h"

#include "daemon/audit/audit.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "tests/fakes/failing_store.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/test_config.h"

namespace mab::broker {
namespace {

using namespace std::chrono_literals;
using testing::fake_clock;

class broker_test : public ::testing::Test {
 protected:
  static testing::test_config make_config() {
    testing::test_config tc;
    tc.agency("school-a", "school", "E1", {"attendance_concern"})
        .agency("csc-a", "csc", "E1", {})
        .agency("police-a", "police", "E1", {})
        .broker("retry_initial_seconds = 1.0\nretry_max_seconds = 4.0\nmax_refusals = 2\n"
                "delivery_window = 2\nconsumer_timeout_seconds = 10.0\n"
                "audit_checkpoint_entries = 3\naudit_checkpoint_seconds = 60.0\n")
        .routes("[[route]]\nbodies = [\"attendance_concern\"]\nto_kinds = [\"csc\"]\n");
    return tc;
  }

  broker_test() {
    cfg = tc.build();
    char tmpl[] = "/tmp/mab-broker-test-XXXXXX";
    dir = mkdtemp(tmpl);
    real = std::move(store::open_sqlite({dir + "/mab.db", false})).value();
    st = std::make_unique<testing::failing_store>(*real);
    cal = std::make_unique<calendar::calendar>(
        std::move(calendar::calendar::make(cfg.ledger.calendar_settings)).value());
    b = std::make_unique<broker>(cfg, *st, clk, broker_signer, keyer, *cal);
  }
  ~broker_test() override {
    b.reset();
    st.reset();
    real.reset();
    std::filesystem::remove_all(dir);
  }

  mab::v1::Notification note() {
    mab::v1::Notification n;
    n.set_message_id(crypto::uuid_v4());
    n.set_sender("school-a");
    *n.mutable_created_at() = wire::to_timestamp(clk.now());
    n.mutable_subject()->set_upn("P207000016049");
    n.mutable_subject()->set_area("E1");
    auto* a = n.mutable_attendance_concern();
    a->set_kind(mab::v1::AttendanceConcern::PERSISTENT_ABSENCE);
    a->set_possible_sessions(100);
    a->set_attended_sessions(80);
    return n;
  }
  void submit(const mab::v1::Notification& n) {
    b->on_message("p-school", "school-a",
                  wire::make_frames(wire::cmd::submit,
                                    wire::serialize(wire::sign_notification(school, n))));
  }
  std::vector<outgoing> cycle() {
    b->run_cycle();
    return b->take_outgoing();
  }
  // The receipts among `out`, verified against the broker's key.
  std::vector<mab::v1::Receipt> receipts(const std::vector<outgoing>& out,
                                         std::string_view command = wire::cmd::receipt) {
    std::vector<mab::v1::Receipt> r;
    for (const auto& o : out) {
      if (o.frames[1] != command) continue;
      mab::v1::Sealed s;
      EXPECT_TRUE(s.ParseFromString(o.frames[2]));
      mab::v1::Receipt rc;
      EXPECT_TRUE(wire::open_sealed(s, wire::sealed_type::receipt, broker_signer.public_key(), rc));
      r.push_back(rc);
    }
    return r;
  }
  std::vector<mab::v1::Delivery> deliveries(const std::vector<outgoing>& out,
                                            const std::string& peer) {
    std::vector<mab::v1::Delivery> d;
    for (const auto& o : out) {
      if (o.peer != peer || o.frames[1] != wire::cmd::deliver) continue;
      d.emplace_back().ParseFromString(o.frames[2]);
    }
    return d;
  }
  std::vector<mab::v1::Notice> notices(const std::vector<outgoing>& out, const std::string& peer) {
    std::vector<mab::v1::Notice> n;
    for (const auto& o : out) {
      if (o.peer != peer || o.frames[1] != wire::cmd::notice) continue;
      n.emplace_back().ParseFromString(o.frames[2]);
    }
    return n;
  }
  void answer(const std::string& type, const std::string& message_id, const std::string& as,
              const crypto::signer& key) {
    if (type == "ack") {
      mab::v1::Ack a;
      a.set_message_id(message_id);
      a.set_recipient(as);
      b->on_message("p-" + as, as,
                    wire::make_frames(wire::cmd::ack,
                                      wire::serialize(wire::seal(key, wire::sealed_type::ack, a))));
    } else {
      mab::v1::Refusal r;
      r.set_message_id(message_id);
      r.set_recipient(as);
      r.set_reason("cannot parse");
      b->on_message("p-" + as, as,
                    wire::make_frames(wire::cmd::refuse, wire::serialize(wire::seal(
                                                             key, wire::sealed_type::refusal, r))));
    }
  }
  // csc-a refuses `n` (already delivered once) max_refusals (2) times; returns the last cycle's
  // output, which carries the dead-letter notice.
  std::vector<outgoing> refuse_until_dead(const mab::v1::Notification& n) {
    answer("refuse", n.message_id(), "csc-a", csc);
    cycle();
    clk.advance(1100ms);
    ready("csc-a");
    ready("school-a");
    EXPECT_EQ(deliveries(cycle(), "p-csc-a").size(), 1u);
    answer("refuse", n.message_id(), "csc-a", csc);
    return cycle();
  }

  void ready(const std::string& agency) {
    b->on_message("p-" + agency, agency, wire::make_frames(wire::cmd::ready));
  }

  testing::test_config tc = make_config();
  config::config cfg;
  std::string dir;
  fake_clock clk;
  crypto::signer broker_signer =
      std::move(crypto::signer::from_seed(crypto::generate_signing_key().seed)).value();
  crypto::signer school = tc.signer_of("school-a");
  crypto::signer csc = tc.signer_of("csc-a");
  subjects::keyer keyer =
      std::move(subjects::keyer::from_secret(std::string(32, 'k'))).value();
  std::unique_ptr<calendar::calendar> cal;
  std::unique_ptr<store::store> real;
  std::unique_ptr<testing::failing_store> st;
  std::unique_ptr<broker> b;
};

TEST_F(broker_test, receipt_leaves_only_after_the_commit) {
  submit(note());
  EXPECT_TRUE(b->take_outgoing().empty());
  auto r = receipts(cycle());
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status(), mab::v1::Receipt::ACCEPTED);
  EXPECT_GT(r[0].store_seq(), 0u);
}

TEST_F(broker_test, submits_in_one_cycle_share_one_commit) {
  for (int i = 0; i < 5; ++i) submit(note());
  auto r = receipts(cycle());
  ASSERT_EQ(r.size(), 5u);
  for (const auto& rc : r) EXPECT_EQ(rc.status(), mab::v1::Receipt::ACCEPTED);
  EXPECT_EQ(b->counters().commits, 1u);
}

TEST_F(broker_test, same_message_twice_in_one_cycle_is_accepted_then_duplicate) {
  auto n = note();
  submit(n);
  submit(n);
  auto r = receipts(cycle());
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].status(), mab::v1::Receipt::ACCEPTED);
  EXPECT_EQ(r[1].status(), mab::v1::Receipt::DUPLICATE);
  EXPECT_EQ(r[1].store_seq(), r[0].store_seq());
}

TEST_F(broker_test, full_store_refuses_with_store_full_and_recovers) {
  st->full = true;
  auto n = note();
  submit(n);
  auto r = receipts(cycle());
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status(), mab::v1::Receipt::REJECTED);
  EXPECT_EQ(r[0].reason(), mab::v1::STORE_FULL);
  st->full = false;
  submit(n);
  r = receipts(cycle());
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status(), mab::v1::Receipt::ACCEPTED);
}

TEST_F(broker_test, resent_after_the_skew_window_is_still_a_duplicate) {
  auto n = note();
  submit(n);
  cycle();
  clk.advance(2h);
  submit(n);
  auto r = receipts(cycle());
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status(), mab::v1::Receipt::DUPLICATE);
}

TEST_F(broker_test, delivered_to_a_ready_receiver_and_retried_after_backoff) {
  ready("csc-a");
  auto n = note();
  submit(n);
  auto d = deliveries(cycle(), "p-csc-a");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].attempt(), 1u);
  mab::v1::Notification got;
  ASSERT_TRUE(got.ParseFromString(d[0].envelope().notification()));
  EXPECT_EQ(got.message_id(), n.message_id());
  // The attestation binds the sender's key to the sender, under the broker's key.
  mab::v1::KeyAttestation att;
  ASSERT_TRUE(wire::open_sealed(d[0].sender_key(), wire::sealed_type::key_attestation,
                                broker_signer.public_key(), att));
  EXPECT_EQ(att.agency(), "school-a");
  EXPECT_TRUE(wire::verify_envelope(d[0].envelope(), att.public_key()));

  EXPECT_TRUE(deliveries(cycle(), "p-csc-a").empty());  // in flight: not before its retry time
  clk.advance(1100ms);
  ready("csc-a");  // heartbeat
  d = deliveries(cycle(), "p-csc-a");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].attempt(), 2u);
}

TEST_F(broker_test, ack_stops_retries_and_tells_the_sender_with_the_recipients_proof) {
  ready("csc-a");
  ready("school-a");
  auto n = note();
  submit(n);
  ASSERT_EQ(deliveries(cycle(), "p-csc-a").size(), 1u);
  answer("ack", n.message_id(), "csc-a", csc);
  auto out = cycle();
  auto ns = notices(out, "p-school-a");
  ASSERT_EQ(ns.size(), 1u);
  mab::v1::AckNotice notice;
  ASSERT_TRUE(wire::open_sealed(ns[0].notice(), wire::sealed_type::ack_notice,
                                broker_signer.public_key(), notice));
  EXPECT_EQ(notice.message_id(), n.message_id());
  mab::v1::Ack ack;
  EXPECT_TRUE(wire::open_sealed(notice.ack(), wire::sealed_type::ack, csc.public_key(), ack));

  clk.advance(5s);
  ready("csc-a");
  ready("school-a");
  out = cycle();
  EXPECT_TRUE(deliveries(out, "p-csc-a").empty());
  // The notice is retried until the sender confirms it.
  ASSERT_EQ(notices(out, "p-school-a").size(), 1u);
  b->on_message("p-school-a", "school-a",
                wire::make_frames(wire::cmd::notice_ack, std::to_string(ns[0].notice_id())));
  cycle();
  clk.advance(10s);
  ready("school-a");
  EXPECT_TRUE(notices(cycle(), "p-school-a").empty());
}

TEST_F(broker_test, ack_signed_with_another_agencys_key_is_refused) {
  ready("csc-a");
  auto n = note();
  submit(n);
  cycle();
  auto police = tc.signer_of("police-a");
  answer("ack", n.message_id(), "csc-a", police);
  auto r = receipts(cycle(), wire::cmd::error);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].reason(), mab::v1::KEY_NOT_SENDERS);
}

TEST_F(broker_test, refusals_lead_to_the_dead_letter_store_and_the_sender_is_told) {
  ready("csc-a");
  ready("school-a");
  auto n = note();
  submit(n);
  cycle();
  auto out = refuse_until_dead(n);
  auto ns = notices(out, "p-school-a");
  ASSERT_EQ(ns.size(), 1u);
  mab::v1::DeadLetterNotice dead;
  ASSERT_TRUE(wire::open_sealed(ns[0].notice(), wire::sealed_type::dead_letter_notice,
                                broker_signer.public_key(), dead));
  EXPECT_EQ(dead.refusals(), 2u);
  auto letters = b->dead_letters(10);
  ASSERT_TRUE(letters);
  ASSERT_EQ(letters->size(), 1u);
  EXPECT_EQ((*letters)[0].message_id, n.message_id());

  clk.advance(10s);
  ready("csc-a");
  EXPECT_TRUE(deliveries(cycle(), "p-csc-a").empty());
  ASSERT_TRUE(*b->replay_dead_letter((*letters)[0].delivery_id));
  EXPECT_EQ(deliveries(cycle(), "p-csc-a").size(), 1u);
}

TEST_F(broker_test, in_flight_window_bounds_unacknowledged_deliveries) {
  ready("csc-a");
  std::vector<mab::v1::Notification> ns;
  for (int i = 0; i < 3; ++i) {
    ns.push_back(note());
    submit(ns.back());
  }
  auto d = deliveries(cycle(), "p-csc-a");
  ASSERT_EQ(d.size(), 2u);  // delivery_window = 2
  answer("ack", ns[0].message_id(), "csc-a", csc);
  d = deliveries(cycle(), "p-csc-a");
  ASSERT_EQ(d.size(), 1u);
  mab::v1::Notification third;
  third.ParseFromString(d[0].envelope().notification());
  EXPECT_EQ(third.message_id(), ns[2].message_id());
}

TEST_F(broker_test, silent_receiver_goes_offline_and_gets_everything_when_back) {
  ready("csc-a");
  EXPECT_EQ(b->online_receivers(), 1u);
  clk.advance(11s);
  cycle();
  EXPECT_EQ(b->online_receivers(), 0u);
  auto n = note();
  submit(n);
  EXPECT_TRUE(deliveries(cycle(), "p-csc-a").empty());
  ready("csc-a");
  EXPECT_EQ(deliveries(cycle(), "p-csc-a").size(), 1u);
}

TEST_F(broker_test, frames_that_are_not_the_protocol_get_an_error) {
  b->on_message("p", "school-a", {"MAB1"});
  b->on_message("p", "school-a", {"XXXX", "SUBMIT", ""});
  b->on_message("p", "school-a", {"MAB1", "NOTICE_ACK", "12x"});
  auto r = receipts(cycle(), wire::cmd::error);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].reason(), mab::v1::MALFORMED_FRAME);
  EXPECT_EQ(r[1].reason(), mab::v1::UNSUPPORTED_PROTOCOL);
  EXPECT_EQ(r[2].reason(), mab::v1::MALFORMED_FRAME);
}

std::vector<audit::entry> trail(store::store& s) {
  std::uint64_t pos = 0;
  auto rows = s.audit_entries(0, 1000, pos);
  std::vector<audit::entry> out;
  for (auto& r : *rows) {
    out.push_back({r.seq, r.at_ms, r.kind, r.subject_key, r.data, r.prev_hash, r.hash});
  }
  return out;
}

std::vector<audit::checkpoint> seals(store::store& s) {
  std::vector<audit::checkpoint> out;
  auto rows = s.checkpoints();  // keep the result alive while iterating
  for (auto& c : *rows) out.push_back({c.seq, c.at_ms, c.head_hash, c.key_id, c.signature});
  return out;
}

TEST_F(broker_test, every_change_is_in_the_audit_trail_with_pseudonymous_subject_keys) {
  ready("csc-a");
  auto n = note();
  submit(n);
  cycle();
  answer("ack", n.message_id(), "csc-a", csc);
  cycle();
  const auto entries = trail(*real);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].kind, "message.accepted");
  EXPECT_EQ(entries[0].subject_key, subjects::identifier_keys(keyer, n.subject()).front());
  EXPECT_NE(entries[0].data.find(n.message_id()), std::string::npos);
  EXPECT_EQ(entries[1].kind, "delivery.acked");
  for (const auto& e : entries) {
    EXPECT_EQ(e.data.find("P207000016049"), std::string::npos) << "raw identifier in the trail";
    EXPECT_EQ(e.subject_key.find("P207000016049"), std::string::npos);
  }
  EXPECT_TRUE(audit::verify(entries, seals(*real), broker_signer.public_key()).ok());
}

TEST_F(broker_test, checkpoints_seal_the_chain_and_a_failed_commit_leaves_it_consistent) {
  for (int i = 0; i < 3; ++i) submit(note());
  cycle();
  ASSERT_EQ(seals(*real).size(), 1u);  // audit_checkpoint_entries = 3
  st->full = true;
  submit(note());
  cycle();  // rolled back, including its audit entry
  st->full = false;
  submit(note());
  cycle();
  ASSERT_TRUE(b->seal_audit());
  const auto entries = trail(*real);
  ASSERT_EQ(entries.size(), 4u);
  const auto report = audit::verify(entries, seals(*real), broker_signer.public_key());
  EXPECT_TRUE(report.ok()) << audit::to_text(report);
  EXPECT_EQ(seals(*real).back().seq, 4u);
}

TEST_F(broker_test, replaying_a_dead_letter_is_audited) {
  ready("csc-a");
  auto n = note();
  submit(n);
  cycle();
  refuse_until_dead(n);
  auto letters = b->dead_letters(10);
  ASSERT_TRUE(*b->replay_dead_letter((*letters)[0].delivery_id));
  const auto entries = trail(*real);
  ASSERT_GE(entries.size(), 4u);
  EXPECT_EQ(entries[1].kind, "delivery.refused");
  EXPECT_EQ(entries[2].kind, "delivery.dead_lettered");
  EXPECT_EQ(entries.back().kind, "delivery.replayed");
}

}  // namespace
}  // namespace mab::broker

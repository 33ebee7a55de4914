#include <atomic>
#include <string>

#include <gtest/gtest.h>

#include "adapters/sdk/client.h"
#include "daemon/crypto/crypto.h"
#include "daemon/wire/wire.h"
#include "tests/sdk/fake_broker.h"

namespace mab::sdk {
namespace {

using namespace std::chrono_literals;
using testing::fake_broker;
using testing::make_delivery;
using testing::peer_message;
using testing::test_agency;

crypto::signer new_signer() {
  return std::move(crypto::signer::from_seed(crypto::generate_signing_key().seed)).value();
}

mab::v1::Notification sample(const std::string& sender) {
  mab::v1::Notification n;
  n.set_message_id(crypto::uuid_v4());
  n.set_sender(sender);
  n.mutable_subject()->set_nhs_number("9434765919");
  n.mutable_attendance_concern()->set_kind(mab::v1::AttendanceConcern::PERSISTENT_ABSENCE);
  return n;
}

std::string sealed_receipt(const crypto::signer& key, const std::string& submit_payload,
                           mab::v1::Receipt::Status status = mab::v1::Receipt::ACCEPTED) {
  mab::v1::SignedEnvelope env;
  env.ParseFromString(submit_payload);
  mab::v1::Notification n;
  n.ParseFromString(env.notification());
  mab::v1::Receipt r;
  r.set_message_id(n.message_id());
  r.set_status(status);
  r.set_store_seq(7);
  r.set_envelope_sha256(crypto::sha256(submit_payload));
  return wire::serialize(wire::seal(key, wire::sealed_type::receipt, r));
}

class client_test : public ::testing::Test {
 protected:
  std::unique_ptr<client> connect() {
    auto c = client::connect(school_.opts());
    EXPECT_TRUE(c) << c.message();
    return std::move(c).value();
  }

  // What a police agency sends the school, via the broker.
  std::string police_delivery(std::uint64_t id, mab::v1::Notification* out = nullptr) {
    auto n = sample("police-1");
    if (out != nullptr) *out = n;
    return make_delivery(broker_, police_signer_, "police-1", n, id);
  }

  // Answers the first READY with `payload` as a DELIVER (or `command`).
  void deliver_on_ready(std::string payload, std::string_view command = wire::cmd::deliver) {
    auto sent = std::make_shared<std::atomic<bool>>(false);
    broker_.on_message([=](fake_broker& b, const peer_message& m) {
      if (m.command() == wire::cmd::ready && !sent->exchange(true)) {
        b.reply(m.peer, command, payload);
      }
    });
  }

  crypto::signer police_signer_ = new_signer();
  fake_broker broker_;
  test_agency school_{"school-1", broker_};
};

TEST_F(client_test, submit_returns_the_verified_receipt) {
  broker_.on_message([](fake_broker& b, const peer_message& m) {
    if (m.command() == wire::cmd::submit) {
      b.reply(m.peer, wire::cmd::receipt, sealed_receipt(b.signer(), m.payload()));
    }
  });
  auto c = connect();
  auto r = c->send(sample(""), 5s);
  ASSERT_TRUE(r) << r.message();
  EXPECT_EQ(r->status(), mab::v1::Receipt::ACCEPTED);
  EXPECT_EQ(r->store_seq(), 7u);

  auto submitted = broker_.take(wire::cmd::submit, 1s);
  ASSERT_TRUE(submitted);
  mab::v1::SignedEnvelope env;
  ASSERT_TRUE(env.ParseFromString(submitted->payload()));
  EXPECT_TRUE(wire::verify_envelope(env, school_.signer().public_key()));
  mab::v1::Notification n;
  ASSERT_TRUE(n.ParseFromString(env.notification()));
  EXPECT_EQ(n.sender(), "school-1");  // completed by the SDK
  EXPECT_TRUE(crypto::is_uuid(n.message_id()));
  EXPECT_TRUE(n.has_created_at());
}

TEST_F(client_test, receipt_signed_by_another_key_is_an_error) {
  auto impostor = std::make_shared<crypto::signer>(new_signer());
  broker_.on_message([impostor](fake_broker& b, const peer_message& m) {
    if (m.command() == wire::cmd::submit) {
      b.reply(m.peer, wire::cmd::receipt, sealed_receipt(*impostor, m.payload()));
    }
  });
  auto c = connect();
  auto r = c->send(sample(""), 5s);
  ASSERT_FALSE(r);
  EXPECT_NE(r.message().find("receipt signature does not verify against broker_signing_key"),
            std::string::npos)
      << r.message();
}

TEST_F(client_test, receipt_for_another_envelope_is_skipped_until_timeout) {
  broker_.on_message([](fake_broker& b, const peer_message& m) {
    if (m.command() == wire::cmd::submit) {
      auto other = wire::serialize(wire::sign_notification(b.signer(), sample("x")));
      b.reply(m.peer, wire::cmd::receipt, sealed_receipt(b.signer(), other));
    }
  });
  auto c = connect();
  auto r = c->send(sample(""), 500ms);
  ASSERT_FALSE(r);
  EXPECT_NE(r.message().find("no receipt"), std::string::npos) << r.message();
}

TEST_F(client_test, deliver_before_receipt_is_queued_for_receive) {
  mab::v1::Notification delivered;
  const std::string payload = police_delivery(11, &delivered);
  broker_.on_message([payload](fake_broker& b, const peer_message& m) {
    if (m.command() == wire::cmd::submit) {
      b.reply(m.peer, wire::cmd::deliver, payload);
      b.reply(m.peer, wire::cmd::receipt, sealed_receipt(b.signer(), m.payload()));
    }
  });
  auto c = connect();
  auto r = c->send(sample(""), 5s);
  ASSERT_TRUE(r) << r.message();

  auto ev = c->receive(0ms);
  ASSERT_TRUE(ev) << ev.message();
  ASSERT_TRUE(*ev);
  const auto* d = std::get_if<delivery>(&**ev);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->delivery_id, 11u);
  EXPECT_EQ(d->attempt, 1u);
  EXPECT_EQ(d->store_seq, 51u);
  EXPECT_EQ(d->sender_key_id, police_signer_.key_id());
  EXPECT_EQ(d->notification.message_id(), delivered.message_id());
}

TEST_F(client_test, delivery_with_bad_signature_is_refused_and_reported) {
  mab::v1::Notification n = sample("police-1");
  mab::v1::Delivery d;
  d.ParseFromString(make_delivery(broker_, police_signer_, "police-1", n, 12));
  d.mutable_envelope()->mutable_signature()->at(0) ^= 0x01;
  deliver_on_ready(wire::serialize(d));
  auto c = connect();

  auto ev = c->receive(5s);
  ASSERT_TRUE(ev) << ev.message();
  ASSERT_TRUE(*ev);
  const auto* rejected = std::get_if<rejected_delivery>(&**ev);
  ASSERT_NE(rejected, nullptr);
  EXPECT_EQ(rejected->delivery_id, 12u);
  EXPECT_EQ(rejected->message_id, n.message_id());
  EXPECT_NE(rejected->reason.find("signature"), std::string::npos);

  auto refuse = broker_.take(wire::cmd::refuse, 2s);
  ASSERT_TRUE(refuse);
  mab::v1::Sealed sealed;
  ASSERT_TRUE(sealed.ParseFromString(refuse->payload()));
  mab::v1::Refusal refusal;
  ASSERT_TRUE(wire::open_sealed(sealed, wire::sealed_type::refusal,
                                school_.signer().public_key(), refusal));
  EXPECT_EQ(refusal.message_id(), n.message_id());
  EXPECT_EQ(refusal.recipient(), "school-1");
  EXPECT_EQ(refusal.reason(), rejected->reason);
}

TEST_F(client_test, delivery_whose_sender_is_not_the_attested_agency_is_rejected) {
  // Signed with police-1's key, but claiming to come from health-1.
  deliver_on_ready(make_delivery(broker_, police_signer_, "police-1", sample("health-1"), 13));
  auto c = connect();
  auto ev = c->receive(5s);
  ASSERT_TRUE(ev && *ev);
  const auto* rejected = std::get_if<rejected_delivery>(&**ev);
  ASSERT_NE(rejected, nullptr);
  EXPECT_NE(rejected->reason.find("attested agency"), std::string::npos) << rejected->reason;
  EXPECT_TRUE(broker_.take(wire::cmd::refuse, 2s));
}

TEST_F(client_test, attestation_not_signed_by_the_broker_is_rejected) {
  mab::v1::Delivery d;
  d.ParseFromString(police_delivery(14));
  d.mutable_sender_key()->mutable_signature()->at(3) ^= 0x10;
  deliver_on_ready(wire::serialize(d));
  auto c = connect();
  auto ev = c->receive(5s);
  ASSERT_TRUE(ev && *ev);
  const auto* rejected = std::get_if<rejected_delivery>(&**ev);
  ASSERT_NE(rejected, nullptr);
  EXPECT_NE(rejected->reason.find("attestation"), std::string::npos) << rejected->reason;
}

TEST_F(client_test, ack_is_sealed_with_the_agency_key) {
  deliver_on_ready(police_delivery(15));
  auto c = connect();
  auto ev = c->receive(5s);
  ASSERT_TRUE(ev && *ev);
  const auto* d = std::get_if<delivery>(&**ev);
  ASSERT_NE(d, nullptr);
  ASSERT_TRUE(c->ack(*d));

  auto ack = broker_.take(wire::cmd::ack, 2s);
  ASSERT_TRUE(ack);
  mab::v1::Sealed sealed;
  ASSERT_TRUE(sealed.ParseFromString(ack->payload()));
  mab::v1::Ack a;
  ASSERT_TRUE(wire::open_sealed(sealed, wire::sealed_type::ack, school_.signer().public_key(), a));
  EXPECT_EQ(a.message_id(), d->notification.message_id());
  EXPECT_EQ(a.recipient(), "school-1");
  EXPECT_TRUE(a.has_acked_at());
}

TEST_F(client_test, notice_is_verified_and_confirmed) {
  mab::v1::DeadLetterNotice body;
  body.set_message_id("m-1");
  body.set_recipient("csc-1");
  body.set_refusals(3);
  mab::v1::Notice notice_msg;
  notice_msg.set_notice_id(77);
  *notice_msg.mutable_notice() =
      wire::seal(broker_.signer(), wire::sealed_type::dead_letter_notice, body);
  deliver_on_ready(wire::serialize(notice_msg), wire::cmd::notice);
  auto c = connect();

  auto ev = c->receive(5s);
  ASSERT_TRUE(ev && *ev) << (ev ? "timeout" : ev.message());
  const auto* n = std::get_if<notice>(&**ev);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->notice_id, 77u);
  ASSERT_TRUE(std::holds_alternative<mab::v1::DeadLetterNotice>(n->body));
  EXPECT_EQ(std::get<mab::v1::DeadLetterNotice>(n->body).refusals(), 3u);

  ASSERT_TRUE(c->confirm(*n));
  auto confirmed = broker_.take(wire::cmd::notice_ack, 2s);
  ASSERT_TRUE(confirmed);
  EXPECT_EQ(confirmed->payload(), "77");
}

TEST_F(client_test, forged_notice_is_an_error) {
  mab::v1::AckNotice body;
  body.set_message_id("m-2");
  mab::v1::Notice notice_msg;
  notice_msg.set_notice_id(78);
  *notice_msg.mutable_notice() = wire::seal(police_signer_, wire::sealed_type::ack_notice, body);
  deliver_on_ready(wire::serialize(notice_msg), wire::cmd::notice);
  auto c = connect();
  auto ev = c->receive(5s);
  ASSERT_FALSE(ev);
  EXPECT_NE(ev.message().find("does not verify"), std::string::npos) << ev.message();
}

TEST_F(client_test, receive_repeats_ready_at_the_heartbeat) {
  auto c = connect();
  auto ev = c->receive(900ms);  // heartbeat is 200 ms
  ASSERT_TRUE(ev) << ev.message();
  EXPECT_FALSE(*ev);
  EXPECT_GE(broker_.count(wire::cmd::ready), 3u);
}

TEST_F(client_test, ping_waits_for_its_own_nonce) {
  broker_.on_message([](fake_broker& b, const peer_message& m) {
    if (m.command() == wire::cmd::ping) {
      b.reply(m.peer, wire::cmd::pong, "someone else's nonce");
      b.reply(m.peer, wire::cmd::pong, m.payload());
    }
  });
  auto c = connect();
  auto rtt = c->ping(5s);
  ASSERT_TRUE(rtt) << rtt.message();
  EXPECT_GT(rtt->count(), 0);
}

TEST_F(client_test, ping_without_a_broker_times_out) {
  options o = school_.opts();
  o.endpoint = "tcp://127.0.0.1:1";
  auto c = client::connect(o);
  ASSERT_TRUE(c) << c.message();
  auto rtt = (*c)->ping(300ms);
  ASSERT_FALSE(rtt);
  EXPECT_NE(rtt.message().find("no connection"), std::string::npos) << rtt.message();
}

TEST_F(client_test, connect_names_a_missing_key_file) {
  options o = school_.opts();
  o.signing_key_file += ".absent";
  auto c = client::connect(o);
  ASSERT_FALSE(c);
  EXPECT_NE(c.message().find(".absent"), std::string::npos) << c.message();
}

}  // namespace
}  // namespace mab::sdk

// Every rejection reason against a real mabd: each gets its own stable code and the offending
// field, and the daemon keeps serving afterwards.
#include <functional>

#include <gtest/gtest.h>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "tests/integration/scenario.h"

namespace mab::testing {
namespace {

using mab::v1::Notification;
using mab::v1::SignedEnvelope;

class rejections_test : public ::testing::Test {
 protected:
  void SetUp() override {
    standard_agencies(sb);
    sb.broker_extra = "max_message_bytes = 65536\nclock_skew_seconds = 300\n";
    ASSERT_NO_FATAL_FAILURE(sb.start());
    school = sb.client("school-a");
    school_signer = std::make_unique<crypto::signer>(
        std::move(crypto::signer::from_seed(sb.agency("school-a").sign.seed)).value());
  }

  // Signs `n` as the school and submits it on the school's connection.
  mab::v1::Receipt submit(const SignedEnvelope& env) {
    auto r = school->submit(env, receipt_timeout);
    EXPECT_TRUE(r) << r.message();
    return r ? *r : mab::v1::Receipt{};
  }
  SignedEnvelope signed_by_school(const Notification& n) {
    return wire::sign_notification(*school_signer, n);
  }
  Notification valid() { return attendance_concern("school-a", area_a); }

  // Raw frames on a Curve connection as the school, for frame-level faults.
  mab::v1::Receipt raw(const std::vector<std::string>& frames) {
    zmq::context_t ctx;
    zmq::socket_t s(ctx, zmq::socket_type::dealer);
    auto opts = sb.options_for("school-a");
    s.set(zmq::sockopt::curve_serverkey, opts.broker_curve_key);
    s.set(zmq::sockopt::curve_publickey, sb.agency("school-a").curve.public_z85);
    s.set(zmq::sockopt::curve_secretkey, sb.agency("school-a").curve.secret_z85);
    s.set(zmq::sockopt::linger, 0);
    s.set(zmq::sockopt::rcvtimeo, 10000);
    s.connect(sb.endpoint());
    std::vector<zmq::const_buffer> parts;
    for (const auto& f : frames) parts.push_back(zmq::buffer(f));
    zmq::send_multipart(s, parts);
    std::vector<zmq::message_t> reply;
    EXPECT_TRUE(zmq::recv_multipart(s, std::back_inserter(reply)));
    mab::v1::Receipt r;
    if (reply.size() != 3) {
      ADD_FAILURE() << "expected a 3-frame reply";
      return r;
    }
    mab::v1::Sealed sealed;
    EXPECT_TRUE(sealed.ParseFromString(reply[2].to_string()));
    EXPECT_TRUE(wire::open_sealed(sealed, wire::sealed_type::receipt,
                                  sb.broker_signing().public_key, r));
    return r;
  }

  sandbox sb;
  std::unique_ptr<sdk::client> school;
  std::unique_ptr<crypto::signer> school_signer;
};

struct content_case {
  const char* name;
  std::function<void(Notification&)> mutate;
  mab::v1::ReasonCode reason;
  const char* field;
};

TEST_F(rejections_test, content_rules_each_have_their_code_and_field) {
  const std::string jpeg("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01", 18);
  const std::vector<content_case> cases = {
      {"missing message id", [](Notification& n) { n.clear_message_id(); },
       mab::v1::MISSING_FIELD, "message_id"},
      {"message id not a UUID", [](Notification& n) { n.set_message_id("msg-1"); },
       mab::v1::INVALID_FIELD, "message_id"},
      {"unknown sender", [](Notification& n) { n.set_sender("nobody"); },
       mab::v1::UNKNOWN_SENDER, "sender"},
      {"sender is another agency", [](Notification& n) { n.set_sender("police-a"); },
       mab::v1::SENDER_MISMATCH, "sender"},
      {"body kind not allowed",
       [](Notification& n) {
         auto* m = n.mutable_missing_episode();
         m->set_police_reference("X1");
         m->set_status(mab::v1::MissingEpisode::REPORTED_MISSING);
         m->set_risk_grade(mab::v1::MissingEpisode::LOW);
       },
       mab::v1::BODY_KIND_NOT_ALLOWED, "missing_episode"},
      {"no identifier",
       [](Notification& n) { n.mutable_subject()->clear_upn(); },
       mab::v1::MISSING_FIELD, "subject"},
      {"bad NHS number", [](Notification& n) { n.mutable_subject()->set_nhs_number("9434765918"); },
       mab::v1::INVALID_NHS_NUMBER, "subject.nhs_number"},
      {"bad UPN", [](Notification& n) { n.mutable_subject()->set_upn("A207000016049"); },
       mab::v1::INVALID_UPN, "subject.upn"},
      {"created an hour ago",
       [](Notification& n) {
         *n.mutable_created_at() =
             wire::to_timestamp(std::chrono::system_clock::now() - std::chrono::hours(1));
       },
       mab::v1::CLOCK_SKEW, "created_at"},
      {"created in the future",
       [](Notification& n) {
         *n.mutable_created_at() =
             wire::to_timestamp(std::chrono::system_clock::now() + std::chrono::minutes(10));
       },
       mab::v1::CLOCK_SKEW, "created_at"},
      {"explicit recipient where the rule forbids it",
       [](Notification& n) { n.add_recipients("police-a"); },
       mab::v1::RECIPIENT_NOT_ALLOWED, "recipients[0]"},
      {"nobody to deliver to", [](Notification& n) { n.mutable_subject()->set_area("E06000001"); },
       mab::v1::NO_ROUTE, "body"},
      {"image in a record part",
       [&](Notification& n) {
         auto* p = n.mutable_record_part();
         p->set_transfer_id("T-1");
         p->set_kind(mab::v1::RecordPart::SCHOOL_TRANSFER_FILE);
         p->set_sequence(1);
         p->set_total(1);
         p->set_content_type("application/octet-stream");
         p->set_content("school file\n" + jpeg);
       },
       mab::v1::IMAGE_CONTENT, "record_part.content"},
      {"too large",
       [](Notification& n) { n.mutable_attendance_concern()->set_summary(std::string(70000, 'a')); },
       mab::v1::MESSAGE_TOO_LARGE, "envelope"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto n = valid();
    c.mutate(n);
    auto r = submit(signed_by_school(n));
    EXPECT_EQ(r.status(), mab::v1::Receipt::REJECTED);
    EXPECT_EQ(mab::v1::ReasonCode_Name(r.reason()), mab::v1::ReasonCode_Name(c.reason)) << r.detail();
    EXPECT_EQ(r.field(), c.field) << r.detail();
    EXPECT_FALSE(r.detail().empty());
  }
  // Still serving.
  EXPECT_EQ(submit(signed_by_school(valid())).status(), mab::v1::Receipt::ACCEPTED);
}

TEST_F(rejections_test, signatures_and_keys) {
  auto env = signed_by_school(valid());
  env.mutable_signature()->at(5) ^= 0x01;
  auto r = submit(env);
  EXPECT_EQ(r.reason(), mab::v1::BAD_SIGNATURE);
  EXPECT_EQ(r.field(), "envelope.signature");

  // Tampered bytes under a good signature.
  env = signed_by_school(valid());
  env.mutable_notification()->back() ^= 0x01;
  EXPECT_EQ(submit(env).reason(), mab::v1::BAD_SIGNATURE);

  // Signed with police's registered key, sent on the school's connection.
  auto police = std::move(crypto::signer::from_seed(sb.agency("police-a").sign.seed)).value();
  r = submit(wire::sign_notification(police, valid()));
  EXPECT_EQ(r.reason(), mab::v1::KEY_NOT_SENDERS);
  EXPECT_EQ(r.field(), "envelope.key_id");

  // Signed with a key nobody registered.
  auto stranger =
      std::move(crypto::signer::from_seed(crypto::generate_signing_key().seed)).value();
  r = submit(wire::sign_notification(stranger, valid()));
  EXPECT_EQ(r.reason(), mab::v1::UNKNOWN_KEY);

  EXPECT_EQ(submit(signed_by_school(valid())).status(), mab::v1::Receipt::ACCEPTED);
}

TEST_F(rejections_test, frames_and_protobuf) {
  const std::string tag(wire::protocol_tag);
  auto r = raw({tag, "SUBMIT", "\x0a\xff\xff garbage"});
  EXPECT_EQ(r.reason(), mab::v1::MALFORMED_PROTOBUF);
  EXPECT_FALSE(r.envelope_sha256().empty());

  r = raw({tag, "SUBMIT"});
  EXPECT_EQ(r.reason(), mab::v1::MALFORMED_FRAME);
  r = raw({tag, "SUBMIT", "a", "b"});
  EXPECT_EQ(r.reason(), mab::v1::MALFORMED_FRAME);
  r = raw({"MAB9", "SUBMIT", "x"});
  EXPECT_EQ(r.reason(), mab::v1::UNSUPPORTED_PROTOCOL);
  r = raw({"hello"});
  EXPECT_EQ(r.reason(), mab::v1::MALFORMED_FRAME);
  r = raw({tag, "DELETE_EVERYTHING", "x"});
  EXPECT_EQ(r.reason(), mab::v1::UNKNOWN_COMMAND);

  // A signed envelope whose bytes are not a Notification.
  SignedEnvelope env;
  env.set_notification("\xff\xff\xff\xff");
  env.set_key_id(school_signer->key_id());
  env.set_signature(school_signer->sign(env.notification()));
  EXPECT_EQ(submit(env).reason(), mab::v1::MALFORMED_PROTOBUF);

  EXPECT_EQ(submit(signed_by_school(valid())).status(), mab::v1::Receipt::ACCEPTED);
}

TEST_F(rejections_test, unregistered_curve_key_cannot_connect) {
  auto opts = sb.options_for("school-a");
  // A stranger with a valid Curve key pair of its own, not registered to any agency.
  const auto stranger = crypto::generate_curve_key();
  const std::string path = sb.dir() + "/keys/stranger.curve.key";
  ASSERT_TRUE(crypto::write_secret_file(path, stranger.secret_z85, true));
  opts.curve_secret_key_file = path;
  auto c = sdk::client::connect(opts);
  ASSERT_TRUE(c) << c.message();
  EXPECT_FALSE((*c)->ping(std::chrono::milliseconds(1500)));
  EXPECT_FALSE((*c)->send(valid(), std::chrono::milliseconds(1500)));
  EXPECT_NE(sb.log().find("Curve key not registered"), std::string::npos);
  // The registered school is unaffected.
  EXPECT_TRUE(school->ping(std::chrono::milliseconds(5000)));
}

}  // namespace
}  // namespace mab::testing

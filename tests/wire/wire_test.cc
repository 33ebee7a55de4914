#include "daemon/wire/wire.h"

#include <gtest/gtest.h>

namespace mab::wire {
namespace {

crypto::signer make_signer() {
  return std::move(crypto::signer::from_seed(crypto::generate_signing_key().seed)).value();
}

TEST(wire, sealed_roundtrip_verifies_under_the_signers_key) {
  auto s = make_signer();
  mab::v1::Ack ack;
  ack.set_message_id("m1");
  ack.set_recipient("csc-a");
  auto sealed = seal(s, sealed_type::ack, ack);
  mab::v1::Ack out;
  ASSERT_TRUE(open_sealed(sealed, sealed_type::ack, s.public_key(), out));
  EXPECT_EQ(out.message_id(), "m1");
}

TEST(wire, a_signature_for_one_type_does_not_pass_as_another) {
  auto s = make_signer();
  mab::v1::Ack ack;
  ack.set_message_id("m1");
  auto sealed = seal(s, sealed_type::ack, ack);
  sealed.set_type(std::string(sealed_type::receipt));
  EXPECT_FALSE(verify_sealed(sealed, sealed_type::receipt, s.public_key()));
}

TEST(wire, tampered_or_foreign_sealed_is_refused) {
  auto s = make_signer();
  auto other = make_signer();
  mab::v1::Receipt r;
  r.set_message_id("m1");
  auto sealed = seal(s, sealed_type::receipt, r);
  EXPECT_FALSE(verify_sealed(sealed, sealed_type::receipt, other.public_key()));
  sealed.mutable_payload()->append("x");
  EXPECT_FALSE(verify_sealed(sealed, sealed_type::receipt, s.public_key()));
}

TEST(wire, envelope_signature_is_over_the_exact_bytes) {
  auto s = make_signer();
  mab::v1::Notification n;
  n.set_message_id("m1");
  auto env = sign_notification(s, n);
  EXPECT_TRUE(verify_envelope(env, s.public_key()));
  env.mutable_notification()->push_back('\0');
  EXPECT_FALSE(verify_envelope(env, s.public_key()));
}

TEST(wire, timestamps_roundtrip_including_before_the_epoch) {
  for (auto ms : {0LL, 1LL, 1'795'000'000'123LL, -1500LL}) {
    const auto t = from_unix_ms(ms);
    EXPECT_EQ(to_unix_ms(from_timestamp(to_timestamp(t))), ms);
  }
  EXPECT_GE(to_timestamp(from_unix_ms(-1500)).nanos(), 0);
}

TEST(wire, frames_are_tag_command_payload) {
  auto f = make_frames(cmd::receipt, "p");
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0], "MAB1");
  EXPECT_EQ(f[1], "RECEIPT");
  EXPECT_EQ(f[2], "p");
}

}  // namespace
}  // namespace mab::wire

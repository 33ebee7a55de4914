#include "daemon/crypto/crypto.h"

#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace mab::crypto {
namespace {

std::string from_hex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// RFC 8032 section 7.1, TEST 1.
constexpr std::string_view k_rfc_seed =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr std::string_view k_rfc_public =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
constexpr std::string_view k_rfc_signature =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9"
    "b46bd25bf5f0595bbe24655141438e7a100b";

TEST(Digest, Sha256OfAbc) {
  EXPECT_EQ(to_hex(sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(to_hex(sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Encoding, HexIsLowercase) {
  EXPECT_EQ(to_hex(std::string("\x00\xff\xab\x10", 4)), "00ffab10");
  EXPECT_EQ(to_hex(""), "");
}

TEST(Encoding, Base64KnownValues) {
  // RFC 4648 section 10.
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_decode("Zm9vYmE="), "fooba");
  EXPECT_EQ(base64_decode(""), "");
}

TEST(Encoding, Base64RoundTripsEveryLengthAndByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t n = 0; n <= all.size(); ++n) {
    const std::string bytes = all.substr(all.size() - n);
    const auto decoded = base64_decode(base64_encode(bytes));
    ASSERT_TRUE(decoded.has_value()) << n;
    EXPECT_EQ(*decoded, bytes) << n;
  }
  const std::string random = random_bytes(1000);
  EXPECT_EQ(base64_decode(base64_encode(random)), random);
}

TEST(Encoding, Base64RejectsBadInput) {
  for (const char* bad : {"Zg", "Zg=", "Zm9", "Z===", "====", "Zm9v!A==", "Zm 9v", "Zm9v\n",
                          "Zg==Zg==", "Z=g=", "Zm-_", "Zh==", "Zm9=", "Zm8=Zm8="}) {
    EXPECT_FALSE(base64_decode(bad).has_value()) << bad;
  }
  EXPECT_FALSE(base64_decode(std::string("Zm9v\0AAA", 8)).has_value());
}

TEST(Random, BytesHaveRequestedLengthAndDiffer) {
  EXPECT_EQ(random_bytes(0).size(), 0u);
  EXPECT_EQ(random_bytes(33).size(), 33u);
  EXPECT_NE(random_bytes(32), random_bytes(32));
}

TEST(Uuid, V4Format) {
  for (int i = 0; i < 100; ++i) {
    const std::string id = uuid_v4();
    ASSERT_EQ(id.size(), 36u) << id;
    for (std::size_t j = 0; j < id.size(); ++j) {
      if (j == 8 || j == 13 || j == 18 || j == 23) {
        EXPECT_EQ(id[j], '-') << id;
      } else {
        EXPECT_TRUE(std::isxdigit(static_cast<unsigned char>(id[j])) &&
                    !std::isupper(static_cast<unsigned char>(id[j])))
            << id;
      }
    }
    EXPECT_EQ(id[14], '4') << id;
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
    EXPECT_TRUE(is_uuid(id)) << id;
  }
}

TEST(Uuid, V4IsUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(uuid_v4());
  EXPECT_EQ(seen.size(), 10000u);
}

TEST(Uuid, IsUuid) {
  EXPECT_TRUE(is_uuid("123e4567-e89b-12d3-a456-426614174000"));
  EXPECT_TRUE(is_uuid("123E4567-E89B-12D3-A456-426614174000"));
  EXPECT_TRUE(is_uuid("00000000-0000-0000-0000-000000000000"));
  EXPECT_FALSE(is_uuid(""));
  EXPECT_FALSE(is_uuid("123e4567e89b12d3a456426614174000"));
  EXPECT_FALSE(is_uuid("123e4567-e89b-12d3-a456-42661417400"));
  EXPECT_FALSE(is_uuid("123e4567-e89b-12d3-a456-4266141740000"));
  EXPECT_FALSE(is_uuid("123e4567-e89b-12d3-a456_426614174000"));
  EXPECT_FALSE(is_uuid("g23e4567-e89b-12d3-a456-426614174000"));
  EXPECT_FALSE(is_uuid("{123e4567-e89b-12d3-a456-426614174000}"));
  EXPECT_FALSE(is_uuid(" 123e4567-e89b-12d3-a456-42661417400"));
}

TEST(KeyId, Format) {
  const std::string pk = from_hex(k_rfc_public);
  const std::string id = key_id_for(pk);
  ASSERT_EQ(id.size(), 8u + 16u);
  EXPECT_EQ(id.substr(0, 8), "ed25519:");
  EXPECT_EQ(id.substr(8), to_hex(sha256(pk)).substr(0, 16));
  EXPECT_EQ(key_id_for(pk), id);
  EXPECT_NE(key_id_for(generate_signing_key().public_key), id);
}

TEST(Ed25519, Rfc8032Vector1) {
  auto s = signer::from_seed(from_hex(k_rfc_seed));
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(to_hex(s->public_key()), k_rfc_public);
  EXPECT_EQ(s->key_id(), key_id_for(s->public_key()));
  const std::string sig = s->sign("");
  EXPECT_EQ(to_hex(sig), k_rfc_signature);
  EXPECT_TRUE(verify(from_hex(k_rfc_public), "", from_hex(k_rfc_signature)));
  EXPECT_FALSE(verify(from_hex(k_rfc_public), "x", from_hex(k_rfc_signature)));
}

TEST(Ed25519, GenerateSignVerifyRoundTrip) {
  const signing_key_pair pair = generate_signing_key();
  ASSERT_EQ(pair.public_key.size(), 32u);
  ASSERT_EQ(pair.seed.size(), 32u);
  auto s = signer::from_seed(pair.seed);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(s->public_key(), pair.public_key);

  const std::string message = "notification payload \x01\x02";
  const std::string sig = s->sign(message);
  ASSERT_EQ(sig.size(), 64u);
  EXPECT_TRUE(verify(pair.public_key, message, sig));
  EXPECT_EQ(s->sign(message), sig);  // Ed25519 is deterministic
}

TEST(Ed25519, SignerSurvivesMove) {
  auto s = signer::from_seed(from_hex(k_rfc_seed));
  ASSERT_TRUE(s.ok());
  signer moved = std::move(s).value();
  EXPECT_EQ(to_hex(moved.sign("")), k_rfc_signature);
  auto other = signer::from_seed(generate_signing_key().seed);
  ASSERT_TRUE(other.ok());
  moved = std::move(other).value();
  EXPECT_TRUE(verify(moved.public_key(), "m", moved.sign("m")));
}

TEST(Ed25519, ConcurrentSigning) {
  auto s = signer::from_seed(generate_signing_key().seed);
  ASSERT_TRUE(s.ok());
  const signer& shared = *s;
  std::vector<std::thread> threads;
  std::vector<int> failures(8, 0);
  for (std::size_t t = 0; t < failures.size(); ++t) {
    threads.emplace_back([&shared, &failures, t] {
      for (int i = 0; i < 200; ++i) {
        const std::string message = std::to_string(t) + ":" + std::to_string(i);
        if (!verify(shared.public_key(), message, shared.sign(message))) ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int f : failures) EXPECT_EQ(f, 0);
}

TEST(Ed25519, RejectsTampering) {
  const signing_key_pair pair = generate_signing_key();
  auto s = signer::from_seed(pair.seed);
  ASSERT_TRUE(s.ok());
  const std::string message = "hello";
  const std::string sig = s->sign(message);

  EXPECT_FALSE(verify(pair.public_key, "hellp", sig));
  EXPECT_FALSE(verify(pair.public_key, "hello ", sig));
  EXPECT_FALSE(verify(pair.public_key, "", sig));
  for (std::size_t i : {0u, 31u, 32u, 63u}) {
    std::string bad = sig;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    EXPECT_FALSE(verify(pair.public_key, message, bad)) << i;
  }
  EXPECT_FALSE(verify(generate_signing_key().public_key, message, sig));
  std::string bad_key = pair.public_key;
  bad_key[0] = static_cast<char>(bad_key[0] ^ 0x01);
  EXPECT_FALSE(verify(bad_key, message, sig));
}

TEST(Ed25519, WrongLengthsRejected) {
  const signing_key_pair pair = generate_signing_key();
  auto s = signer::from_seed(pair.seed);
  ASSERT_TRUE(s.ok());
  const std::string sig = s->sign("m");

  EXPECT_FALSE(verify(pair.public_key, "m", sig.substr(0, 63)));
  EXPECT_FALSE(verify(pair.public_key, "m", sig + "x"));
  EXPECT_FALSE(verify(pair.public_key, "m", ""));
  EXPECT_FALSE(verify(pair.public_key.substr(0, 31), "m", sig));
  EXPECT_FALSE(verify(pair.public_key + "x", "m", sig));
  EXPECT_FALSE(verify("", "m", sig));
  EXPECT_FALSE(verify(std::string(32, '\0'), "m", std::string(64, '\0')));

  for (std::size_t n : {0u, 1u, 31u, 33u, 64u}) {
    auto bad = signer::from_seed(std::string(n, 'k'));
    ASSERT_FALSE(bad.ok()) << n;
    EXPECT_NE(bad.message().find("32 bytes"), std::string::npos) << bad.message();
  }
}

TEST(Curve, GenerateAndDerivePublic) {
  const curve_key_pair pair = generate_curve_key();
  ASSERT_EQ(pair.public_z85.size(), 40u);
  ASSERT_EQ(pair.secret_z85.size(), 40u);
  EXPECT_TRUE(is_z85_key(pair.public_z85));
  EXPECT_TRUE(is_z85_key(pair.secret_z85));
  EXPECT_NE(pair.public_z85, pair.secret_z85);
  EXPECT_EQ(curve_public_from_secret(pair.secret_z85), pair.public_z85);
  EXPECT_NE(generate_curve_key().secret_z85, pair.secret_z85);
}

TEST(Curve, KnownKeyPair) {
  // The example server key pair from the ZeroMQ CURVE documentation (zmq_curve(7)).
  EXPECT_EQ(curve_public_from_secret("JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"),
            "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");
}

TEST(Curve, RejectsBadKeys) {
  const curve_key_pair pair = generate_curve_key();
  EXPECT_FALSE(is_z85_key(""));
  EXPECT_FALSE(is_z85_key(pair.secret_z85.substr(0, 39)));
  EXPECT_FALSE(is_z85_key(pair.secret_z85 + "a"));
  EXPECT_FALSE(is_z85_key(std::string(39, 'a') + "\""));  // '"' is not in the Z85 alphabet
  EXPECT_FALSE(is_z85_key(std::string(39, 'a') + " "));
  EXPECT_FALSE(is_z85_key(std::string(40, '#')));  // each 5-char group overflows 32 bits
  EXPECT_FALSE(curve_public_from_secret("").has_value());
  EXPECT_FALSE(curve_public_from_secret(std::string(40, '~')).has_value());
  EXPECT_FALSE(curve_public_from_secret(pair.secret_z85.substr(1)).has_value());
}

}  // namespace
}  // namespace mab::crypto

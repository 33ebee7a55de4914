// Curve keys for ZeroMQ's CURVE mechanism, through libzmq's own helpers so the encoding is
// exactly what libzmq will later accept.
#include <zmq.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "daemon/crypto/crypto.h"

namespace mab::crypto {
namespace {

constexpr std::size_t k_z85_key_length = 40;

}  // namespace

curve_key_pair generate_curve_key() {
  std::array<char, k_z85_key_length + 1> public_key{};
  std::array<char, k_z85_key_length + 1> secret_key{};
  if (zmq_curve_keypair(public_key.data(), secret_key.data()) != 0) {
    // Only happens when libzmq was built without CURVE; the daemon cannot run securely then.
    std::fprintf(stderr, "mab crypto: fatal: zmq_curve_keypair failed: %s\n",
                 zmq_strerror(zmq_errno()));
    std::abort();
  }
  curve_key_pair pair{std::string(public_key.data(), k_z85_key_length),
                      std::string(secret_key.data(), k_z85_key_length)};
  secret_key.fill('\0');
  return pair;
}

bool is_z85_key(std::string_view text) {
  if (text.size() != k_z85_key_length) return false;
  // zmq_z85_decode checks the alphabet and also rejects 5-character groups that overflow 32
  // bits, which a plain alphabet check would let through.
  const std::string terminated(text);
  std::array<std::uint8_t, 32> decoded{};
  const bool valid = zmq_z85_decode(decoded.data(), terminated.c_str()) != nullptr;
  decoded.fill(0);
  return valid;
}

std::optional<std::string> curve_public_from_secret(std::string_view secret_z85) {
  if (!is_z85_key(secret_z85)) return std::nullopt;
  const std::string secret(secret_z85);
  std::array<char, k_z85_key_length + 1> public_key{};
  if (zmq_curve_public(public_key.data(), secret.c_str()) != 0) return std::nullopt;
  return std::string(public_key.data(), k_z85_key_length);
}

}  // namespace mab::crypto

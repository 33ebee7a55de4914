// HMAC-SHA256 subject keys.
#include <openssl/evp.h>

#include <array>
#include <cstdio>
#include <cstdlib>

#include "daemon/subjects/subjects.h"

namespace mab::subjects {
namespace {

// 128 bits: collisions among millions of children stay negligible, and keys stay short enough
// to read in logs and flags.
constexpr std::size_t k_key_bytes = 16;

std::string hex(const unsigned char* bytes, std::size_t n) {
  constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(digits[bytes[i] >> 4]);
    out.push_back(digits[bytes[i] & 0x0f]);
  }
  return out;
}

}  // namespace

result<keyer> keyer::from_secret(std::string secret) {
  if (secret.size() < min_secret_bytes) {
    return make_error("subject key secret must be at least " + std::to_string(min_secret_bytes) +
                          " bytes (got " + std::to_string(secret.size()) + ")",
                      secret_too_short);
  }
  return keyer(std::move(secret));
}

std::string keyer::key(std::string_view kind, std::string_view normalized_value) const {
  std::string message;
  message.reserve(kind.size() + 1 + normalized_value.size());
  message.append(kind).push_back('\0');
  message.append(normalized_value);

  std::array<unsigned char, 32> mac{};
  std::size_t mac_len = 0;
  const unsigned char* out =
      EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret_.data(), secret_.size(),
                reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac.data(),
                mac.size(), &mac_len);
  if (out == nullptr || mac_len != mac.size()) {
    // A subject index keyed by anything else would silently fail to link children; stopping is
    // safer, and HMAC-SHA256 only fails when OpenSSL itself is broken.
    std::fprintf(stderr, "mab subjects: fatal: HMAC-SHA256 failed\n");
    std::abort();
  }
  return "sk_" + hex(mac.data(), k_key_bytes);
}

}  // namespace mab::subjects

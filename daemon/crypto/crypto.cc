// Digests, encodings, randomness and UUIDs.
#include "daemon/crypto/crypto.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <climits>
#include <cstdio>
#include <cstdlib>

namespace mab::crypto {
namespace {

constexpr char k_hex_digits[] = "0123456789abcdef";
constexpr char k_base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Value of one base64 character, or -1 for anything outside the standard alphabet.
int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool is_hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

[[noreturn]] void die(const char* what) {
  // Callers cannot do anything sensible without randomness or a digest, and carrying on
  // with predictable bytes would be worse than stopping.
  std::fprintf(stderr, "mab crypto: fatal: %s\n", what);
  std::abort();
}

}  // namespace

std::string sha256(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1 ||
      length != 32) {
    die("SHA-256 failed");
  }
  return std::string(reinterpret_cast<const char*>(digest.data()), length);
}

std::string to_hex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(k_hex_digits[b >> 4]);
    out.push_back(k_hex_digits[b & 0x0f]);
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                            (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                            std::uint32_t{static_cast<unsigned char>(bytes[i + 2])};
    out.push_back(k_base64_alphabet[(v >> 18) & 0x3f]);
    out.push_back(k_base64_alphabet[(v >> 12) & 0x3f]);
    out.push_back(k_base64_alphabet[(v >> 6) & 0x3f]);
    out.push_back(k_base64_alphabet[v & 0x3f]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t v = std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
    if (rest == 2) v |= std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8;
    out.push_back(k_base64_alphabet[(v >> 18) & 0x3f]);
    out.push_back(k_base64_alphabet[(v >> 12) & 0x3f]);
    out.push_back(rest == 2 ? k_base64_alphabet[(v >> 6) & 0x3f] : '=');
    out.push_back('=');
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  // Strict on purpose: keys and signatures must have exactly one textual form, so whitespace,
  // missing padding and non-zero leftover bits are all rejected rather than tolerated.
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    std::size_t padding = 0;
    if (last && text[i + 3] == '=') padding = text[i + 2] == '=' ? 2 : 1;
    std::uint32_t v = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      if (j >= 4 - padding) {
        v <<= 6;
        continue;
      }
      const int d = base64_value(text[i + j]);
      if (d < 0) return std::nullopt;
      v = (v << 6) | static_cast<std::uint32_t>(d);
    }
    if (padding == 2 && (v & 0xffff) != 0) return std::nullopt;
    if (padding == 1 && (v & 0xff) != 0) return std::nullopt;
    out.push_back(static_cast<char>((v >> 16) & 0xff));
    if (padding < 2) out.push_back(static_cast<char>((v >> 8) & 0xff));
    if (padding < 1) out.push_back(static_cast<char>(v & 0xff));
  }
  return out;
}

std::string key_id_for(std::string_view public_key) {
  return "ed25519:" + to_hex(sha256(public_key)).substr(0, 16);
}

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  // RAND_bytes takes an int length, so very large requests are filled in slices.
  while (n > 0) {
    const std::size_t chunk = n < static_cast<std::size_t>(INT_MAX) ? n : INT_MAX;
    if (RAND_bytes(p, static_cast<int>(chunk)) != 1) die("RAND_bytes failed");
    p += chunk;
    n -= chunk;
  }
  return out;
}

std::string uuid_v4() {
  std::string b = random_bytes(16);
  b[6] = static_cast<char>((static_cast<unsigned char>(b[6]) & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<char>((static_cast<unsigned char>(b[8]) & 0x3f) | 0x80);  // RFC 4122 variant
  const std::string hex = to_hex(b);
  return hex.substr(0, 8) + '-' + hex.substr(8, 4) + '-' + hex.substr(12, 4) + '-' +
         hex.substr(16, 4) + '-' + hex.substr(20, 12);
}

bool is_uuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_position ? text[i] != '-' : !is_hex_digit(text[i])) return false;
  }
  return true;
}

}  // namespace mab::crypto

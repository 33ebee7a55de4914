// Ed25519 through OpenSSL 3's EVP interface ("pure" Ed25519: no separate digest).
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <array>
#include <cstdio>
#include <cstdlib>

#include "daemon/crypto/crypto.h"

namespace mab::crypto {
namespace {

constexpr std::size_t k_key_size = 32;
constexpr std::size_t k_signature_size = 64;

struct pkey_deleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct md_ctx_deleter {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_deleter>;
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, md_ctx_deleter>;

const unsigned char* bytes_of(std::string_view s) {
  // An empty view may carry a null pointer; hand OpenSSL a valid one regardless.
  static const unsigned char empty = 0;
  return s.empty() ? &empty : reinterpret_cast<const unsigned char*>(s.data());
}

// Drains OpenSSL's thread-local error queue into one line, so the next caller on this thread
// does not inherit stale errors.
std::string openssl_errors() {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    std::array<char, 256> buf{};
    ERR_error_string_n(code, buf.data(), buf.size());
    if (!out.empty()) out += "; ";
    out += buf.data();
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

[[noreturn]] void die(const std::string& what) {
  // Signing with a key OpenSSL already accepted cannot fail short of memory exhaustion or a
  // broken library; returning an empty signature would only move the failure somewhere vaguer.
  std::fprintf(stderr, "mab crypto: fatal: %s\n", what.c_str());
  std::abort();
}

result<pkey_ptr> private_key_from_seed(std::string_view seed) {
  if (seed.size() != k_key_size) {
    return make_error("Ed25519 seed must be 32 bytes, got " + std::to_string(seed.size()));
  }
  pkey_ptr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes_of(seed),
                                            seed.size()));
  if (!key) return make_error("cannot load Ed25519 seed: " + openssl_errors());
  return key;
}

result<std::string> raw_public_key(EVP_PKEY* key) {
  std::array<unsigned char, k_key_size> buf{};
  std::size_t length = buf.size();
  if (EVP_PKEY_get_raw_public_key(key, buf.data(), &length) != 1 || length != k_key_size) {
    return make_error("cannot derive Ed25519 public key: " + openssl_errors());
  }
  return std::string(reinterpret_cast<const char*>(buf.data()), length);
}

}  // namespace

struct signer::impl {
  pkey_ptr key;
};

signer::signer(std::unique_ptr<impl> p, std::string public_key)
    : impl_(std::move(p)), public_key_(std::move(public_key)), key_id_(key_id_for(public_key_)) {}
signer::signer(signer&&) noexcept = default;
signer& signer::operator=(signer&&) noexcept = default;
signer::~signer() = default;

result<signer> signer::from_seed(std::string_view seed) {
  auto key = private_key_from_seed(seed);
  if (!key) return key.err();
  auto public_key = raw_public_key(key->get());
  if (!public_key) return public_key.err();
  return signer(std::make_unique<impl>(impl{std::move(key).value()}), std::move(public_key).value());
}

std::string signer::sign(std::string_view message) const {
  // A fresh context per call keeps concurrent sign() calls independent; the shared EVP_PKEY
  // is only read.
  md_ctx_ptr ctx(EVP_MD_CTX_new());
  if (!ctx) die("EVP_MD_CTX_new failed");
  if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, impl_->key.get()) != 1) {
    die("Ed25519 sign init failed: " + openssl_errors());
  }
  std::array<unsigned char, k_signature_size> sig{};
  std::size_t length = sig.size();
  if (EVP_DigestSign(ctx.get(), sig.data(), &length, bytes_of(message), message.size()) != 1 ||
      length != k_signature_size) {
    die("Ed25519 sign failed: " + openssl_errors());
  }
  return std::string(reinterpret_cast<const char*>(sig.data()), length);
}

signing_key_pair generate_signing_key() {
  signing_key_pair pair;
  pair.seed = random_bytes(k_key_size);
  auto key = private_key_from_seed(pair.seed);
  if (!key) die(key.message());
  auto public_key = raw_public_key(key->get());
  if (!public_key) die(public_key.message());
  pair.public_key = std::move(public_key).value();
  return pair;
}

bool verify(std::string_view public_key, std::string_view message, std::string_view signature) {
  if (public_key.size() != k_key_size || signature.size() != k_signature_size) return false;
  pkey_ptr key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes_of(public_key),
                                           public_key.size()));
  md_ctx_ptr ctx(EVP_MD_CTX_new());
  const bool valid =
      key && ctx &&
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
      EVP_DigestVerify(ctx.get(), bytes_of(signature), signature.size(), bytes_of(message),
                       message.size()) == 1;
  // A rejected signature is an ordinary answer here, not an error to leave queued.
  if (!valid) ERR_clear_error();
  return valid;
}

}  // namespace mab::crypto

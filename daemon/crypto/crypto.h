// Signatures, digests, randomness and key files. No OpenSSL or ZeroMQ type appears here: the
// vendor libraries are private to crypto/*.cc.
//
// Key material in memory is raw bytes held in std::string:
//   - Ed25519 public key: 32 bytes; secret: the 32-byte seed.
//   - Curve (ZeroMQ) keys: 40-character Z85 text, as libzmq expects them.
// On disk and in configuration, Ed25519 keys are base64 text and Curve keys Z85 text.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/common/result.h"

namespace mab::crypto {

// ---- digests and encodings ----
std::string sha256(std::string_view data);                       // 32 raw bytes
std::string to_hex(std::string_view bytes);                      // lowercase
std::string base64_encode(std::string_view bytes);               // standard alphabet, padded
std::optional<std::string> base64_decode(std::string_view text); // nullopt on bad input

// Key id of a signing public key: "ed25519:" + first 16 hex chars of SHA-256(public key).
// Stable, short, and derivable by anyone who holds the public key.
std::string key_id_for(std::string_view public_key);

// ---- randomness ----
std::string random_bytes(std::size_t n);  // from OpenSSL's CSPRNG; aborts if it fails
std::string uuid_v4();                    // "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", lowercase
bool is_uuid(std::string_view text);      // any RFC 4122 textual UUID (case-insensitive)

// ---- Ed25519 ----
struct signing_key_pair {
  std::string public_key;  // 32 bytes
  std::string seed;        // 32 bytes (the secret)
};
signing_key_pair generate_signing_key();

// Holds one Ed25519 private key. Thread-safe for concurrent sign() calls.
class signer {
 public:
  static result<signer> from_seed(std::string_view seed);  // error unless 32 bytes
  signer(signer&&) noexcept;
  signer& operator=(signer&&) noexcept;
  ~signer();

  std::string sign(std::string_view message) const;  // 64-byte signature
  const std::string& public_key() const { return public_key_; }
  const std::string& key_id() const { return key_id_; }

 private:
  struct impl;
  explicit signer(std::unique_ptr<impl> p, std::string public_key);
  std::unique_ptr<impl> impl_;
  std::string public_key_;
  std::string key_id_;
};

// True only for a valid 64-byte Ed25519 signature by `public_key` (32 bytes) over `message`.
bool verify(std::string_view public_key, std::string_view message, std::string_view signature);

// ---- Curve (ZeroMQ) ----
struct curve_key_pair {
  std::string public_z85;  // 40 chars
  std::string secret_z85;  // 40 chars
};
curve_key_pair generate_curve_key();
bool is_z85_key(std::string_view text);                               // 40 valid Z85 chars
std::optional<std::string> curve_public_from_secret(std::string_view secret_z85);

// ---- key files ----
// Writes `contents` + "\n" to `path`, created with mode 0600 (owner only) whatever the umask;
// refuses to overwrite an existing file unless `overwrite`.
status write_secret_file(const std::string& path, std::string_view contents, bool overwrite);
// Writes a public file (mode 0644).
status write_public_file(const std::string& path, std::string_view contents, bool overwrite);
// Reads a whole file and trims surrounding whitespace. Errors name the path.
result<std::string> read_key_file(const std::string& path);
// Reads a base64 Ed25519 seed file into a signer. Errors name the path and the rule.
result<signer> load_signer(const std::string& path);
// Reads a Z85 Curve secret key file; returns the secret (40 chars). Errors name the path.
result<std::string> load_curve_secret(const std::string& path);

}  // namespace mab::crypto

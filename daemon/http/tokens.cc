// Roles, token issuing and hashing. Only hashes are ever stored; the secret exists in memory
// only while it is shown to its holder or presented by a client.
#include <string>

#include "daemon/crypto/crypto.h"
#include "daemon/http/http.h"

namespace mab::http {

std::string_view name(role r) {
  switch (r) {
    case role::viewer:
      return "viewer";
    case role::operator_role:
      return "operator";
    case role::auditor:
      return "auditor";
    case role::admin:
      return "admin";
  }
  return "unknown";
}

std::optional<role> role_from_name(std::string_view s) {
  for (role r : {role::viewer, role::operator_role, role::auditor, role::admin}) {
    if (name(r) == s) return r;
  }
  return std::nullopt;
}

std::string hash_token(std::string_view secret) { return crypto::to_hex(crypto::sha256(secret)); }

issued_token issue_token() {
  // 32 random bytes, base64url without padding: 43 characters that need no escaping in a
  // header, a URL or a shell.
  std::string text = crypto::base64_encode(crypto::random_bytes(32));
  while (!text.empty() && text.back() == '=') text.pop_back();
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  issued_token t;
  t.secret = "mab_" + text;
  t.sha256_hex = hash_token(t.secret);
  return t;
}

}  // namespace mab::http

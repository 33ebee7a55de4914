// message_id_for: the same source record always gets the same message id.
#include <string>

#include "adapters/kit/kit.h"
#include "daemon/crypto/crypto.h"

namespace mab::kit {

std::string message_id_for(std::string_view adapter, std::string_view source_key) {
  std::string input = "mab-adapter\n";
  input.append(adapter);
  input.push_back('\n');
  input.append(source_key);
  std::string bytes = crypto::sha256(input).substr(0, 16);
  bytes[6] = static_cast<char>((static_cast<unsigned char>(bytes[6]) & 0x0Fu) | 0x50u);
  bytes[8] = static_cast<char>((static_cast<unsigned char>(bytes[8]) & 0x3Fu) | 0x80u);
  const std::string hex = crypto::to_hex(bytes);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

}  // namespace mab::kit

// Checking what the broker sends an adapter before the application sees it. Private to the SDK.
#pragma once

#include <string_view>
#include <variant>

#include "adapters/sdk/client.h"

namespace mab::sdk::detail {

// Verifies a DELIVER payload: the broker's key attestation, the sender's signature under the
// attested key, and that attestation, envelope and notification name the same key and agency.
// A rejected_delivery carries the message_id when the notification could be read, which is
// what a refusal needs.
std::variant<delivery, rejected_delivery> check_delivery(std::string_view payload,
                                                         std::string_view broker_key);

// Verifies and opens a NOTICE payload (an AckNotice or DeadLetterNotice sealed by the broker).
result<notice> open_notice(std::string_view payload, std::string_view broker_key);

}  // namespace mab::sdk::detail

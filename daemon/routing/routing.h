// Who may send what, and who needs to know. Pure functions of the configuration and the
// notification, so every routing decision is unit-testable without a broker.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "daemon/config/config.h"
#include "daemon/validate/validate.h"
#include "mab/v1/notification.pb.h"

namespace mab::routing {

// The recipients (agency ids, sorted, unique, never the sender) or why there are none:
//  - BODY_KIND_NOT_ALLOWED: the body kind is not in the sender's may_send
//  - RECIPIENT_NOT_ALLOWED: explicit recipients where no matching rule allows them, or an
//    explicit recipient that is not a registered agency, or the sender itself
//  - NO_ROUTE: nobody to deliver to (mab never accepts what it cannot deliver)
// The area that rules match is the subject's area, or the sender's when the subject has none.
using outcome = std::variant<std::vector<std::string>, validate::rejection>;
outcome route(const config::config& cfg, const config::agency& sender,
              const mab::v1::Notification& n);

}  // namespace mab::routing

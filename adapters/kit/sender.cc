// sender: one notification per source record, sent at most once (deterministic message ids,
// outcomes recorded in the state file), or printed in a dry run.
#include <ostream>
#include <string>

#include <google/protobuf/util/json_util.h>

#include "adapters/kit/kit.h"

namespace mab::kit {
namespace {

// Rejections that may pass on a later try: not recorded, so the next run sends again.
bool transient(mab::v1::ReasonCode reason) {
  return reason == mab::v1::STORE_FULL || reason == mab::v1::STORE_ERROR ||
         reason == mab::v1::CLOCK_SKEW;
}

}  // namespace

sender::sender(std::string adapter, state& st, rejects& rj, summary& sum, sdk::client* client,
               std::ostream& dry_out, std::chrono::milliseconds timeout)
    : adapter_(std::move(adapter)),
      state_(st),
      rejects_(rj),
      summary_(sum),
      client_(client),
      dry_out_(dry_out),
      timeout_(timeout) {}

result<outcome> sender::send(const std::string& source_key, mab::v1::Notification n,
                             const std::string& file, std::uint64_t line) {
  auto previous = state_.sent(source_key);
  if (!previous) return previous.err();
  if (previous->has_value()) {
    ++summary_.skipped;
    return outcome::skipped;
  }
  n.set_message_id(message_id_for(adapter_, source_key));
  if (client_ == nullptr) {
    google::protobuf::util::JsonPrintOptions o;
    o.preserve_proto_field_names = true;
    std::string json;
    auto st = google::protobuf::util::MessageToJsonString(n, &json, o);
    if (!st.ok()) return make_error("cannot print notification: " + std::string(st.message()));
    dry_out_ << json << '\n';
    ++summary_.sent;
    return outcome::sent;
  }
  auto receipt = client_->send(n, timeout_);
  if (!receipt) return make_error("sending " + source_key + ": " + receipt.message());
  sent_record rec{n.message_id(), mab::v1::Receipt::Status_Name(receipt->status())};
  outcome out = outcome::sent;
  switch (receipt->status()) {
    case mab::v1::Receipt::ACCEPTED:
      ++summary_.sent;
      break;
    case mab::v1::Receipt::DUPLICATE:
      ++summary_.duplicates;
      out = outcome::duplicate;
      break;
    case mab::v1::Receipt::REJECTED:
      if (receipt->reason() == mab::v1::DUPLICATE_CONFLICT) {
        // Our ids are a function of the source key: the broker already has this record.
        ++summary_.duplicates;
        rec.status = "DUPLICATE";
        out = outcome::duplicate;
        break;
      }
      rejects_.add(file, line,
                   "rejected by the broker: " + mab::v1::ReasonCode_Name(receipt->reason()) +
                       (receipt->field().empty() ? "" : " " + receipt->field()) + ": " +
                       receipt->detail());
      ++summary_.rejected;
      if (transient(receipt->reason())) return outcome::rejected;
      rec.status = "REJECTED:" + mab::v1::ReasonCode_Name(receipt->reason());
      out = outcome::rejected;
      break;
    default:
      return make_error("receipt with unexpected status " +
                        std::to_string(static_cast<int>(receipt->status())));
  }
  if (auto s = state_.record_sent(source_key, rec); !s) return s.err();
  return out;
}

}  // namespace mab::kit

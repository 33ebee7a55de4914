// check(): the notification-level rules (identity of the message, time, body presence, subject)
// and the order in which all rules run.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/unknown_field_set.h>

#include <cstdint>
#include <unordered_set>

#include "daemon/validate/internal.h"

namespace mab::validate {
namespace detail {

rejection reject(mab::v1::ReasonCode reason, std::string field, std::string detail) {
  return rejection{reason, std::move(field), std::move(detail)};
}

std::string quoted(std::string_view value) {
  constexpr std::size_t max_shown = 64;
  static constexpr std::string_view hex = "0123456789abcdef";
  std::string out = "'";
  for (std::size_t i = 0; i < value.size() && i < max_shown; ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c >= 0x20 && c < 0x7F && c != '\'' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
  if (value.size() > max_shown) out += "...";
  out += '\'';
  return out;
}

}  // namespace detail

namespace {

using namespace detail;
using mab::v1::Notification;

// The syntax of agency ids in the broker configuration.
bool valid_agency_id(std::string_view s) {
  auto ok = [](char c, bool first) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           (!first && (c == '.' || c == '_' || c == '-'));
  };
  if (s.empty() || s.size() > 64) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!ok(s[i], i == 0)) return false;
  }
  return true;
}

std::optional<rejection> check_message_id(const Notification& n) {
  if (n.message_id().empty()) {
    return reject(v1::MISSING_FIELD, "message_id",
                  "message_id is required (a UUID chosen by the sender)");
  }
  if (valid_uuid(n.message_id())) return std::nullopt;
  return reject(v1::INVALID_FIELD, "message_id",
                "message_id " + quoted(n.message_id()) +
                    " is not a UUID (8-4-4-4-12 hexadecimal digits, not all zero)");
}

std::optional<rejection> check_addressing(const Notification& n) {
  if (n.sender().empty()) {
    return reject(v1::MISSING_FIELD, "sender", "sender is required (the sending agency's id)");
  }
  std::unordered_set<std::string_view> seen;
  for (int i = 0; i < n.recipients_size(); ++i) {
    const std::string& r = n.recipients(i);
    const std::string field = "recipients[" + std::to_string(i) + "]";
    if (!valid_agency_id(r)) {
      return reject(v1::INVALID_FIELD, field, field + " " + quoted(r) + " is not an agency id");
    }
    if (!seen.insert(r).second) {
      return reject(v1::INVALID_FIELD, field, field + " " + quoted(r) + " is listed twice");
    }
  }
  if (n.correlation_id().empty() || valid_uuid(n.correlation_id())) return std::nullopt;
  return reject(v1::INVALID_FIELD, "correlation_id",
                "correlation_id " + quoted(n.correlation_id()) +
                    " is not a UUID (it names the message_id this one answers)");
}

// "12.500" from whole seconds and nanoseconds, for skew details.
std::string seconds_text(std::int64_t whole, std::int64_t nanos) {
  std::string millis = std::to_string(nanos / 1000000);
  millis.insert(0, 3 - millis.size(), '0');
  return std::to_string(whole) + "." + millis;
}

// Exact comparison of created_at - now against the window, in whole seconds and nanoseconds so
// no timestamp in the valid range can overflow.
std::optional<rejection> check_skew(const google::protobuf::Timestamp& created, time_point now,
                                    const limits& lim) {
  using namespace std::chrono;
  const auto now_seconds = floor<seconds>(now);
  std::int64_t diff_s = created.seconds() - now_seconds.time_since_epoch().count();
  std::int64_t diff_ns = created.nanos() - duration_cast<nanoseconds>(now - now_seconds).count();
  if (diff_ns < 0) {
    diff_s -= 1;
    diff_ns += 1000000000;
  }
  const std::int64_t skew = lim.clock_skew.count();
  const bool ahead = diff_s >= 0;
  // Behind by -(diff_s + diff_ns/1e9): within the window exactly when -diff_s <= skew.
  const bool inside = ahead ? (diff_s < skew || (diff_s == skew && diff_ns == 0)) : -diff_s <= skew;
  if (inside) return std::nullopt;
  const std::string amount = ahead          ? seconds_text(diff_s, diff_ns)
                             : diff_ns == 0 ? seconds_text(-diff_s, 0)
                                            : seconds_text(-diff_s - 1, 1000000000 - diff_ns);
  return reject(v1::CLOCK_SKEW, "created_at",
                "created_at is " + amount + " seconds " + (ahead ? "ahead of" : "behind") +
                    " the broker's clock; at most " + std::to_string(skew) +
                    " seconds either way is accepted (check the sender's clock)");
}

std::optional<rejection> check_created_at(const Notification& n, time_point now,
                                          const limits& lim) {
  if (!n.has_created_at()) {
    return reject(v1::MISSING_FIELD, "created_at",
                  "created_at is required (when the sender made it)");
  }
  if (!valid_timestamp(n.created_at())) {
    return reject(v1::INVALID_FIELD, "created_at",
                  "created_at is not a valid Timestamp (years 0001-9999, nanos 0-999999999)");
  }
  return check_skew(n.created_at(), now, lim);
}

std::string known_body_kinds() {
  const auto* oneof = Notification::descriptor()->FindOneofByName("body");
  std::string names;
  for (int i = 0; i < oneof->field_count(); ++i) {
    if (i > 0) names += ", ";
    names += oneof->field(i)->name();
  }
  return names;
}

std::optional<rejection> check_body_present(const Notification& n) {
  if (n.body_case() != Notification::BODY_NOT_SET) return std::nullopt;
  const auto& unknown = n.GetReflection()->GetUnknownFields(n);
  if (unknown.empty()) {
    return reject(v1::UNKNOWN_BODY_KIND, "body",
                  "no body is set; a notification carries one of: " + known_body_kinds());
  }
  return reject(v1::UNKNOWN_BODY_KIND, "body",
                "no body kind this broker knows is set, and the message carries field number " +
                    std::to_string(unknown.field(0).number()) +
                    ", which it does not know: a body kind newer than this broker? Known body "
                    "kinds: " +
                    known_body_kinds());
}

bool has_identifier(const v1::Subject& s) {
  if (!s.nhs_number().empty() || !s.upn().empty()) return true;
  for (const auto& id : s.local_ids()) {
    if (!id.system().empty() && !id.value().empty()) return true;
  }
  return false;
}

// A local id without its system (or value) cannot be matched by any recipient.
std::optional<rejection> check_local_ids(const v1::Subject& s) {
  for (int i = 0; i < s.local_ids_size(); ++i) {
    const auto& id = s.local_ids(i);
    const std::string prefix = "subject.local_ids[" + std::to_string(i) + "]";
    if (id.system().empty()) {
      return reject(v1::MISSING_FIELD, prefix + ".system",
                    prefix + ".system is required: a local id means nothing without its system");
    }
    if (id.value().empty()) {
      return reject(v1::MISSING_FIELD, prefix + ".value", prefix + ".value is required");
    }
  }
  return std::nullopt;
}

std::optional<rejection> check_identifiers(const v1::Subject& s) {
  if (!s.nhs_number().empty()) {
    if (auto problem = nhs_number_problem(s.nhs_number())) {
      return reject(v1::INVALID_NHS_NUMBER, "subject.nhs_number",
                    "subject.nhs_number " + quoted(s.nhs_number()) + " " + *problem);
    }
  }
  if (!s.upn().empty()) {
    if (auto problem = upn_problem(s.upn())) {
      return reject(v1::INVALID_UPN, "subject.upn",
                    "subject.upn " + quoted(s.upn()) + " " + *problem);
    }
  }
  return check_local_ids(s);
}

// A child born today in a time zone ahead of UTC has a date of birth that is still tomorrow in
// UTC, so "the future" starts after the latest date anywhere on Earth (UTC+14).
std::optional<rejection> check_date_of_birth(const v1::Subject& s, time_point now) {
  const std::string field = "subject.date_of_birth";
  if (auto r = check_date_field(s.date_of_birth(), field)) return r;
  if (s.date_of_birth().empty()) return std::nullopt;
  const std::chrono::year_month_day latest{
      std::chrono::floor<std::chrono::days>(now + std::chrono::hours(14))};
  if (*parse_iso_date(s.date_of_birth()) <= latest) return std::nullopt;
  return reject(v1::INVALID_FIELD, field,
                field + " " + quoted(s.date_of_birth()) + " is in the future");
}

std::optional<rejection> check_subject(const Notification& n, time_point now) {
  // A flag is about the system (a late acknowledgement, say) and names its child only by a
  // pseudonymous key.
  const bool required = n.body_case() != Notification::kFlag;
  if (!n.has_subject()) {
    if (!required) return std::nullopt;
    return reject(v1::MISSING_FIELD, "subject", "subject is required for a " + body_kind(n));
  }
  if (required && !has_identifier(n.subject())) {
    return reject(v1::MISSING_FIELD, "subject",
                  "subject needs at least one identifier: nhs_number, upn, or a local_id with "
                  "system and value");
  }
  if (auto r = check_identifiers(n.subject())) return r;
  return check_date_of_birth(n.subject(), now);
}

}  // namespace

std::string body_kind(const Notification& n) {
  if (n.body_case() == Notification::BODY_NOT_SET) return "";
  return Notification::descriptor()->FindFieldByNumber(static_cast<int>(n.body_case()))->name();
}

std::optional<rejection> check(const Notification& n, time_point now, const limits& lim) {
  // Images first: whatever else is wrong with a message that carries an image, the sender and
  // the audit trail must see IMAGE_CONTENT rather than a lesser reason.
  if (auto r = check_images(n)) return r;
  if (auto r = check_message_id(n)) return r;
  if (auto r = check_addressing(n)) return r;
  if (auto r = check_created_at(n, now, lim)) return r;
  if (auto r = check_body_present(n)) return r;
  if (auto r = check_subject(n, now)) return r;
  if (auto r = check_body(n)) return r;
  return check_structure(n);
}

}  // namespace mab::validate

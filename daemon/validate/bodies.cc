// Per-body rules: the fields a recipient cannot act without, and values that contradict each
// other. Field paths start at the body's oneof field name.
#include <google/protobuf/descriptor.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <unordered_set>

#include "daemon/validate/internal.h"

namespace mab::validate::detail {
namespace {

namespace pb = google::protobuf;
using namespace mab::v1;

std::string indexed(const std::string& prefix, int i) {
  return prefix + "[" + std::to_string(i) + "]";
}

std::optional<rejection> required(const std::string& value, const std::string& field,
                                  std::string_view why = {}) {
  if (!value.empty()) return std::nullopt;
  std::string detail = field + " is required";
  if (!why.empty()) detail += std::string(" ") + std::string(why);
  return reject(MISSING_FIELD, field, std::move(detail));
}

// Zero is every enum's UNSPECIFIED value, so it counts as missing; numbers this build does not
// know (proto3 enums are open) are invalid.
std::optional<rejection> required_enum(int value, const pb::EnumDescriptor* type,
                                       const std::string& field) {
  if (value == 0) {
    return reject(MISSING_FIELD, field,
                  field + " is required (it is " + type->value(0)->name() + ")");
  }
  if (type->FindValueByNumber(value) != nullptr) return std::nullopt;
  return reject(
      INVALID_FIELD, field,
      field + " has value " + std::to_string(value) + ", which is not a known " + type->name());
}

std::optional<rejection> check_sessions(const AttendanceConcern& a) {
  const std::string p = "attendance_concern.";
  if (a.attended_sessions() > a.possible_sessions()) {
    return reject(INVALID_FIELD, p + "attended_sessions",
                  p + "attended_sessions (" + std::to_string(a.attended_sessions()) +
                      ") exceeds possible_sessions (" + std::to_string(a.possible_sessions()) +
                      ")");
  }
  const std::uint64_t absences =
      std::uint64_t{a.authorised_absences()} + std::uint64_t{a.unauthorised_absences()};
  if (absences > a.possible_sessions()) {
    return reject(INVALID_FIELD, p + "possible_sessions",
                  p + "authorised_absences plus unauthorised_absences (" +
                      std::to_string(absences) + ") exceed " + p + "possible_sessions (" +
                      std::to_string(a.possible_sessions()) + ")");
  }
  const double rate = a.absence_rate_percent();
  if (std::isfinite(rate) && rate >= 0.0 && rate <= 100.0) return std::nullopt;
  return reject(INVALID_FIELD, p + "absence_rate_percent",
                p + "absence_rate_percent must be between 0 and 100");
}

std::optional<rejection> check_attendance(const AttendanceConcern& a) {
  const std::string p = "attendance_concern.";
  if (auto r = required_enum(a.kind(), AttendanceConcern::Kind_descriptor(), p + "kind")) return r;
  if (auto r = check_date_field(a.period_start(), p + "period_start")) return r;
  if (auto r = check_date_field(a.period_end(), p + "period_end")) return r;
  // Both are YYYY-MM-DD, so text order is date order.
  if (!a.period_start().empty() && !a.period_end().empty() && a.period_end() < a.period_start()) {
    return reject(INVALID_FIELD, p + "period_end",
                  p + "period_end " + quoted(a.period_end()) + " is before period_start " +
                      quoted(a.period_start()));
  }
  return check_sessions(a);
}

std::optional<rejection> check_missing_episode(const MissingEpisode& m) {
  const std::string p = "missing_episode.";
  if (auto r = required(m.police_reference(), p + "police_reference")) return r;
  if (auto r = required_enum(m.status(), MissingEpisode::Status_descriptor(), p + "status")) {
    return r;
  }
  return required_enum(m.risk_grade(), MissingEpisode::RiskGrade_descriptor(), p + "risk_grade");
}

std::optional<rejection> check_health(const HealthConcern& h) {
  const std::string p = "health_concern.";
  if (auto r = required_enum(h.kind(), HealthConcern::Kind_descriptor(), p + "kind")) return r;
  if (h.kind() != HealthConcern::NOT_BROUGHT || h.not_brought_count() > 0 ||
      h.appointments_size() > 0) {
    return std::nullopt;
  }
  return reject(MISSING_FIELD, p + "not_brought_count",
                p + "not_brought_count (or appointments) is required for NOT_BROUGHT");
}

std::optional<rejection> check_housing(const HousingChange& h) {
  const std::string p = "housing_change.";
  if (auto r = required_enum(h.kind(), HousingChange::Kind_descriptor(), p + "kind")) return r;
  if (h.kind() == HousingChange::MOVE) {
    if (auto r = required(h.new_area(), p + "new_area", "for a MOVE (it decides who is told)")) {
      return r;
    }
  }
  return check_date_field(h.effective_date(), p + "effective_date");
}

// Outcomes answer concerns by id, so ids must be present and unique within their list.
std::optional<rejection> check_concern_id(const std::string& id, const std::string& field,
                                          std::unordered_set<std::string_view>& seen) {
  if (auto r = required(id, field)) return r;
  if (seen.insert(id).second) return std::nullopt;
  return reject(INVALID_FIELD, field, field + " " + quoted(id) + " is used more than once");
}

std::optional<rejection> check_referral(const Referral& ref) {
  const std::string p = "referral.";
  if (auto r = required(ref.referral_id(), p + "referral_id", "(outcomes answer it)")) return r;
  if (ref.concerns().empty()) {
    return reject(MISSING_FIELD, p + "concerns", p + "concerns needs at least one concern");
  }
  std::unordered_set<std::string_view> seen;
  for (int i = 0; i < ref.concerns_size(); ++i) {
    const Concern& c = ref.concerns(i);
    const std::string cp = indexed(p + "concerns", i) + ".";
    if (auto r = check_concern_id(c.concern_id(), cp + "concern_id", seen)) return r;
    if (auto r = required_enum(c.category(), Concern::Category_descriptor(), cp + "category")) {
      return r;
    }
  }
  // Sharing without consent is lawful when a child is at risk, but the reason must be recorded.
  if (ref.consent_obtained()) return std::nullopt;
  return required(ref.consent_override_reason(), p + "consent_override_reason",
                  "when consent_obtained is false (why sharing without consent is necessary)");
}

std::optional<rejection> check_referral_outcome(const ReferralOutcome& o) {
  const std::string p = "referral_outcome.";
  if (auto r = required(o.referral_id(), p + "referral_id")) return r;
  if (o.decisions().empty()) {
    return reject(MISSING_FIELD, p + "decisions", p + "decisions needs at least one decision");
  }
  std::unordered_set<std::string_view> seen;
  for (int i = 0; i < o.decisions_size(); ++i) {
    const ConcernDecision& d = o.decisions(i);
    const std::string dp = indexed(p + "decisions", i) + ".";
    if (auto r = check_concern_id(d.concern_id(), dp + "concern_id", seen)) return r;
    if (auto r =
            required_enum(d.decision(), ConcernDecision::Decision_descriptor(), dp + "decision")) {
      return r;
    }
  }
  return std::nullopt;
}

std::optional<rejection> check_transfer_notice(const TransferNotice& t) {
  const std::string p = "transfer_notice.";
  if (auto r = required(t.transfer_id(), p + "transfer_id")) return r;
  if (auto r = required(t.from_area(), p + "from_area")) return r;
  if (auto r = required(t.to_area(), p + "to_area")) return r;
  if (t.from_area() == t.to_area()) {
    return reject(INVALID_FIELD, p + "to_area",
                  p + "to_area " + quoted(t.to_area()) + " is the same as from_area");
  }
  return check_date_field(t.effective_date(), p + "effective_date");
}

std::optional<rejection> check_part_numbering(const RecordPart& part) {
  const std::string p = "record_part.";
  if (part.sequence() == 0) {
    return reject(MISSING_FIELD, p + "sequence", p + "sequence is required (1-based)");
  }
  if (part.total() == 0) return reject(MISSING_FIELD, p + "total", p + "total is required");
  if (part.sequence() <= part.total()) return std::nullopt;
  return reject(INVALID_FIELD, p + "sequence",
                p + "sequence " + std::to_string(part.sequence()) + " is greater than total " +
                    std::to_string(part.total()));
}

std::optional<rejection> check_record_part(const RecordPart& part) {
  const std::string p = "record_part.";
  if (auto r = required(part.transfer_id(), p + "transfer_id")) return r;
  if (auto r = required_enum(part.kind(), RecordPart::Kind_descriptor(), p + "kind")) return r;
  if (auto r = check_part_numbering(part)) return r;
  if (auto r = required(part.content_type(), p + "content_type")) return r;
  if (part.content_type().find('/') == std::string::npos) {
    return reject(
        INVALID_FIELD, p + "content_type",
        p + "content_type " + quoted(part.content_type()) + " is not a media type (type/subtype)");
  }
  return required(part.content(), p + "content");
}

std::optional<rejection> check_flag(const Flag& f) {
  const std::string p = "flag.";
  if (auto r = required(f.flag_type(), p + "flag_type")) return r;
  // Flags travel to people who may not be entitled to the child's identity.
  if (!f.subject_key().empty() &&
      (valid_nhs_number(f.subject_key()) || valid_upn(f.subject_key()))) {
    return reject(INVALID_FIELD, p + "subject_key",
                  p + "subject_key must be pseudonymous, not an NHS number or UPN");
  }
  return std::nullopt;
}

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::optional<rejection> check_content_type(const Notification& n) {
  if (n.body_case() != Notification::kRecordPart) return std::nullopt;
  const std::string& type = n.record_part().content_type();
  std::string top;  // the lower-cased type before '/', leading spaces ignored
  for (char c : type.substr(std::min(type.find_first_not_of(" \t"), type.size()))) {
    if (c == '/' || top.size() > 16) break;
    top += ascii_lower(c);
  }
  if (top != "image" && top != "video") return std::nullopt;
  return reject(IMAGE_CONTENT, "record_part.content_type",
                "record_part.content_type " + quoted(type) +
                    " declares image or video content; mab never carries images or video");
}

std::optional<rejection> check_body(const Notification& n) {
  // No default: a body kind added to the .proto fails the build (-Wswitch) until it has rules.
  switch (n.body_case()) {
    case Notification::kAttendanceConcern: return check_attendance(n.attendance_concern());
    case Notification::kMissingEpisode: return check_missing_episode(n.missing_episode());
    case Notification::kHealthConcern: return check_health(n.health_concern());
    case Notification::kHousingChange: return check_housing(n.housing_change());
    case Notification::kReferral: return check_referral(n.referral());
    case Notification::kReferralOutcome: return check_referral_outcome(n.referral_outcome());
    case Notification::kTransferNotice: return check_transfer_notice(n.transfer_notice());
    case Notification::kRecordPart: return check_record_part(n.record_part());
    case Notification::kFlag: return check_flag(n.flag());
    case Notification::BODY_NOT_SET: return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace mab::validate::detail

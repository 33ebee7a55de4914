// Content rules for a notification, checked after its signature: required fields per body kind,
// identifier check digits, dates, the clock-skew window, and the absolute ban on image or video
// content. Pure functions of their inputs (time is passed in), so they are fuzzable and
// deterministic.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/common/clock.h"
#include "mab/v1/envelope.pb.h"
#include "mab/v1/notification.pb.h"

namespace mab::validate {

// Why a message was refused: a stable code, the offending field path (protobuf field names,
// e.g. "subject.nhs_number" or "recipients[1]"), and a sentence for a person.
struct rejection {
  mab::v1::ReasonCode reason = mab::v1::REASON_UNSPECIFIED;
  std::string field;
  std::string detail;
};

struct limits {
  std::chrono::seconds clock_skew{300};
};

// The oneof field name of the body ("attendance_concern", ...), or "" when no body is set.
std::string body_kind(const mab::v1::Notification& n);

// All content rules, in a fixed order; the first failure wins. Does not check sender identity,
// signatures, routing or duplicates (the broker does). Rules:
//  - message_id: required, a UUID (MISSING_FIELD / INVALID_FIELD)
//  - sender: required (MISSING_FIELD)
//  - created_at: required; within `clock_skew` of `now` either way (CLOCK_SKEW)
//  - body: required (UNKNOWN_BODY_KIND when absent or an unknown field number)
//  - subject: required for every body except `flag`, with at least one of nhs_number, upn or a
//    local_id with both system and value (MISSING_FIELD "subject")
//  - subject.nhs_number when present: valid (INVALID_NHS_NUMBER); subject.upn: valid (INVALID_UPN)
//  - subject.date_of_birth and every YYYY-MM-DD date field: a real calendar date, not in the
//    future for date_of_birth (INVALID_FIELD)
//  - per body: the fields its recipients cannot act without (MISSING_FIELD, INVALID_FIELD),
//    e.g. missing_episode.police_reference, .status, .risk_grade; referral.concerns non-empty
//    with unique non-empty concern_id; referral_outcome.referral_id and every decision's
//    concern_id; transfer_notice from_area != to_area; record_part.transfer_id, kind,
//    1 <= sequence <= total, content_type
//  - images: any string or bytes field anywhere in the message that carries image or video data
//    (magic numbers of JPEG, PNG, GIF, WebP, HEIC/AVIF, BMP, TIFF, MP4/MOV, AVI, MKV/WebM, MPEG,
//    FLV; base64 or data: URLs of them), or a record_part content_type of image/* or video/*
//    (IMAGE_CONTENT, with the field and the format found)
std::optional<rejection> check(const mab::v1::Notification& n, time_point now, const limits& lim);

// NHS number: exactly 10 digits (spaces allowed between groups are NOT accepted: send digits),
// modulus 11 check digit; a computed check of 10 is invalid.
bool valid_nhs_number(std::string_view s);
// UPN: 13 characters; a check letter, 11 digits, then a digit or (temporary UPN) a letter from
// the check alphabet; the check letter is the weighted (2..13) sum mod 23 over that alphabet
// (A-Z without I, O, S).
bool valid_upn(std::string_view s);
// YYYY-MM-DD and a real date.
bool valid_iso_date(std::string_view s);
// The name of the image/video format whose signature appears in `data` ("JPEG", "PNG", ...),
// or nullopt. Looks at the start for short signatures and anywhere for distinctive ones, and
// decodes base64 / data: URLs first when the text looks like one.
std::optional<std::string> find_image_signature(std::string_view data);

}  // namespace mab::validate

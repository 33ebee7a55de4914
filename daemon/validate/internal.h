// Helpers shared by the validate sources; not part of the module's contract.
#pragma once

#include <google/protobuf/timestamp.pb.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/validate/validate.h"

namespace mab::validate::detail {

rejection reject(mab::v1::ReasonCode reason, std::string field, std::string detail);

// A sender's value made safe to echo in a detail: quoted, non-printable bytes escaped and long
// values cut short, so a detail stays one readable line whatever was sent.
std::string quoted(std::string_view value);

// Why an identifier is invalid, as a phrase following the quoted value ("is not 10 digits"), or
// nullopt when it is valid.
std::optional<std::string> nhs_number_problem(std::string_view s);
std::optional<std::string> upn_problem(std::string_view s);

std::optional<std::chrono::year_month_day> parse_iso_date(std::string_view s);
bool valid_uuid(std::string_view s);

// A YYYY-MM-DD field that, when present, must be a real date (INVALID_FIELD).
std::optional<rejection> check_date_field(std::string_view value, const std::string& field);

struct image_finding {
  std::string format;    // as find_image_signature names it
  std::string encoding;  // how it was hidden: "", "base64-encoded", "hex-encoded", "in a data: URL"
};
std::optional<image_finding> find_image(std::string_view data);

bool valid_timestamp(const google::protobuf::Timestamp& ts);

// Image and video content anywhere in the message, including fields this build does not know.
std::optional<rejection> check_images(const mab::v1::Notification& n);
// Every Timestamp in range and every enum value known, wherever they are in the message.
std::optional<rejection> check_structure(const mab::v1::Notification& n);
// A record_part whose declared content_type is image/* or video/* (IMAGE_CONTENT).
std::optional<rejection> check_content_type(const mab::v1::Notification& n);
// The rules of the body that is set (the body must be set).
std::optional<rejection> check_body(const mab::v1::Notification& n);

}  // namespace mab::validate::detail

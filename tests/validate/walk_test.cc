// The rules found by reflection: image content in any field (known or not), Timestamps, enums.
#include <gtest/gtest.h>

#include "daemon/validate/validate.h"
#include "tests/validate/fixtures.h"

namespace mab::validate {
namespace {

using namespace test;
using mab::v1::IMAGE_CONTENT;
using mab::v1::INVALID_FIELD;

std::optional<rejection> run(const Notification& n) { return check(n, fixed_now(), limits{}); }

void expect_image(const Notification& n, const std::string& field, const std::string& format) {
  auto r = run(n);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->reason, IMAGE_CONTENT);
  EXPECT_EQ(r->field, field);
  EXPECT_NE(r->detail.find(format), std::string::npos) << r->detail;
  EXPECT_NE(r->detail.find(field), std::string::npos) << r->detail;
}

TEST(ImageWalk, FindsImageBytesInRecordPartContent) {
  Notification n = valid_record_part();
  n.mutable_record_part()->set_content(jpeg_jfif);
  expect_image(n, "record_part.content", "JPEG");
}

TEST(ImageWalk, FindsBase64JpegInAReferralSummary) {
  Notification n = valid_referral();
  n.mutable_referral()->set_summary("Photo attached: " + base64(jpeg_jfif + std::string(20, 'x')));
  expect_image(n, "referral.summary", "JPEG");
  EXPECT_NE(run(n)->detail.find("base64"), std::string::npos);
}

TEST(ImageWalk, FindsDataUrlInANestedRepeatedField) {
  Notification n = valid_health_concern();
  n.mutable_health_concern()->add_appointments()->set_service("data:image/png;base64,iVBORw0KGgo");
  expect_image(n, "health_concern.appointments[1].service", "PNG");
}

TEST(ImageWalk, FindsImagesInSubjectIdentifiersAndRepeatedStrings) {
  Notification n = valid_attendance_concern();
  n.mutable_subject()->mutable_local_ids(0)->set_value(base64(png));
  expect_image(n, "subject.local_ids[0].value", "PNG");

  n = valid_attendance_concern();
  n.mutable_attendance_concern()->add_absence_codes(gif);
  expect_image(n, "attendance_concern.absence_codes[1]", "GIF");

  n = valid_referral();
  n.add_recipients("csc-1");
  n.add_recipients("data:video/mp4;base64,AAAA");
  expect_image(n, "recipients[1]", "MP4/MOV");
}

TEST(ImageWalk, FindsImagesInFieldsThisBuildDoesNotKnow) {
  Notification n = valid_referral();
  unknown_fields(n.mutable_subject())->AddLengthDelimited(42, png);
  expect_image(n, "subject.42", "PNG");

  // A newer nested message whose first string starts with a short signature.
  google::protobuf::UnknownFieldSet inner;
  inner.AddLengthDelimited(1, "\xFF\xD8\xFF\xE2\x00\x10ICC_PROFILE"s);
  std::string inner_bytes;
  inner.SerializeToString(&inner_bytes);
  n = valid_referral();
  unknown_fields(n.mutable_referral())->AddLengthDelimited(30, inner_bytes);
  expect_image(n, "referral.30.1", "JPEG");

  n = valid_referral();
  n.clear_body();
  unknown_fields(&n)->AddLengthDelimited(19, "summary " + base64(png));
  expect_image(n, "19", "PNG");
}

TEST(ImageWalk, RefusesImageAndVideoContentTypes) {
  for (const char* type : {"image/jpeg", "IMAGE/PNG", " video/mp4", "Video/quicktime"}) {
    Notification n = valid_record_part();
    n.mutable_record_part()->set_content_type(type);
    auto r = run(n);
    ASSERT_TRUE(r.has_value()) << type;
    EXPECT_EQ(r->reason, IMAGE_CONTENT);
    EXPECT_EQ(r->field, "record_part.content_type");
  }
  for (const char* type : {"application/pdf", "text/plain", "imagery/x", "application/json"}) {
    Notification n = valid_record_part();
    n.mutable_record_part()->set_content_type(type);
    EXPECT_FALSE(run(n).has_value()) << type;
  }
}

TEST(ImageWalk, RefusesImagesBeforeAnyOtherRule) {
  Notification n = valid_referral();
  n.clear_message_id();
  n.clear_created_at();
  n.mutable_referral()->set_summary(base64(png));
  expect_image(n, "referral.summary", "PNG");
}

TEST(ImageWalk, PassesEveryValidNotification) {
  for (const Notification& n : valid_notifications()) {
    auto r = run(n);
    EXPECT_FALSE(r.has_value()) << body_kind(n) << ": " << r->detail;
  }
}

TEST(StructureWalk, RefusesOutOfRangeTimestamps) {
  Notification n = valid_missing_episode();
  n.mutable_missing_episode()->mutable_returned_at()->set_nanos(-1);
  auto r = run(n);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->reason, INVALID_FIELD);
  EXPECT_EQ(r->field, "missing_episode.returned_at");

  n = valid_health_concern();
  n.mutable_health_concern()->mutable_appointments(0)->mutable_scheduled_at()->set_seconds(
      253402300800);
  r = run(n);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->field, "health_concern.appointments[0].scheduled_at");
}

TEST(StructureWalk, RefusesUnknownEnumValues) {
  Notification n = valid_housing_change();
  n.mutable_housing_change()->set_kind(static_cast<v1::HousingChange::Kind>(77));
  auto r = run(n);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->reason, INVALID_FIELD);
  EXPECT_EQ(r->field, "housing_change.kind");
  EXPECT_NE(r->detail.find("77"), std::string::npos);
}

}  // namespace
}  // namespace mab::validate

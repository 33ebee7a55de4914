// Notification-level rules and their order: message identity, addressing, clock skew, body
// presence and the subject.
#include "daemon/validate/validate.h"

#include <gtest/gtest.h>

#include <functional>

#include "tests/validate/fixtures.h"

namespace mab::validate {
namespace {

using namespace test;
using namespace std::chrono_literals;
using mab::v1::ReasonCode;

std::optional<rejection> run(const Notification& n, limits lim = {}) {
  return check(n, fixed_now(), lim);
}

void expect_refused(Notification n, const std::function<void(Notification&)>& breakage,
                    ReasonCode reason, const std::string& field) {
  breakage(n);
  auto r = run(n);
  ASSERT_TRUE(r.has_value()) << field;
  EXPECT_EQ(r->reason, reason) << r->detail;
  EXPECT_EQ(r->field, field) << r->detail;
  EXPECT_FALSE(r->detail.empty());
}

Notification created_at_offset(std::chrono::nanoseconds offset) {
  Notification n = valid_referral();
  const auto t = std::chrono::time_point_cast<std::chrono::nanoseconds>(fixed_now()) + offset;
  const auto s = std::chrono::floor<std::chrono::seconds>(t);
  n.mutable_created_at()->set_seconds(s.time_since_epoch().count());
  n.mutable_created_at()->set_nanos(static_cast<int>((t - s).count()));
  return n;
}

TEST(BodyKind, NamesTheOneofField) {
  EXPECT_EQ(body_kind(valid_attendance_concern()), "attendance_concern");
  EXPECT_EQ(body_kind(valid_record_part()), "record_part");
  EXPECT_EQ(body_kind(valid_flag()), "flag");
  EXPECT_EQ(body_kind(base_notification()), "");
}

TEST(Check, MessageId) {
  const Notification v = valid_referral();
  expect_refused(
      v, [](auto& n) { n.clear_message_id(); }, v1::MISSING_FIELD, "message_id");
  expect_refused(
      v, [](auto& n) { n.set_message_id("msg-1"); }, v1::INVALID_FIELD, "message_id");
  expect_refused(
      v, [](auto& n) { n.set_message_id("00000000-0000-0000-0000-000000000000"); },
      v1::INVALID_FIELD, "message_id");
}

TEST(Check, SenderAndRecipients) {
  const Notification v = valid_referral();
  expect_refused(
      v, [](auto& n) { n.clear_sender(); }, v1::MISSING_FIELD, "sender");
  expect_refused(
      v,
      [](auto& n) {
        n.add_recipients("csc-1");
        n.add_recipients("");
      },
      v1::INVALID_FIELD, "recipients[1]");
  expect_refused(
      v, [](auto& n) { n.add_recipients("CSC 1"); }, v1::INVALID_FIELD, "recipients[0]");
  expect_refused(
      v,
      [](auto& n) {
        n.add_recipients("csc-1");
        n.add_recipients("csc-1");
      },
      v1::INVALID_FIELD, "recipients[1]");
  expect_refused(
      v, [](auto& n) { n.set_correlation_id("R-1"); }, v1::INVALID_FIELD, "correlation_id");
  Notification ok = v;
  ok.add_recipients("csc-1");
  ok.add_recipients("police.e01");
  ok.set_correlation_id("9d7a3c1e-5d4a-4c6b-9e7f-0a1b2c3d4e5f");
  EXPECT_FALSE(run(ok).has_value());
}

TEST(Check, CreatedAtIsRequiredAndValid) {
  const Notification v = valid_referral();
  expect_refused(
      v, [](auto& n) { n.clear_created_at(); }, v1::MISSING_FIELD, "created_at");
  expect_refused(
      v, [](auto& n) { n.mutable_created_at()->set_nanos(1000000000); }, v1::INVALID_FIELD,
      "created_at");
}

TEST(Check, ClockSkewJustInsideIsAccepted) {
  EXPECT_FALSE(run(created_at_offset(300s)).has_value());
  EXPECT_FALSE(run(created_at_offset(-300s)).has_value());
  EXPECT_FALSE(run(created_at_offset(299s + 999ms)).has_value());
  EXPECT_FALSE(run(created_at_offset(-299s - 999999999ns)).has_value());
  EXPECT_FALSE(run(created_at_offset(0s)).has_value());
}

TEST(Check, ClockSkewJustOutsideIsRefused) {
  for (std::chrono::nanoseconds offset :
       {300s + 1ns, 300s + 1000000ns, -300s - 1ns, -300s - 1000000ns, 3600s + 0ns, -86400s + 0ns}) {
    auto r = run(created_at_offset(offset));
    ASSERT_TRUE(r.has_value()) << offset.count();
    EXPECT_EQ(r->reason, v1::CLOCK_SKEW);
    EXPECT_EQ(r->field, "created_at");
  }
  auto r = run(created_at_offset(301500ms));
  EXPECT_NE(r->detail.find("301.500 seconds ahead"), std::string::npos) << r->detail;
  r = run(created_at_offset(-301500ms));
  EXPECT_NE(r->detail.find("301.500 seconds behind"), std::string::npos) << r->detail;
}

TEST(Check, ClockSkewUsesTheConfiguredLimit) {
  EXPECT_TRUE(run(created_at_offset(60s), limits{std::chrono::seconds(30)}).has_value());
  EXPECT_FALSE(run(created_at_offset(-30s), limits{std::chrono::seconds(30)}).has_value());
  // Timestamps far from now (year 1 or 9999) must not overflow the comparison.
  Notification n = valid_referral();
  n.mutable_created_at()->set_seconds(-62135596800);
  EXPECT_EQ(run(n)->reason, v1::CLOCK_SKEW);
  n.mutable_created_at()->set_seconds(253402300799);
  EXPECT_EQ(run(n)->reason, v1::CLOCK_SKEW);
}

TEST(Check, BodyIsRequired) {
  auto r = run(base_notification());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->reason, v1::UNKNOWN_BODY_KIND);
  EXPECT_EQ(r->field, "body");
  EXPECT_NE(r->detail.find("no body"), std::string::npos) << r->detail;
}

TEST(Check, UnknownBodyKindIsNamedAsNewer) {
  Notification n = base_notification();
  google::protobuf::UnknownFieldSet body;
  body.AddVarint(1, 7);
  std::string bytes;
  body.SerializeToString(&bytes);
  unknown_fields(&n)->AddLengthDelimited(19, bytes);
  // The same message as a newer sender would serialize it, parsed by this build.
  Notification parsed;
  ASSERT_TRUE(parsed.ParseFromString(n.SerializeAsString()));
  auto r = run(parsed);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->reason, v1::UNKNOWN_BODY_KIND);
  EXPECT_NE(r->detail.find("field number 19"), std::string::npos) << r->detail;
  EXPECT_NE(r->detail.find("newer"), std::string::npos) << r->detail;
}

TEST(Check, SubjectIsRequiredWithAnIdentifier) {
  const Notification v = valid_referral();
  expect_refused(
      v, [](auto& n) { n.clear_subject(); }, v1::MISSING_FIELD, "subject");
  auto no_ids = [](Notification& n) {
    n.mutable_subject()->clear_nhs_number();
    n.mutable_subject()->clear_upn();
    n.mutable_subject()->clear_local_ids();
  };
  expect_refused(v, no_ids, v1::MISSING_FIELD, "subject");
  Notification only_local = v;
  no_ids(only_local);
  auto* id = only_local.mutable_subject()->add_local_ids();
  id->set_system("police:E01");
  id->set_value("P-99");
  EXPECT_FALSE(run(only_local).has_value());
  Notification only_upn = v;
  no_ids(only_upn);
  only_upn.mutable_subject()->set_upn("B801200005001");
  EXPECT_FALSE(run(only_upn).has_value());
}

TEST(Check, LocalIdsNeedSystemAndValue) {
  const Notification v = valid_referral();
  expect_refused(
      v, [](auto& n) { n.mutable_subject()->add_local_ids()->set_value("X"); }, v1::MISSING_FIELD,
      "subject.local_ids[1].system");
  expect_refused(
      v, [](auto& n) { n.mutable_subject()->mutable_local_ids(0)->clear_value(); },
      v1::MISSING_FIELD, "subject.local_ids[0].value");
}

TEST(Check, FlagNeedsNoSubjectButAPresentOneIsChecked) {
  EXPECT_FALSE(run(valid_flag()).has_value());
  Notification n = valid_flag();
  n.mutable_subject()->set_nhs_number("9434765918");
  EXPECT_EQ(run(n)->reason, v1::INVALID_NHS_NUMBER);
}

TEST(Check, NhsNumberDetailNamesTheRule) {
  Notification n = valid_referral();
  n.mutable_subject()->set_nhs_number("9434765918");
  auto r = run(n);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->reason, v1::INVALID_NHS_NUMBER);
  EXPECT_EQ(r->field, "subject.nhs_number");
  EXPECT_EQ(r->detail, "subject.nhs_number '9434765918' fails the modulus-11 check digit");
}

TEST(Check, UpnIsChecked) {
  Notification n = valid_referral();
  n.mutable_subject()->set_upn("A801200005001");
  auto r = run(n);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->reason, v1::INVALID_UPN);
  EXPECT_EQ(r->field, "subject.upn");
  EXPECT_EQ(r->detail, "subject.upn 'A801200005001' fails the modulus-23 check letter");
}

TEST(Check, DateOfBirth) {
  const Notification v = valid_referral();
  expect_refused(
      v, [](auto& n) { n.mutable_subject()->set_date_of_birth("2014-02-30"); }, v1::INVALID_FIELD,
      "subject.date_of_birth");
  expect_refused(
      v, [](auto& n) { n.mutable_subject()->set_date_of_birth("2025-06-17"); }, v1::INVALID_FIELD,
      "subject.date_of_birth");
  // Now is 2025-06-15T15:13Z: it is already the 16th in UTC+14.
  Notification born_today_east = v;
  born_today_east.mutable_subject()->set_date_of_birth("2025-06-16");
  EXPECT_FALSE(run(born_today_east).has_value());
  Notification no_dob = v;
  no_dob.mutable_subject()->clear_date_of_birth();
  EXPECT_FALSE(run(no_dob).has_value());
}

TEST(Check, DetailsQuoteValuesSafely) {
  Notification n = valid_referral();
  n.set_message_id(std::string("bad'\n") + std::string(100, 'x'));
  auto r = run(n);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->detail.find('\n'), std::string::npos);
  EXPECT_NE(r->detail.find("bad\\x27\\x0a"), std::string::npos) << r->detail;
  EXPECT_NE(r->detail.find("..."), std::string::npos) << r->detail;
  EXPECT_LT(r->detail.size(), 160u);
}

}  // namespace
}  // namespace mab::validate

// Per-body rules, each broken once in an otherwise valid notification.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "daemon/validate/validate.h"
#include "tests/validate/fixtures.h"

namespace mab::validate {
namespace {

using namespace test;
using mab::v1::INVALID_FIELD;
using mab::v1::MISSING_FIELD;
using mab::v1::ReasonCode;

// Applies `breakage` to `valid` and expects exactly this refusal.
void expect_refused(Notification n, const std::function<void(Notification&)>& breakage,
                    ReasonCode reason, const std::string& field) {
  breakage(n);
  auto r = check(n, fixed_now(), limits{});
  ASSERT_TRUE(r.has_value()) << field;
  EXPECT_EQ(r->reason, reason) << r->detail;
  EXPECT_EQ(r->field, field) << r->detail;
  EXPECT_NE(r->detail.find(field), std::string::npos) << r->detail;
}

void expect_accepted(Notification n, const std::function<void(Notification&)>& change) {
  change(n);
  auto r = check(n, fixed_now(), limits{});
  EXPECT_FALSE(r.has_value()) << r->field << ": " << r->detail;
}

TEST(Bodies, EveryValidBodyPasses) {
  for (const Notification& n : valid_notifications()) {
    auto r = check(n, fixed_now(), limits{});
    EXPECT_FALSE(r.has_value()) << body_kind(n) << ": " << r->detail;
  }
}

TEST(Bodies, AttendanceConcern) {
  const Notification v = valid_attendance_concern();
  auto a = [](Notification& n) { return n.mutable_attendance_concern(); };
  expect_refused(
      v, [&](auto& n) { a(n)->clear_kind(); }, MISSING_FIELD, "attendance_concern.kind");
  expect_refused(
      v, [&](auto& n) { a(n)->set_period_end("2025-02-30"); }, INVALID_FIELD,
      "attendance_concern.period_end");
  expect_refused(
      v, [&](auto& n) { a(n)->set_period_end("2025-04-01"); }, INVALID_FIELD,
      "attendance_concern.period_end");
  expect_refused(
      v, [&](auto& n) { a(n)->set_attended_sessions(77); }, INVALID_FIELD,
      "attendance_concern.attended_sessions");
  expect_refused(
      v, [&](auto& n) { a(n)->set_unauthorised_absences(80); }, INVALID_FIELD,
      "attendance_concern.possible_sessions");
  expect_refused(
      v, [&](auto& n) { a(n)->set_absence_rate_percent(101); }, INVALID_FIELD,
      "attendance_concern.absence_rate_percent");
  expect_refused(
      v, [&](auto& n) { a(n)->set_absence_rate_percent(std::nan("")); }, INVALID_FIELD,
      "attendance_concern.absence_rate_percent");
  expect_accepted(v, [&](auto& n) { a(n)->set_attended_sessions(76); });
  expect_accepted(v, [&](auto& n) { a(n)->clear_period_start(); });
}

TEST(Bodies, MissingEpisode) {
  const Notification v = valid_missing_episode();
  auto m = [](Notification& n) { return n.mutable_missing_episode(); };
  expect_refused(
      v, [&](auto& n) { m(n)->clear_police_reference(); }, MISSING_FIELD,
      "missing_episode.police_reference");
  expect_refused(
      v, [&](auto& n) { m(n)->clear_status(); }, MISSING_FIELD, "missing_episode.status");
  expect_refused(
      v, [&](auto& n) { m(n)->clear_risk_grade(); }, MISSING_FIELD, "missing_episode.risk_grade");
  expect_refused(
      v, [&](auto& n) { m(n)->set_risk_grade(static_cast<v1::MissingEpisode::RiskGrade>(9)); },
      INVALID_FIELD, "missing_episode.risk_grade");
}

TEST(Bodies, HealthConcern) {
  const Notification v = valid_health_concern();
  auto h = [](Notification& n) { return n.mutable_health_concern(); };
  expect_refused(
      v, [&](auto& n) { h(n)->clear_kind(); }, MISSING_FIELD, "health_concern.kind");
  expect_refused(
      v,
      [&](auto& n) {
        h(n)->clear_not_brought_count();
        h(n)->clear_appointments();
      },
      MISSING_FIELD, "health_concern.not_brought_count");
  expect_accepted(v, [&](auto& n) { h(n)->clear_not_brought_count(); });
  expect_accepted(v, [&](auto& n) {
    h(n)->set_kind(v1::HealthConcern::EMERGENCY_INJURY);
    h(n)->clear_not_brought_count();
    h(n)->clear_appointments();
  });
}

TEST(Bodies, HousingChange) {
  const Notification v = valid_housing_change();
  auto h = [](Notification& n) { return n.mutable_housing_change(); };
  expect_refused(
      v, [&](auto& n) { h(n)->clear_kind(); }, MISSING_FIELD, "housing_change.kind");
  expect_refused(
      v, [&](auto& n) { h(n)->clear_new_area(); }, MISSING_FIELD, "housing_change.new_area");
  expect_refused(
      v, [&](auto& n) { h(n)->set_effective_date("01/06/2025"); }, INVALID_FIELD,
      "housing_change.effective_date");
  expect_accepted(v, [&](auto& n) {
    h(n)->set_kind(v1::HousingChange::TEMPORARY_ACCOMMODATION);
    h(n)->clear_new_area();
  });
}

TEST(Bodies, Referral) {
  const Notification v = valid_referral();
  auto r = [](Notification& n) { return n.mutable_referral(); };
  expect_refused(
      v, [&](auto& n) { r(n)->clear_referral_id(); }, MISSING_FIELD, "referral.referral_id");
  expect_refused(
      v, [&](auto& n) { r(n)->clear_concerns(); }, MISSING_FIELD, "referral.concerns");
  expect_refused(
      v, [&](auto& n) { r(n)->mutable_concerns(1)->clear_concern_id(); }, MISSING_FIELD,
      "referral.concerns[1].concern_id");
  expect_refused(
      v, [&](auto& n) { r(n)->mutable_concerns(1)->set_concern_id("c1"); }, INVALID_FIELD,
      "referral.concerns[1].concern_id");
  expect_refused(
      v, [&](auto& n) { r(n)->mutable_concerns(0)->clear_category(); }, MISSING_FIELD,
      "referral.concerns[0].category");
  expect_refused(
      v, [&](auto& n) { r(n)->set_consent_obtained(false); }, MISSING_FIELD,
      "referral.consent_override_reason");
  expect_accepted(v, [&](auto& n) {
    r(n)->set_consent_obtained(false);
    r(n)->set_consent_override_reason("Asking the parent would put the child at risk.");
  });
}

TEST(Bodies, ReferralOutcome) {
  const Notification v = valid_referral_outcome();
  auto o = [](Notification& n) { return n.mutable_referral_outcome(); };
  expect_refused(
      v, [&](auto& n) { o(n)->clear_referral_id(); }, MISSING_FIELD,
      "referral_outcome.referral_id");
  expect_refused(
      v, [&](auto& n) { o(n)->clear_decisions(); }, MISSING_FIELD, "referral_outcome.decisions");
  expect_refused(
      v, [&](auto& n) { o(n)->mutable_decisions(0)->clear_concern_id(); }, MISSING_FIELD,
      "referral_outcome.decisions[0].concern_id");
  expect_refused(
      v, [&](auto& n) { o(n)->mutable_decisions(1)->set_concern_id("c1"); }, INVALID_FIELD,
      "referral_outcome.decisions[1].concern_id");
  expect_refused(
      v, [&](auto& n) { o(n)->mutable_decisions(1)->clear_decision(); }, MISSING_FIELD,
      "referral_outcome.decisions[1].decision");
}

TEST(Bodies, TransferNotice) {
  const Notification v = valid_transfer_notice();
  auto t = [](Notification& n) { return n.mutable_transfer_notice(); };
  expect_refused(
      v, [&](auto& n) { t(n)->clear_transfer_id(); }, MISSING_FIELD, "transfer_notice.transfer_id");
  expect_refused(
      v, [&](auto& n) { t(n)->clear_from_area(); }, MISSING_FIELD, "transfer_notice.from_area");
  expect_refused(
      v, [&](auto& n) { t(n)->clear_to_area(); }, MISSING_FIELD, "transfer_notice.to_area");
  expect_refused(
      v, [&](auto& n) { t(n)->set_to_area("E09000001"); }, INVALID_FIELD,
      "transfer_notice.to_area");
  expect_refused(
      v, [&](auto& n) { t(n)->set_effective_date("2025-13-01"); }, INVALID_FIELD,
      "transfer_notice.effective_date");
}

TEST(Bodies, RecordPart) {
  const Notification v = valid_record_part();
  auto p = [](Notification& n) { return n.mutable_record_part(); };
  expect_refused(
      v, [&](auto& n) { p(n)->clear_transfer_id(); }, MISSING_FIELD, "record_part.transfer_id");
  expect_refused(
      v, [&](auto& n) { p(n)->clear_kind(); }, MISSING_FIELD, "record_part.kind");
  expect_refused(
      v, [&](auto& n) { p(n)->clear_sequence(); }, MISSING_FIELD, "record_part.sequence");
  expect_refused(
      v, [&](auto& n) { p(n)->clear_total(); }, MISSING_FIELD, "record_part.total");
  expect_refused(
      v, [&](auto& n) { p(n)->set_sequence(3); }, INVALID_FIELD, "record_part.sequence");
  expect_refused(
      v, [&](auto& n) { p(n)->clear_content_type(); }, MISSING_FIELD, "record_part.content_type");
  expect_refused(
      v, [&](auto& n) { p(n)->set_content_type("pdf"); }, INVALID_FIELD,
      "record_part.content_type");
  expect_refused(
      v, [&](auto& n) { p(n)->clear_content(); }, MISSING_FIELD, "record_part.content");
  expect_accepted(v, [&](auto& n) { p(n)->set_sequence(2); });
}

TEST(Bodies, Flag) {
  const Notification v = valid_flag();
  auto f = [](Notification& n) { return n.mutable_flag(); };
  expect_refused(
      v, [&](auto& n) { f(n)->clear_flag_type(); }, MISSING_FIELD, "flag.flag_type");
  expect_refused(
      v, [&](auto& n) { f(n)->set_subject_key("9434765919"); }, INVALID_FIELD, "flag.subject_key");
  expect_refused(
      v, [&](auto& n) { f(n)->set_subject_key("B801200005001"); }, INVALID_FIELD,
      "flag.subject_key");
}

}  // namespace
}  // namespace mab::validate

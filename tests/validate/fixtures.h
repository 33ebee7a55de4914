// Valid notifications of every body kind, and byte strings of real image formats, for the
// validate tests. Each test breaks one thing in a valid message, so a failure names one rule.
#pragma once

#include <google/protobuf/unknown_field_set.h>

#include <string>
#include <string_view>
#include <vector>

#include "daemon/common/clock.h"
#include "mab/v1/notification.pb.h"

namespace mab::validate::test {

using mab::v1::Notification;
using namespace std::literals;

// 2025-06-15T15:13:20Z.
inline time_point fixed_now() { return from_unix_ms(1750000400000); }

inline void set_time(google::protobuf::Timestamp* ts, time_point t) {
  const auto ms = to_unix_ms(t);
  ts->set_seconds(ms / 1000);
  ts->set_nanos(static_cast<int>(ms % 1000) * 1000000);
}

// Where a newer sender's fields land when this build parses its message.
inline google::protobuf::UnknownFieldSet* unknown_fields(google::protobuf::Message* m) {
  return m->GetReflection()->MutableUnknownFields(m);
}

inline Notification base_notification() {
  Notification n;
  n.set_message_id("3f2b8c1e-5d4a-4c6b-9e7f-0a1b2c3d4e5f");
  n.set_sender("school-1");
  set_time(n.mutable_created_at(), fixed_now());
  auto* s = n.mutable_subject();
  s->set_nhs_number("9434765919");
  s->set_upn("B801200005001");
  auto* id = s->add_local_ids();
  id->set_system("csc:E09000001");
  id->set_value("C-1234");
  s->set_given_name("Alex");
  s->set_family_name("Example");
  s->set_date_of_birth("2014-03-02");
  s->set_area("E09000001");
  return n;
}

inline Notification valid_attendance_concern() {
  Notification n = base_notification();
  auto* a = n.mutable_attendance_concern();
  a->set_kind(v1::AttendanceConcern::PERSISTENT_ABSENCE);
  a->set_school_urn("100000");
  a->set_period_start("2025-04-22");
  a->set_period_end("2025-06-13");
  a->set_possible_sessions(76);
  a->set_attended_sessions(60);
  a->set_authorised_absences(4);
  a->set_unauthorised_absences(12);
  a->set_absence_rate_percent(21.05);
  a->add_absence_codes("O");
  a->set_summary("Absence has risen sharply since Easter.");
  return n;
}

inline Notification valid_missing_episode() {
  Notification n = base_notification();
  auto* m = n.mutable_missing_episode();
  m->set_police_reference("E01-2025-000123");
  m->set_episode_id("ep-77");
  m->set_status(v1::MissingEpisode::REPORTED_MISSING);
  m->set_risk_grade(v1::MissingEpisode::HIGH);
  set_time(m->mutable_last_seen_at(), fixed_now() - std::chrono::hours(5));
  m->add_cse_indicators("older associates");
  return n;
}

inline Notification valid_health_concern() {
  Notification n = base_notification();
  auto* h = n.mutable_health_concern();
  h->set_kind(v1::HealthConcern::NOT_BROUGHT);
  h->set_organisation_ods_code("RJ1");
  h->set_not_brought_count(3);
  h->set_window_days(90);
  auto* appt = h->add_appointments();
  appt->set_appointment_id("A-1");
  appt->set_service("paediatrics");
  appt->set_status("noshow");
  set_time(appt->mutable_scheduled_at(), fixed_now() - std::chrono::hours(24 * 10));
  return n;
}

inline Notification valid_housing_change() {
  Notification n = base_notification();
  auto* h = n.mutable_housing_change();
  h->set_kind(v1::HousingChange::MOVE);
  h->set_previous_area("E09000001");
  h->set_new_area("E09000002");
  h->set_effective_date("2025-06-01");
  h->mutable_new_address()->set_postcode("SW1A 1AA");
  return n;
}

inline Notification valid_referral() {
  Notification n = base_notification();
  auto* r = n.mutable_referral();
  r->set_referral_id("R-2025-0042");
  auto* c1 = r->add_concerns();
  c1->set_concern_id("c1");
  c1->set_category(v1::Concern::NEGLECT);
  c1->set_description("Often arrives hungry.");
  auto* c2 = r->add_concerns();
  c2->set_concern_id("c2");
  c2->set_category(v1::Concern::EMOTIONAL_ABUSE);
  r->set_referrer_name("J. Teacher");
  r->set_consent_obtained(true);
  r->set_summary("Two concerns raised by the designated safeguarding lead.");
  return n;
}

inline Notification valid_referral_outcome() {
  Notification n = base_notification();
  auto* o = n.mutable_referral_outcome();
  o->set_referral_id("R-2025-0042");
  auto* d1 = o->add_decisions();
  d1->set_concern_id("c1");
  d1->set_decision(v1::ConcernDecision::EARLY_HELP);
  auto* d2 = o->add_decisions();
  d2->set_concern_id("c2");
  d2->set_decision(v1::ConcernDecision::CHILD_IN_NEED_ASSESSMENT);
  set_time(o->mutable_decided_at(), fixed_now() - std::chrono::hours(2));
  return n;
}

inline Notification valid_transfer_notice() {
  Notification n = base_notification();
  auto* t = n.mutable_transfer_notice();
  t->set_transfer_id("T-9");
  t->set_from_area("E09000001");
  t->set_to_area("E09000002");
  t->set_effective_date("2025-07-01");
  t->set_child_protection_plan(true);
  return n;
}

inline Notification valid_record_part() {
  Notification n = base_notification();
  auto* p = n.mutable_record_part();
  p->set_transfer_id("T-9");
  p->set_kind(v1::RecordPart::CHILD_PROTECTION_PLAN);
  p->set_sequence(1);
  p->set_total(2);
  p->set_content_type("application/pdf");
  p->set_content("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n");
  return n;
}

inline Notification valid_flag() {
  Notification n = base_notification();
  n.clear_subject();
  auto* f = n.mutable_flag();
  f->set_flag_id("F-1");
  f->set_flag_type("UNACKNOWLEDGED");
  f->set_state("RAISED");
  f->set_subject_key("k:7f3a9c");
  f->set_owed_by("csc-e09000001");
  return n;
}

inline std::vector<Notification> valid_notifications() {
  return {valid_attendance_concern(), valid_missing_episode(), valid_health_concern(),
          valid_housing_change(),     valid_referral(),        valid_referral_outcome(),
          valid_transfer_notice(),    valid_record_part(),     valid_flag()};
}

// The first bytes of real files, as their encoders write them.
inline const std::string jpeg_jfif =
    "\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"s;
inline const std::string png =
    "\x89PNG\r\n\x1A\n\x00\x00\x00\x0DIHDR\x00\x00\x00\x10\x00\x00\x00\x10"s;
inline const std::string gif = "GIF89a\x10\x00\x10\x00\x80\x00\x00"s;

inline std::string base64(std::string_view bytes) {
  static constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned v = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16 |
                       static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out += alphabet[(v >> shift) & 63];
  }
  if (i < bytes.size()) {
    unsigned v = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16;
    if (i + 1 < bytes.size())
      v |= static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace mab::validate::test

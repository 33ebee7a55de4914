// The notification every benchmark works on: the README's persistent-absence concern, so sizes
// match what a school adapter really sends (a few hundred bytes).
#pragma once

#include <string>

#include "mab/v1/notification.pb.h"

namespace mab::bench {

inline mab::v1::Notification sample_notification(const std::string& message_id,
                                                 const std::string& sender,
                                                 const std::string& area) {
  mab::v1::Notification n;
  n.set_message_id(message_id);
  n.set_sender(sender);
  n.mutable_created_at()->set_seconds(1'795'000'000);
  auto* s = n.mutable_subject();
  s->set_upn("P207000016049");
  s->set_given_name("Ava");
  s->set_family_name("Example");
  s->set_date_of_birth("2015-05-17");
  s->set_preferred_language("pl");
  s->set_interpreter_required(true);
  s->set_area(area);
  auto* c = n.mutable_attendance_concern();
  c->set_kind(mab::v1::AttendanceConcern::PERSISTENT_ABSENCE);
  c->set_school_urn("100000");
  c->set_period_start("2026-09-03");
  c->set_period_end("2026-11-20");
  c->set_possible_sessions(108);
  c->set_attended_sessions(86);
  c->set_authorised_absences(6);
  c->set_unauthorised_absences(16);
  c->set_absence_rate_percent(20.4);
  for (const char* code : {"O", "G", "N"}) c->add_absence_codes(code);
  c->set_summary("Attendance has fallen since September; unauthorised absences mostly on Mondays.");
  return n;
}

}  // namespace mab::bench

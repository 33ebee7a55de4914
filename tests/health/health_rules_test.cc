#include <gtest/gtest.h>

#include "adapters/health/rules.h"

namespace mab::health {
namespace {

using HC = mab::v1::HealthConcern;
using namespace std::chrono;

days_time date(int y, unsigned m, unsigned d) {
  return sys_days(year_month_day(year(y), month(m), day(d)));
}
seconds_time at(days_time d, int hours = 9, int minutes = 0) {
  return seconds_time(d) + std::chrono::hours(hours) + std::chrono::minutes(minutes);
}

result<settings> load(const std::string& toml_text) {
  return load_settings(toml::parse(toml_text), "h.toml");
}

TEST(settings, defaults_need_only_the_ods_code) {
  auto s = load("[health]\nods_code = \"RQM01\"\n");
  ASSERT_TRUE(s) << s.message();
  EXPECT_EQ(s->ods_code, "RQM01");
  EXPECT_EQ(s->not_brought_threshold, 2u);
  EXPECT_EQ(s->not_brought_window_days, 183u);
  EXPECT_EQ(s->new_birth_days, 28u);
  EXPECT_EQ(s->self_harm_codes, (std::set<std::string>{"248062006"}));
  EXPECT_EQ(s->injury_codes, (std::set<std::string>{"417746004", "125605004"}));
}

TEST(settings, overrides) {
  auto s = load(
      "[health]\nods_code = \"RQM\"\n[thresholds]\nnot_brought_threshold = 3\n"
      "not_brought_window_days = 365\nnew_birth_days = 0\n"
      "[codes]\nself_harm = [\"248062006\", \"66071002\"]\ninjury = []\n");
  ASSERT_TRUE(s) << s.message();
  EXPECT_EQ(s->not_brought_threshold, 3u);
  EXPECT_EQ(s->not_brought_window_days, 365u);
  EXPECT_EQ(s->new_birth_days, 0u);
  EXPECT_EQ(s->self_harm_codes, (std::set<std::string>{"248062006", "66071002"}));
  EXPECT_TRUE(s->injury_codes.empty());
}

TEST(settings, every_error_at_once_with_line_field_and_rule) {
  EXPECT_EQ(load("").message(), "h.toml: health.ods_code: is required");
  auto s = load(
      "[health]\nods_code = \"rqm01\"\nname = \"x\"\n"
      "[thresholds]\nnot_brought_threshold = 0\nnot_brought_window_days = 1.5\n"
      "new_birth_days = \"28\"\nwindow = 2\n"
      "[codes]\nself_harm = \"248062006\"\ninjury = [\"ABC123\"]\nother = []\n");
  ASSERT_FALSE(s);
  const std::string& m = s.message();
  for (const char* expected :
       {"h.toml:2: health.ods_code: must be an ODS organisation code",
        "h.toml:3: health.name: unknown key",
        "h.toml:5: thresholds.not_brought_threshold: must be a whole number from 1 to 1000",
        "h.toml:6: thresholds.not_brought_window_days: must be a whole number from 1 to 3660",
        "h.toml:7: thresholds.new_birth_days: must be a whole number from 0 to 366",
        "h.toml:8: thresholds.window: unknown key",
        "h.toml:10: codes.self_harm: must be a list of SNOMED CT codes",
        "h.toml:11: codes.injury: must be a list of SNOMED CT codes",
        "h.toml:12: codes.other: unknown key"}) {
    EXPECT_NE(m.find(expected), std::string::npos) << expected << "\n" << m;
  }
}

TEST(is_child, up_to_the_day_before_the_eighteenth_birthday) {
  EXPECT_TRUE(is_child(date(2008, 3, 1), date(2026, 2, 28)));
  EXPECT_FALSE(is_child(date(2008, 3, 1), date(2026, 3, 1)));
  // Born on 29 February: 18 on 1 March in a year without one.
  EXPECT_TRUE(is_child(date(2008, 2, 29), date(2026, 2, 28)));
  EXPECT_FALSE(is_child(date(2008, 2, 29), date(2026, 3, 1)));
  EXPECT_TRUE(is_child(date(2026, 2, 1), date(2026, 2, 1)));  // a newborn
}

patient_record with_noshows(const std::vector<seconds_time>& starts) {
  patient_record r;
  int n = 0;
  for (auto t : starts) {
    const std::string id = "a-" + std::to_string(++n);
    r.noshows[id] = noshow{id, "Paediatrics", t};
  }
  return r;
}

TEST(worst_window, one_noshow_is_a_count_of_one_and_none_is_zero) {
  EXPECT_EQ(worst_window(patient_record{}, 183).count, 0u);
  auto w = worst_window(with_noshows({at(date(2026, 1, 10))}), 183);
  EXPECT_EQ(w.count, 1u);
  ASSERT_EQ(w.appointments.size(), 1u);
}

TEST(worst_window, edge_at_183_and_184_days_by_calendar_day) {
  const auto d0 = date(2025, 9, 1);
  // 183 days apart, late evening then early morning: still within the window.
  auto in = worst_window(with_noshows({at(d0, 23, 59), at(d0 + days(183), 0, 1)}), 183);
  EXPECT_EQ(in.count, 2u);
  auto out = worst_window(with_noshows({at(d0, 0, 1), at(d0 + days(184), 23, 59)}), 183);
  EXPECT_EQ(out.count, 1u);
  ASSERT_EQ(out.appointments.size(), 1u);
  EXPECT_EQ(out.appointments[0].id, "a-2");  // of equal windows, the latest
}

TEST(worst_window, largest_window_wins_and_carries_its_appointments_in_time_order) {
  const auto d0 = date(2025, 1, 1);
  // Recorded out of order: ids do not follow time.
  auto w = worst_window(
      with_noshows({at(d0 + days(250)), at(d0), at(d0 + days(100)), at(d0 + days(260))}), 183);
  EXPECT_EQ(w.count, 3u);  // days 100, 250, 260
  ASSERT_EQ(w.appointments.size(), 3u);
  EXPECT_EQ(w.appointments[0].id, "a-3");
  EXPECT_EQ(w.appointments[1].id, "a-1");
  EXPECT_EQ(w.appointments[2].id, "a-4");
}

encounter emergency(std::vector<std::string> codes, const std::string& status = "finished") {
  encounter e;
  e.id = "e-1";
  e.status = status;
  for (auto& c : codes) e.reasons.push_back({c, ""});
  return e;
}

TEST(emergency_kind, self_harm_and_injury_codes) {
  const settings s;
  EXPECT_EQ(emergency_kind(emergency({"248062006"}), s), HC::EMERGENCY_SELF_HARM);
  EXPECT_EQ(emergency_kind(emergency({"417746004"}), s), HC::EMERGENCY_INJURY);
  EXPECT_EQ(emergency_kind(emergency({"125605004"}), s), HC::EMERGENCY_INJURY);
  EXPECT_EQ(emergency_kind(emergency({"417746004", "248062006"}), s), HC::EMERGENCY_SELF_HARM);
  EXPECT_FALSE(emergency_kind(emergency({"22298006"}), s));  // myocardial infarction
  EXPECT_FALSE(emergency_kind(emergency({}), s));
  EXPECT_FALSE(emergency_kind(emergency({"248062006"}, "cancelled"), s));
  EXPECT_FALSE(emergency_kind(emergency({"248062006"}, "entered-in-error"), s));
  settings custom;
  custom.injury_codes = {"22298006"};
  EXPECT_EQ(emergency_kind(emergency({"22298006"}), custom), HC::EMERGENCY_INJURY);
  EXPECT_FALSE(emergency_kind(emergency({"417746004"}), custom));
}

patient child(const std::string& born_text, days_time born, const std::string& gp = "") {
  patient p;
  p.entry = 1;
  p.nhs_number = "4857773457";
  p.given_name = "Baby";
  p.family_name = "Example";
  p.birth_date = born_text;
  p.born = born;
  p.address_line1 = "12 Acacia Avenue, ";
  p.postcode = "SW1A 1AA";
  p.gp_ods = gp;
  return p;
}

TEST(household_key, postcode_and_first_line_or_nothing) {
  auto p = child("2026-02-20", date(2026, 2, 20));
  EXPECT_EQ(household_key(p), "SW1A 1AA|12 ACACIA AVENUE");
  p.address_line1 = "12 acacia   avenue";
  EXPECT_EQ(household_key(p), "SW1A 1AA|12 ACACIA AVENUE");
  p.postcode.clear();
  EXPECT_EQ(household_key(p), "");
  p.postcode = "SW1A 1AA";
  p.address_line1.clear();
  EXPECT_EQ(household_key(p), "");
}

TEST(household_signal, new_birth_within_the_days_else_gp_registration) {
  const settings s;
  const auto now = at(date(2026, 3, 1), 22);
  const patient_record unseen;
  EXPECT_EQ(household_signal(child("", date(2026, 2, 1)), unseen, now, s),
            HC::NEW_BIRTH_IN_HOUSEHOLD);  // 28 days
  EXPECT_EQ(household_signal(child("", date(2026, 3, 1)), unseen, now, s),
            HC::NEW_BIRTH_IN_HOUSEHOLD);                                         // today
  EXPECT_FALSE(household_signal(child("", date(2026, 1, 31)), unseen, now, s));  // 29, no GP
  EXPECT_EQ(household_signal(child("", date(2026, 1, 31), "A81001"), unseen, now, s),
            HC::NEW_GP_REGISTRATION);
}

TEST(household_signal, only_what_is_new_to_the_household_or_the_gp) {
  const settings s;
  const auto now = at(date(2026, 3, 1));
  const auto p = child("", date(2026, 2, 20), "A81001");
  patient_record here;
  here.seen = true;
  here.household = household_key(p);
  here.gp_ods = "A81001";
  EXPECT_FALSE(household_signal(p, here, now, s));  // the same baby, already seen here
  here.gp_ods = "";
  EXPECT_EQ(household_signal(p, here, now, s), HC::NEW_GP_REGISTRATION);
  here.gp_ods = "B82002";
  EXPECT_EQ(household_signal(p, here, now, s), HC::NEW_GP_REGISTRATION);
  patient_record elsewhere = here;
  elsewhere.household = "M1 1AE|1 OTHER ROAD";
  EXPECT_EQ(household_signal(p, elsewhere, now, s), HC::NEW_BIRTH_IN_HOUSEHOLD);
}

TEST(patient_record, json_round_trip_and_corrupt_state) {
  auto r = with_noshows({at(date(2026, 1, 10)), at(date(2026, 2, 10))});
  r.household = "SW1A 1AA|12 ACACIA AVENUE";
  r.gp_ods = "A81001";
  auto back = patient_record::from_json(r.to_json());
  ASSERT_TRUE(back) << back.message();
  EXPECT_TRUE(back->seen);
  EXPECT_EQ(back->to_json(), r.to_json());
  EXPECT_EQ(back->noshows.at("a-2").start, at(date(2026, 2, 10)));
  EXPECT_FALSE(patient_record::from_json("{}"));
  EXPECT_FALSE(patient_record::from_json("not json"));
}

TEST(notifications, not_brought_carries_count_window_and_appointments) {
  settings s;
  s.ods_code = "RQM01";
  auto p = child("2015-05-17", date(2015, 5, 17));
  auto w = worst_window(with_noshows({at(date(2026, 1, 10)), at(date(2026, 2, 10))}), 183);
  auto n = not_brought_concern(p, "E09000001", s, w);
  EXPECT_EQ(n.subject().nhs_number(), "4857773457");
  EXPECT_EQ(n.subject().given_name(), "Baby");
  EXPECT_EQ(n.subject().date_of_birth(), "2015-05-17");
  EXPECT_EQ(n.subject().area(), "E09000001");
  const auto& h = n.health_concern();
  EXPECT_EQ(h.kind(), HC::NOT_BROUGHT);
  EXPECT_EQ(h.organisation_ods_code(), "RQM01");
  EXPECT_EQ(h.not_brought_count(), 2u);
  EXPECT_EQ(h.window_days(), 183u);
  ASSERT_EQ(h.appointments_size(), 2);
  EXPECT_EQ(h.appointments(0).appointment_id(), "a-1");
  EXPECT_EQ(h.appointments(0).status(), "noshow");
  EXPECT_EQ(h.appointments(0).service(), "Paediatrics");
  EXPECT_EQ(h.appointments(1).scheduled_at().seconds(),
            at(date(2026, 2, 10)).time_since_epoch().count());
  EXPECT_EQ(h.summary(),
            "not brought to 2 appointments within 183 days: 2026-01-10 Paediatrics; 2026-02-10 "
            "Paediatrics");
  EXPECT_EQ(not_brought_key(p, 2), "4857773457/not_brought/2");
}

TEST(notifications, emergency_uses_the_provider_and_encounter_time) {
  settings s;
  s.ods_code = "RQM01";
  auto e = emergency({"248062006", "22298006"});
  e.reasons[0].display = "Self-injurious behaviour";
  e.start = at(date(2026, 2, 20), 23, 10);
  e.provider_ods = "RAL01";
  auto n = emergency_concern(child("2015-05-17", date(2015, 5, 17)), "E09000001", s, e,
                             HC::EMERGENCY_SELF_HARM);
  const auto& h = n.health_concern();
  EXPECT_EQ(h.kind(), HC::EMERGENCY_SELF_HARM);
  EXPECT_EQ(h.organisation_ods_code(), "RAL01");
  EXPECT_EQ(h.encounter_at().seconds(), e.start.time_since_epoch().count());
  EXPECT_EQ(h.summary(),
            "emergency attendance e-1 for self-harm: Self-injurious behaviour (SNOMED CT "
            "248062006)");
  EXPECT_EQ(encounter_key(e), "encounter/e-1");
}

TEST(notifications, household_signals_name_the_new_patient) {
  settings s;
  s.ods_code = "RQM01";
  auto p = child("2026-02-20", date(2026, 2, 20), "A81001");
  auto birth = household_concern(p, "E09000001", s, HC::NEW_BIRTH_IN_HOUSEHOLD);
  EXPECT_EQ(birth.subject().nhs_number(), "4857773457");
  EXPECT_EQ(birth.health_concern().kind(), HC::NEW_BIRTH_IN_HOUSEHOLD);
  EXPECT_NE(birth.health_concern().summary().find("born 2026-02-20"), std::string::npos);
  auto gp = household_concern(p, "E09000001", s, HC::NEW_GP_REGISTRATION);
  EXPECT_NE(gp.health_concern().summary().find("GP practice A81001"), std::string::npos);
  EXPECT_EQ(household_signal_key(p, HC::NEW_BIRTH_IN_HOUSEHOLD), "4857773457/new_birth");
  EXPECT_EQ(household_signal_key(p, HC::NEW_GP_REGISTRATION),
            "4857773457/new_gp_registration/A81001@SW1A 1AA|12 ACACIA AVENUE");
}

}  // namespace
}  // namespace mab::health

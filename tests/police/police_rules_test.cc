#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "adapters/police/rules.h"
#include "daemon/validate/validate.h"
#include "tests/fakes/fake_clock.h"
#include "tests/kit/tmpdir.h"

namespace mab::police {
namespace {

using Episode = mab::v1::MissingEpisode;
using namespace std::chrono_literals;

constexpr const char* upn = "P207000016049";
constexpr const char* nhs = "9434765919";

// A line for reference `ref`; `extra` is spliced in as further members.
std::string line(const std::string& ref, const std::string& risk, const std::string& extra = "",
                 const std::string& reported = "2026-03-01T23:05:00Z") {
  return R"({"police_reference":")" + ref + R"(","upn":")" + upn + R"(","reported_at":")" +
         reported + R"(","risk":")" + risk + "\"" + (extra.empty() ? "" : "," + extra) + "}";
}

time_point at(const std::string& rfc3339) {
  auto r = parse_line(line("X", "low", "", rfc3339));
  EXPECT_TRUE(r) << r.message();
  return r ? r->reported_at : time_point{};
}

std::string problem(const std::string& text) {
  auto r = parse_line(text);
  EXPECT_FALSE(r) << text;
  return r ? std::string() : r.message();
}

TEST(parse_line, reads_every_field_and_normalises_identifiers) {
  auto r = parse_line(
      R"({"police_reference":" MP/26/000123 ","upn":"p207000016049","nhs_number":"943 476 5919",)"
      R"("given_name":"Ava","family_name":"Example","date_of_birth":"2012-05-17","area":"E08000025",)"
      R"("last_seen_at":"2026-03-01T22:15:00Z","reported_at":"2026-03-01T23:05:00Z","risk":"medium",)"
      R"("cse_indicators":["older associates","unexplained gifts"],"found_at":"2026-03-02T09:30:00Z",)"
      R"("location_found":"bus station","interview_held_at":"2026-03-03T14:00:00Z","summary":"s"})");
  ASSERT_TRUE(r) << r.message();
  EXPECT_EQ(r->police_reference, "MP/26/000123");
  EXPECT_EQ(r->upn, upn);
  EXPECT_EQ(r->nhs_number, nhs);
  EXPECT_EQ(r->date_of_birth, "2012-05-17");
  EXPECT_EQ(r->area, "E08000025");
  EXPECT_EQ(r->risk, Episode::MEDIUM);
  EXPECT_EQ(r->cse_indicators, (std::vector<std::string>{"older associates", "unexplained gifts"}));
  ASSERT_TRUE(r->last_seen_at && r->found_at && r->interview_held_at);
  EXPECT_EQ(r->reported_at - *r->last_seen_at, 50min);
  EXPECT_EQ(*r->found_at - r->reported_at, 10h + 25min);
  EXPECT_EQ(r->location_found, "bus station");
}

TEST(parse_line, each_risk_grade_spelled_exactly_and_null_or_empty_optionals_are_absent) {
  const std::pair<const char*, grade> grades[] = {{"no_apparent_risk", Episode::NO_APPARENT_RISK},
                                                 {"low", Episode::LOW},
                                                 {"medium", Episode::MEDIUM},
                                                 {"high", Episode::HIGH}};
  for (const auto& [name, g] : grades) {
    auto r = parse_line(line("MP/1", name, R"("found_at":null,"location_found":"","nhs_number":null)"));
    ASSERT_TRUE(r) << name << ": " << r.message();
    EXPECT_EQ(r->risk, g);
    EXPECT_FALSE(r->found_at);
    EXPECT_TRUE(r->nhs_number.empty());
  }
  EXPECT_EQ(problem(line("MP/1", "High")), "risk: must be one of no_apparent_risk, low, medium, high");
  EXPECT_EQ(problem(line("MP/1", "no apparent risk")),
            "risk: must be one of no_apparent_risk, low, medium, high");
}

TEST(parse_line, rejects_malformed_lines_naming_field_and_rule) {
  EXPECT_EQ(problem("{\"police_reference\":").rfind("not valid JSON: parse error", 0), 0u);
  EXPECT_EQ(problem("[1,2]"), "expected one JSON object per line");
  EXPECT_EQ(problem(line("MP/1", "low", R"("colour":"red","Risk":"x")"))
                .rfind("unknown keys 'Risk', 'colour' (known: police_reference, upn,", 0),
            0u);
  EXPECT_EQ(problem(line("MP/1", "low", R"("found":"2026-03-02T00:00:00Z")"))
                .rfind("unknown key 'found' (known:", 0),
            0u);
  EXPECT_EQ(problem(R"({"upn":"P207000016049","reported_at":"2026-03-01T23:05:00Z","risk":"low"})"),
            "police_reference: is required");
  EXPECT_EQ(problem(R"({"police_reference":"","nhs_number":"9434765919","reported_at":"2026-03-01T23:05:00Z","risk":"low"})"),
            "police_reference: must not be empty");
  EXPECT_EQ(problem(R"({"police_reference":"MP/1","reported_at":"2026-03-01T23:05:00Z","risk":"low"})"),
            "upn: upn or nhs_number is required");
  EXPECT_EQ(problem(R"({"police_reference":"MP/1","upn":"A207000016049","reported_at":"2026-03-01T23:05:00Z","risk":"low"})")
                .rfind("upn: must be a valid UPN", 0),
            0u);
  EXPECT_EQ(problem(line("MP/1", "low", R"("nhs_number":"9434765918")")),
            "nhs_number: must be 10 digits with a valid check digit, not '9434765918'");
  EXPECT_EQ(problem(line("MP/1", "low", "", "2026-03-01 23:05")),
            "reported_at: must be an RFC 3339 time such as 2026-03-01T22:15:00Z, not '2026-03-01 23:05'");
  EXPECT_EQ(problem(line("MP/1", "low", R"("date_of_birth":"2012-02-30")")),
            "date_of_birth: must be a date YYYY-MM-DD, not '2012-02-30'");
  EXPECT_EQ(problem(line("MP/1", "low", R"("area":"Leeds")")).rfind("area: must be an ONS", 0), 0u);
  EXPECT_EQ(problem(R"({"police_reference":"MP/1","upn":12,"reported_at":"2026-03-01T23:05:00Z","risk":"low"})"),
            "upn: must be a string");
  EXPECT_EQ(problem(line("MP/1", "low", R"("cse_indicators":"gifts")")),
            "cse_indicators: must be an array of strings");
  EXPECT_EQ(problem(line("MP/1", "low", R"("cse_indicators":["gifts",""])")),
            "cse_indicators: every entry must be a non-empty string");
}

TEST(parse_line, time_order_rules) {
  EXPECT_EQ(problem(line("MP/1", "low", R"("found_at":"2026-03-01T23:04:59Z")")),
            "found_at: must not be before reported_at");
  EXPECT_TRUE(parse_line(line("MP/1", "low", R"("found_at":"2026-03-01T23:05:00Z")")));
  EXPECT_EQ(problem(line("MP/1", "low", R"("last_seen_at":"2026-03-01T23:05:01Z")")),
            "last_seen_at: must not be after reported_at");
  EXPECT_EQ(problem(line("MP/1", "low", R"("interview_held_at":"2026-03-02T10:00:00Z")")),
            "interview_held_at: needs found_at (a return interview follows a return)");
  EXPECT_EQ(problem(line("MP/1", "low",
                         R"("found_at":"2026-03-02T10:00:00Z","interview_held_at":"2026-03-02T09:00:00Z")")),
            "interview_held_at: must not be before found_at");
}

TEST(parse_line, reports_every_problem_at_once) {
  EXPECT_EQ(problem(R"({"police_reference":"MP/1","upn":"P207000016049","reported_at":"yesterday","risk":"severe"})"),
            "reported_at: must be an RFC 3339 time such as 2026-03-01T22:15:00Z, not 'yesterday'; "
            "risk: must be one of no_apparent_risk, low, medium, high");
}

toml::table parse_toml(const std::string& text) { return toml::parse(text); }

TEST(load_settings, force_required_window_checked_unknown_keys_refused) {
  auto s = load_settings(parse_toml("[police]\nforce = \"E01\"\n"), "p.toml");
  ASSERT_TRUE(s) << s.message();
  EXPECT_EQ(s->force, "E01");
  EXPECT_EQ(s->previous_window, std::chrono::hours(24 * 365));
  s = load_settings(parse_toml("[police]\nforce = \"E01\"\nprevious_episode_days = 30\n"), "p.toml");
  ASSERT_TRUE(s) << s.message();
  EXPECT_EQ(s->previous_window, std::chrono::hours(24 * 30));
  EXPECT_EQ(load_settings(parse_toml(""), "p.toml").message(), "p.toml: police.force: is required");
  EXPECT_EQ(load_settings(parse_toml("[police]\nforce = \"E 01\"\n"), "p.toml").message(),
            "p.toml:2: police.force: must be a force code of 1 to 32 letters, digits, '-' or '_'");
  EXPECT_EQ(load_settings(parse_toml("[police]\nforce = \"E01\"\nprevious_episode_days = 0\nrisk = 1\n"),
                          "p.toml")
                .message(),
            "p.toml:4: police.risk: unknown key\n"
            "p.toml:3: police.previous_episode_days: must be a whole number from 1 to 3660");
}

record rec(const std::string& ref, grade g, const std::string& extra = "") {
  const char* names[] = {"", "no_apparent_risk", "low", "medium", "high"};
  auto r = parse_line(line(ref, names[g], extra));
  EXPECT_TRUE(r) << r.message();
  return r ? *r : record{};
}

std::vector<std::string> keys(const std::vector<decision>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds) out.push_back(d.source_key);
  return out;
}

TEST(decide, report_then_unchanged_then_escalation_but_never_a_downgrade) {
  episode e;
  auto r = rec("MP/1", Episode::LOW);
  auto ds = decide(r, e);
  ASSERT_EQ(keys(ds), std::vector<std::string>{"MP/1/reported/low"});
  EXPECT_EQ(ds[0].status, Episode::REPORTED_MISSING);
  mark_told(e, r, ds[0]);
  EXPECT_TRUE(decide(r, e).empty());  // unchanged re-export
  EXPECT_EQ(keys(decide(rec("MP/1", Episode::NO_APPARENT_RISK), e)), std::vector<std::string>{});
  auto high = rec("MP/1", Episode::HIGH);
  ds = decide(high, e);
  ASSERT_EQ(keys(ds), std::vector<std::string>{"MP/1/reported/high"});
  mark_told(e, high, ds[0]);
  EXPECT_EQ(e.reported, Episode::HIGH);
  EXPECT_TRUE(decide(rec("MP/1", Episode::MEDIUM), e).empty());
  EXPECT_TRUE(decide(high, e).empty());
}

TEST(decide, return_and_interview_once_each_and_no_escalation_after_the_return) {
  episode e;
  e.reported = Episode::LOW;
  auto found = rec("MP/1", Episode::HIGH, R"("found_at":"2026-03-02T09:30:00Z")");
  auto ds = decide(found, e);  // re-graded and found in the same export: the child is back
  ASSERT_EQ(keys(ds), std::vector<std::string>{"MP/1/returned"});
  EXPECT_EQ(ds[0].status, Episode::RETURNED);
  mark_told(e, found, ds[0]);
  EXPECT_TRUE(decide(found, e).empty());
  EXPECT_TRUE(decide(rec("MP/1", Episode::HIGH), e).empty());  // returned already told
  auto held = rec("MP/1", Episode::LOW,
                  R"("found_at":"2026-03-02T09:30:00Z","interview_held_at":"2026-03-04T11:00:00Z")");
  ds = decide(held, e);
  ASSERT_EQ(keys(ds), std::vector<std::string>{"MP/1/interview_held"});
  EXPECT_EQ(ds[0].status, Episode::RETURN_INTERVIEW_HELD);
  mark_told(e, held, ds[0]);
  EXPECT_TRUE(decide(held, e).empty());
}

TEST(decide, first_sight_of_a_closed_episode_yields_all_three_in_order) {
  auto r = rec("MP/2", Episode::MEDIUM,
               R"("found_at":"2026-03-02T09:30:00Z","interview_held_at":"2026-03-04T11:00:00Z")");
  EXPECT_EQ(keys(decide(r, episode{})),
            (std::vector<std::string>{"MP/2/reported/medium", "MP/2/returned", "MP/2/interview_held"}));
}

TEST(previous_episodes, counts_earlier_episodes_within_365_days_inclusive) {
  settings s;
  s.force = "E01";
  const auto r = rec("MP/now", Episode::LOW);  // reported 2026-03-01T23:05:00Z
  const auto secs = [](time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  };
  const std::int64_t now = secs(r.reported_at);
  const std::int64_t year = 365 * 86400;
  EXPECT_EQ(previous_episodes({{"MP/edge", now - year}}, r, s), 1u);
  EXPECT_EQ(previous_episodes({{"MP/old", now - year - 1}}, r, s), 0u);
  EXPECT_EQ(previous_episodes({{"MP/later", now + 1}, {"MP/same-time", now}}, r, s), 0u);
  EXPECT_EQ(previous_episodes({{"MP/now", now - 60}}, r, s), 0u);  // itself
  EXPECT_EQ(previous_episodes({{"a", now - 1}, {"b", now - year + 1}, {"c", now - 2 * year}}, r, s), 2u);
  EXPECT_EQ(at("2025-03-01T23:05:00Z"), r.reported_at - 365 * 24h);  // the edge as a date
  s.previous_window = 30 * 24h;
  EXPECT_EQ(previous_episodes({{"a", now - 30 * 86400}, {"b", now - 30 * 86400 - 1}}, r, s), 1u);
}

TEST(episode_id, stable_per_agency_and_reference) {
  const auto id = episode_id("police-a", "MP/26/000123");
  EXPECT_TRUE(std::regex_match(id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << id;
  EXPECT_EQ(id, episode_id("police-a", "MP/26/000123"));
  EXPECT_NE(id, episode_id("police-b", "MP/26/000123"));
  EXPECT_NE(id, episode_id("police-a", "MP/26/000124"));
}

TEST(notification, carries_what_each_status_knew_and_passes_mabd_content_rules) {
  const auto r = rec("MP/26/000123", Episode::HIGH,
                     R"("last_seen_at":"2026-03-01T22:15:00Z","cse_indicators":["older associates"],)"
                     R"("found_at":"2026-03-02T09:30:00Z","location_found":"bus station",)"
                     R"("interview_held_at":"2026-03-04T11:00:00Z")");
  const time_point now = r.reported_at + 72h;
  const episode_context c{episode_id("police-a", r.police_reference), "E01", "E09000001", 2, now};
  for (auto st : {Episode::REPORTED_MISSING, Episode::RETURNED, Episode::RETURN_INTERVIEW_HELD}) {
    auto n = notification(r, st, c);
    EXPECT_EQ(n.created_at().seconds(), r.reported_at.time_since_epoch() / 1s + 72 * 3600);
    EXPECT_EQ(n.subject().upn(), upn);
    EXPECT_EQ(n.subject().area(), "E09000001");
    ASSERT_EQ(n.subject().local_ids_size(), 1);
    EXPECT_EQ(n.subject().local_ids(0).system(), "police:E01");
    EXPECT_EQ(n.subject().local_ids(0).value(), "MP/26/000123");
    const auto& m = n.missing_episode();
    EXPECT_EQ(m.status(), st);
    EXPECT_EQ(m.episode_id(), c.episode_id);
    EXPECT_EQ(m.risk_grade(), Episode::HIGH);
    EXPECT_TRUE(m.cse_considered());
    ASSERT_EQ(m.cse_indicators_size(), 1);
    EXPECT_EQ(m.previous_episodes_12_months(), 2u);
    EXPECT_EQ(m.reported_at().seconds() - m.last_seen_at().seconds(), 50 * 60);
    EXPECT_EQ(m.has_returned_at(), st != Episode::REPORTED_MISSING);
    EXPECT_EQ(m.location_found(), st != Episode::REPORTED_MISSING ? "bus station" : "");
    EXPECT_EQ(m.has_interview_held_at(), st == Episode::RETURN_INTERVIEW_HELD);
    EXPECT_FALSE(m.summary().empty());
    n.set_message_id(kit::message_id_for("police:police-a", "k"));
    n.set_sender("police-a");
    const auto refused = validate::check(n, now, validate::limits{});
    EXPECT_FALSE(refused) << refused->field << ": " << refused->detail;
  }
  auto elsewhere = rec("MP/9", Episode::LOW, R"("area":"E08000025")");
  EXPECT_EQ(notification(elsewhere, Episode::REPORTED_MISSING, c).subject().area(), "E08000025");
  EXPECT_FALSE(notification(elsewhere, Episode::REPORTED_MISSING, c).missing_episode().cse_considered());
}

TEST(episode, json_round_trip_and_corruption) {
  episode e;
  e.reported = Episode::MEDIUM;
  e.returned = true;
  auto back = episode::from_json(e.to_json());
  ASSERT_TRUE(back) << back.message();
  EXPECT_EQ(back->to_json(), e.to_json());
  EXPECT_FALSE(episode::from_json("{}"));
  EXPECT_FALSE(episode::from_json(R"({"reported":9,"returned":false,"interview_held":false})"));
  auto h = history_from_json(history_to_json({{"MP/1", 5}, {"MP/2", 7}}));
  ASSERT_TRUE(h);
  EXPECT_EQ(h->at("MP/2"), 7);
  EXPECT_FALSE(history_from_json("[1]"));
}

// ---- the processor against a real state file ----

struct run_fixture : ::testing::Test {
  kit::test::tmpdir dir;
  mab::testing::fake_clock clock{time_point(std::chrono::seconds(1'772'406'000))};
  kit::summary sum;
  std::vector<std::pair<std::string, mab::v1::Notification>> sent;
  std::set<std::string> refuse;  // keys the "broker" rejects (not recorded: transient)

  status run_once(const std::string& jsonl, bool persist = true) {
    auto st = kit::state::open(dir / "s.db");  // a fresh state object each time: a restart
    auto rj = kit::rejects::open(dir / "r.txt");
    if (!st || !rj) return make_error("open");
    kit::state& state = **st;
    settings s;
    s.force = "E01";
    processor proc(s, "police-a", "E09000001", clock, state, **rj, sum,
                   [&](const std::string& key, mab::v1::Notification n, const std::string&,
                       std::uint64_t) -> result<kit::outcome> {
                     if (state.sent(key)->has_value()) return kit::outcome::skipped;
                     if (refuse.contains(key)) return kit::outcome::rejected;
                     sent.emplace_back(key, std::move(n));
                     if (persist) (void)state.record_sent(key, {"id", "ACCEPTED"});
                     ++sum.sent;
                     return kit::outcome::sent;
                   },
                   persist);
    std::istringstream in(jsonl);
    return proc.process("in.jsonl", in);
  }

  std::vector<std::string> sent_keys() const {
    std::vector<std::string> out;
    for (const auto& [k, n] : sent) out.push_back(k);
    return out;
  }
};

TEST_F(run_fixture, report_return_interview_across_exports_linked_by_episode_id) {
  ASSERT_TRUE(run_once("\xef\xbb\xbf" + line("MP/1", "high") + "\r\n\n{oops\n" +
                       line("MP/2", "hgh") + "\n"));
  EXPECT_EQ(sent_keys(), std::vector<std::string>{"MP/1/reported/high"});
  EXPECT_EQ(sum.rows_read, 3u);
  EXPECT_EQ(sum.rejected, 2u);
  const auto rejects = kit::test::read(dir / "r.txt");
  EXPECT_NE(rejects.find("in.jsonl:3: not valid JSON"), std::string::npos) << rejects;
  EXPECT_NE(rejects.find("in.jsonl:4: risk: must be one of no_apparent_risk, low, medium, high"),
            std::string::npos) << rejects;
  EXPECT_EQ(sent[0].second.created_at().seconds(), 1'772'406'000);

  ASSERT_TRUE(run_once(line("MP/1", "high", R"("found_at":"2026-03-02T09:30:00Z")") + "\n" +
                       line("MP/1", "high",
                            R"("found_at":"2026-03-02T09:30:00Z","interview_held_at":"2026-03-03T10:00:00Z")")));
  EXPECT_EQ(sent_keys(), (std::vector<std::string>{"MP/1/reported/high", "MP/1/returned",
                                                   "MP/1/interview_held"}));
  for (const auto& [k, n] : sent) {
    EXPECT_EQ(n.missing_episode().episode_id(), sent[0].second.missing_episode().episode_id()) << k;
  }
}

TEST_F(run_fixture, rerun_after_restart_sends_nothing_new) {
  const std::string file = line("MP/1", "low") + "\n" +
                           line("MP/2", "medium", R"("found_at":"2026-03-02T09:30:00Z")") + "\n";
  ASSERT_TRUE(run_once(file));
  EXPECT_EQ(sent.size(), 3u);
  sent.clear();
  sum = {};
  ASSERT_TRUE(run_once(file));
  EXPECT_TRUE(sent.empty());
  EXPECT_EQ(sum.rows_read, 2u);
  EXPECT_EQ(sum.skipped, 2u);
  EXPECT_EQ(sum.sent, 0u);
  // A re-graded export after the restart is still new.
  ASSERT_TRUE(run_once(line("MP/1", "high") + "\n"));
  EXPECT_EQ(sent_keys(), std::vector<std::string>{"MP/1/reported/high"});
}

TEST_F(run_fixture, previous_episodes_come_from_state_by_upn_or_nhs_number) {
  // A year-old episode known by NHS number only, one within the year by UPN, then one with both.
  ASSERT_TRUE(run_once(
      R"({"police_reference":"MP/old","nhs_number":"9434765919","reported_at":"2025-03-01T23:05:00Z","risk":"low"})"
      "\n" +
      line("MP/mid", "low", "", "2025-09-01T12:00:00Z") + "\n"));
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].second.missing_episode().previous_episodes_12_months(), 0u);  // other ids
  ASSERT_TRUE(run_once(line("MP/new", "low", R"("nhs_number":"9434765919")") + "\n"));
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[2].second.missing_episode().previous_episodes_12_months(), 2u);  // edge included
  ASSERT_TRUE(run_once(line("MP/next", "low", "", "2026-03-02T00:00:00Z") + "\n"));
  ASSERT_EQ(sent.size(), 4u);
  // MP/old is now more than 365 days before; MP/mid and MP/new count.
  EXPECT_EQ(sent[3].second.missing_episode().previous_episodes_12_months(), 2u);
}

TEST_F(run_fixture, a_rejected_notification_is_offered_again_next_run) {
  refuse.insert("MP/1/returned");
  const std::string file = line("MP/1", "low", R"("found_at":"2026-03-02T09:30:00Z")") + "\n";
  ASSERT_TRUE(run_once(file));
  EXPECT_EQ(sent_keys(), std::vector<std::string>{"MP/1/reported/low"});
  refuse.clear();
  ASSERT_TRUE(run_once(file));
  EXPECT_EQ(sent_keys(), (std::vector<std::string>{"MP/1/reported/low", "MP/1/returned"}));
}

TEST_F(run_fixture, dry_run_records_nothing_but_is_consistent_within_the_file) {
  const std::string file = line("MP/1", "low") + "\n" + line("MP/1", "low") + "\n";
  ASSERT_TRUE(run_once(file, false));
  EXPECT_EQ(sent_keys(), std::vector<std::string>{"MP/1/reported/low"});
  EXPECT_EQ(sum.skipped, 1u);
  ASSERT_TRUE(run_once(file, false));
  EXPECT_EQ(sent.size(), 2u);  // nothing was stored, so the dry run shows it again
  auto st = kit::state::open(dir / "s.db");
  ASSERT_TRUE(st);
  EXPECT_FALSE((*st)->entity("episode/MP/1")->has_value());
}

}  // namespace
}  // namespace mab::police

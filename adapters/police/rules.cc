// The police missing-person rules (see rules.h); parsing is in parse.cc.
#include "adapters/police/rules.h"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <set>

#include <google/protobuf/util/time_util.h>
#include <nlohmann/json.hpp>

namespace mab::police {
namespace {

using Episode = mab::v1::MissingEpisode;

std::string grade_name(grade g) {
  switch (g) {
    case Episode::NO_APPARENT_RISK: return "no_apparent_risk";
    case Episode::LOW: return "low";
    case Episode::MEDIUM: return "medium";
    case Episode::HIGH: return "high";
    default: return "unspecified";
  }
}

std::int64_t unix_seconds(time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

google::protobuf::Timestamp timestamp(time_point t) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  google::protobuf::Timestamp ts;
  ts.set_seconds(ns / 1'000'000'000);
  ts.set_nanos(static_cast<std::int32_t>(ns % 1'000'000'000));
  if (ts.nanos() < 0) {  // before 1970: protobuf wants non-negative nanos
    ts.set_seconds(ts.seconds() - 1);
    ts.set_nanos(ts.nanos() + 1'000'000'000);
  }
  return ts;
}

std::string when(time_point t) { return google::protobuf::util::TimeUtil::ToString(timestamp(t)); }

std::string default_summary(const record& r, episode_status st) {
  switch (st) {
    case Episode::REPORTED_MISSING:
      return "reported missing at " + when(r.reported_at) + ", risk " + grade_name(r.risk) +
             ", " + std::to_string(r.cse_indicators.size()) + " CSE indicator(s)";
    case Episode::RETURNED:
      return "returned at " + when(*r.found_at) +
             (r.location_found.empty() ? "" : ", found at " + r.location_found);
    default:
      return "return interview held at " + when(*r.interview_held_at);
  }
}

std::vector<std::string> child_keys(const record& r) {
  std::vector<std::string> keys;
  if (!r.upn.empty()) keys.push_back("child/upn:" + r.upn);
  if (!r.nhs_number.empty()) keys.push_back("child/nhs:" + r.nhs_number);
  return keys;
}

}  // namespace

std::string episode::to_json() const {
  return nlohmann::json{{"reported", static_cast<int>(reported)},
                        {"returned", returned},
                        {"interview_held", interview_held}}
      .dump();
}

result<episode> episode::from_json(const std::string& text) {
  try {
    const auto j = nlohmann::json::parse(text);
    episode e;
    const int g = j.at("reported").get<int>();
    if (!Episode::RiskGrade_IsValid(g)) return make_error("corrupt episode state: grade " + std::to_string(g));
    e.reported = static_cast<grade>(g);
    e.returned = j.at("returned").get<bool>();
    e.interview_held = j.at("interview_held").get<bool>();
    return e;
  } catch (const nlohmann::json::exception& e) {
    return make_error(std::string("corrupt episode state: ") + e.what());
  }
}

std::string history_to_json(const history& h) { return nlohmann::json(h).dump(); }

result<history> history_from_json(const std::string& text) {
  try {
    return nlohmann::json::parse(text).get<history>();
  } catch (const nlohmann::json::exception& e) {
    return make_error(std::string("corrupt child history: ") + e.what());
  }
}

std::uint32_t previous_episodes(const history& h, const record& r, const settings& s) {
  const std::int64_t at = unix_seconds(r.reported_at);
  const std::int64_t from = at - s.previous_window.count();
  std::uint32_t n = 0;
  for (const auto& [reference, reported] : h) {
    if (reference != r.police_reference && reported < at && reported >= from) ++n;
  }
  return n;
}

std::vector<decision> decide(const record& r, const episode& told) {
  std::vector<decision> out;
  const std::string& ref = r.police_reference;
  const bool back = told.returned || r.found_at.has_value();
  if (told.reported == Episode::RISK_UNSPECIFIED || (r.risk > told.reported && !back)) {
    out.push_back({ref + "/reported/" + grade_name(r.risk), Episode::REPORTED_MISSING});
  }
  if (r.found_at && !told.returned) out.push_back({ref + "/returned", Episode::RETURNED});
  if (r.interview_held_at && !told.interview_held) {
    out.push_back({ref + "/interview_held", Episode::RETURN_INTERVIEW_HELD});
  }
  return out;
}

void mark_told(episode& e, const record& r, const decision& d) {
  switch (d.status) {
    case Episode::REPORTED_MISSING: e.reported = std::max(e.reported, r.risk); break;
    case Episode::RETURNED: e.returned = true; break;
    case Episode::RETURN_INTERVIEW_HELD: e.interview_held = true; break;
    default: break;
  }
}

std::string episode_id(const std::string& agency, const std::string& police_reference) {
  return kit::message_id_for("police-episode:" + agency, police_reference);
}

mab::v1::Notification notification(const record& r, episode_status st, const episode_context& c) {
  mab::v1::Notification n;
  *n.mutable_created_at() = timestamp(c.now);
  auto* s = n.mutable_subject();
  s->set_upn(r.upn);
  s->set_nhs_number(r.nhs_number);
  auto* local = s->add_local_ids();
  local->set_system("police:" + c.force);
  local->set_value(r.police_reference);
  s->set_given_name(r.given_name);
  s->set_family_name(r.family_name);
  s->set_date_of_birth(r.date_of_birth);
  s->set_area(r.area.empty() ? c.default_area : r.area);
  auto* m = n.mutable_missing_episode();
  m->set_police_reference(r.police_reference);
  m->set_episode_id(c.episode_id);
  m->set_status(st);
  m->set_risk_grade(r.risk);
  if (r.last_seen_at) *m->mutable_last_seen_at() = timestamp(*r.last_seen_at);
  *m->mutable_reported_at() = timestamp(r.reported_at);
  // Each status carries what was known when it happened, so a report never claims a return.
  if (st != Episode::REPORTED_MISSING && r.found_at) {
    *m->mutable_returned_at() = timestamp(*r.found_at);
    m->set_location_found(r.location_found);
  }
  if (st == Episode::RETURN_INTERVIEW_HELD && r.interview_held_at) {
    *m->mutable_interview_held_at() = timestamp(*r.interview_held_at);
  }
  m->set_cse_considered(!r.cse_indicators.empty());
  for (const auto& i : r.cse_indicators) m->add_cse_indicators(i);
  m->set_previous_episodes_12_months(c.previous);
  m->set_summary(r.summary.empty() ? default_summary(r, st) : r.summary);
  return n;
}

// ---- processor ----

struct processor::touched {
  std::map<std::string, episode> episodes;   // by police reference
  std::map<std::string, history> children;   // by child key
};

processor::processor(settings s, std::string agency, std::string area, const mab::clock& clk,
                     kit::state& st, kit::rejects& rj, kit::summary& sum, send_fn send,
                     bool persist, std::uint64_t progress_every)
    : settings_(std::move(s)),
      agency_(std::move(agency)),
      area_(std::move(area)),
      clock_(clk),
      state_(st),
      rejects_(rj),
      summary_(sum),
      send_(std::move(send)),
      persist_(persist),
      progress_every_(progress_every) {}

status processor::handle(const record& r, const std::string& name, std::uint64_t line,
                         touched& t) {
  auto ep = t.episodes.find(r.police_reference);
  if (ep == t.episodes.end()) {
    auto stored = state_.entity("episode/" + r.police_reference);
    if (!stored) return stored.err();
    episode e;
    if (stored->has_value()) {
      auto parsed = episode::from_json(**stored);
      if (!parsed) return make_error("episode/" + r.police_reference + ": " + parsed.message());
      e = *parsed;
    }
    ep = t.episodes.emplace(r.police_reference, e).first;
  }
  history known;  // the union over the child's identifiers
  for (const auto& key : child_keys(r)) {
    auto ch = t.children.find(key);
    if (ch == t.children.end()) {
      auto stored = state_.entity(key);
      if (!stored) return stored.err();
      history h;
      if (stored->has_value()) {
        auto parsed = history_from_json(**stored);
        if (!parsed) return make_error(key + ": " + parsed.message());
        h = std::move(parsed).value();
      }
      ch = t.children.emplace(key, std::move(h)).first;
    }
    known.insert(ch->second.begin(), ch->second.end());
    ch->second[r.police_reference] = unix_seconds(r.reported_at);
  }
  const auto decisions = decide(r, ep->second);
  if (decisions.empty()) {
    ++summary_.skipped;  // nothing new about this episode
    return ok_status();
  }
  const episode_context c{episode_id(agency_, r.police_reference), settings_.force, area_,
                          previous_episodes(known, r, settings_), clock_.now()};
  for (const auto& d : decisions) {
    auto sent = send_(d.source_key, notification(r, d.status, c), name, line);
    if (!sent) return sent.err();
    // A rejection stays untold so the next run offers it again: the sender retries a transient
    // one and skips one it recorded as final.
    if (*sent != kit::outcome::rejected) mark_told(ep->second, r, d);
  }
  return ok_status();
}

status processor::process(const std::string& name, std::istream& in) {
  touched t;
  kit::progress prog(std::cerr, name, progress_every_);
  std::string line;
  std::uint64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (number == 1 && line.starts_with("\xef\xbb\xbf")) line.erase(0, 3);  // a byte-order mark
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    ++summary_.rows_read;
    prog.row();
    auto r = parse_line(line);
    if (!r) {
      rejects_.add(name, number, r.message());
      ++summary_.rejected;
      continue;
    }
    if (auto s = handle(*r, name, number, t); !s) return s;
  }
  if (in.bad()) return make_error(name + ": read error");
  if (!persist_) return ok_status();
  return state_.in_transaction([&]() -> status {
    for (const auto& [ref, e] : t.episodes) {
      if (auto s = state_.put_entity("episode/" + ref, e.to_json()); !s) return s;
    }
    for (const auto& [key, h] : t.children) {
      if (auto s = state_.put_entity(key, history_to_json(h)); !s) return s;
    }
    return ok_status();
  });
}

status processor::process_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    rejects_.add(path, 0, "cannot read the file");
    ++summary_.rejected;
    return ok_status();
  }
  return process(path, in);
}

}  // namespace mab::police

// The police missing-person export (model.h): one JSON object per line, in the order a daily
// export would have produced them. A record appears when reported and again when it changes
// (found, re-graded, return interview held), so the same police_reference recurs.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "adapters/synth/model.h"

namespace mab::synth::detail {
namespace {

using namespace std::chrono;
using json = nlohmann::ordered_json;

const std::vector<std::string> risks = {"no_apparent_risk", "low", "medium", "high"};

const std::vector<std::string> cse_list = {"older boyfriend or girlfriend",
                                           "unexplained gifts or money",
                                           "new mobile phone",
                                           "seen in cars with unknown adults",
                                           "associating with older peers",
                                           "missing overnight",
                                           "substance misuse"};

const std::vector<std::string> summaries = {
    "Did not return home after school.",
    "Left home after an argument and did not return.",
    "Failed to return from a friend's address.",
    "Went missing during a family trip to town.",
    "Did not return from an evening out; phone switched off.",
    "Left the house late at night without telling anyone."};

const std::vector<std::string> places = {
    "friend's address, Northtown", "town centre",    "railway station",
    "an address in Southford",     "park near home", "returned home of own accord",
    "relative's address"};

// How other agencies sometimes spell the same given name: the subject index links by
// identifier, so the data should not depend on spellings agreeing.
const std::map<std::string, std::string>& variants() {
  static const std::map<std::string, std::string> v = {
      {"Muhammad", "Mohammed"}, {"Zofia", "Sofia"},  {"Aisha", "Ayesha"}, {"Jakub", "Jacob"},
      {"Amelia", "Amelie"},     {"Yusuf", "Yousef"}, {"Ioana", "Joana"},  {"Isla", "Islay"}};
  return v;
}

struct episode {
  std::size_t child = 0;
  seconds_time last_seen, reported;
  std::optional<seconds_time> found, interview;
  std::string given_name, risk, regraded_risk, location, summary;
  std::vector<std::string> cse;
  bool omit_area = false;
  std::string reference;
};

struct line {
  seconds_time at;
  std::size_t episode = 0;
  int stage = 0;  // 0 reported (found already if quick), 1 found, 2 interview held
};

class police_writer {
 public:
  explicit police_writer(const world& w)
      : w_(w), r_(w.opts.seed, "police"), end_(at_minute(w.opts.to + days{1}, 0)) {}

  std::vector<episode> episodes() {
    std::vector<std::size_t> older, vulnerable;
    for (std::size_t i = 0; i < w_.children.size(); ++i) {
      if (w_.children[i].date_of_birth > w_.opts.from - days{3652}) continue;  // under ten
      (w_.children[i].vulnerable ? vulnerable : older).push_back(i);
    }
    if (older.empty() && vulnerable.empty()) {
      for (std::size_t i = 0; i < w_.children.size(); ++i) older.push_back(i);
    }
    r_.shuffle(older);
    const std::size_t target = std::max<std::size_t>(10, w_.children.size() * 3 / 20);
    std::vector<episode> out;
    // Most of the repeat episodes, and most of the high-risk and CSE ones, belong to the
    // vulnerable cohort; everyone else who goes missing mostly does so once.
    for (std::size_t c : vulnerable) {
      if (r_.chance(0.6)) add_child(c, static_cast<int>(r_.between(2, 4)), out);
    }
    for (std::size_t k = 0; out.size() < target && k < older.size(); ++k) {
      add_child(older[k], r_.chance(0.2) ? 2 : 1, out);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const episode& a, const episode& b) { return a.reported < b.reported; });
    std::map<int, int> serial;  // per year of report
    for (auto& e : out) {
      const int yy = static_cast<int>(year_month_day{floor<days>(e.reported)}.year()) % 100;
      char ref[32];
      std::snprintf(ref, sizeof ref, "MP/%02d/%06d", yy, ++serial[yy]);
      e.reference = ref;
    }
    return out;
  }

  json record(const episode& e, int stage) const {
    const child& c = w_.children[e.child];
    const address& home = w_.households[c.household].at(floor<days>(e.last_seen));
    json j;
    j["police_reference"] = e.reference;
    j["upn"] = c.upn;
    j["nhs_number"] = c.nhs_number;
    j["given_name"] = e.given_name;
    j["family_name"] = c.family_name;
    j["date_of_birth"] = format_date(c.date_of_birth);
    if (!(e.omit_area && home.area == w_.opts.area)) j["area"] = home.area;
    j["last_seen_at"] = format_time(e.last_seen);
    j["reported_at"] = format_time(e.reported);
    j["risk"] = stage > 0 && !e.regraded_risk.empty() ? e.regraded_risk : e.risk;
    if (!e.cse.empty()) j["cse_indicators"] = e.cse;
    const bool found_shown = e.found && (stage > 0 || quick(e));
    if (found_shown) {
      j["found_at"] = format_time(*e.found);
      j["location_found"] = e.location;
    }
    if (stage == 2) j["interview_held_at"] = format_time(*e.interview);
    j["summary"] = e.summary;
    return j;
  }

  // Found before the next daily export: the first line already says so.
  static bool quick(const episode& e) { return e.found && *e.found < e.reported + hours{12}; }

  std::vector<line> lines(const std::vector<episode>& eps) const {
    std::vector<line> out;
    for (std::size_t i = 0; i < eps.size(); ++i) {
      out.push_back({eps[i].reported, i, 0});
      if (eps[i].found && !quick(eps[i])) out.push_back({*eps[i].found, i, 1});
      if (eps[i].interview) out.push_back({*eps[i].interview, i, 2});
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const line& a, const line& b) { return a.at < b.at; });
    return out;
  }

 private:
  void add_child(std::size_t ci, int count, std::vector<episode>& out) {
    const child& c = w_.children[ci];
    const auto span = (w_.opts.to - w_.opts.from).count() + 1;
    std::optional<seconds_time> free_from = at_minute(w_.opts.from - days{2}, 0);
    for (int i = 0; i < count && free_from; ++i) {
      const auto lo = span * i / count, hi = std::max(lo, span * (i + 1) / count - 1);
      const date day = w_.opts.from + days{r_.between(lo, hi)};
      seconds_time seen = at_minute(day, r_.between(900, 1439));  // afternoon or evening
      if (seen < *free_from + days{1}) seen = *free_from + days{1} + hours{r_.between(0, 48)};
      episode e;
      e.child = ci;
      e.last_seen = seen;
      e.reported = seen + minutes{r_.between(60, 480)};
      if (e.reported >= end_) return;
      grade(e, c);
      free_from = e.found;
      out.push_back(std::move(e));
    }
  }

  void grade(episode& e, const child& c) {
    const double x = r_.real();
    const int risk = c.vulnerable ? (x < 0.2   ? 1
                                     : x < 0.7 ? 2
                                               : 3)
                                  : (x < 0.12   ? 0
                                     : x < 0.57 ? 1
                                     : x < 0.92 ? 2
                                                : 3);
    e.risk = risks[static_cast<std::size_t>(risk)];
    if (risk < 3 && r_.chance(0.1)) e.regraded_risk = risks[static_cast<std::size_t>(risk + 1)];
    if (r_.chance(c.vulnerable ? 0.5 : 0.06)) {
      std::vector<std::string> pool = cse_list;
      r_.shuffle(pool);
      e.cse.assign(pool.begin(), pool.begin() + r_.between(1, 3));
    }
    const auto v = variants().find(c.given_name);
    e.given_name = v != variants().end() && r_.chance(0.3) ? v->second : c.given_name;
    e.omit_area = r_.chance(0.2);
    e.summary = r_.pick(summaries);
    e.location = r_.pick(places);
    const double f = r_.real();
    const auto away = f < 0.5    ? r_.between(2, 24)
                      : f < 0.85 ? r_.between(24, 72)
                      : f < 0.95 ? r_.between(72, 168)
                                 : r_.between(168, 504);
    const seconds_time found = e.reported + hours{away} + minutes{r_.between(0, 59)};
    if (found >= end_) return;  // still missing when the export was taken
    e.found = found;
    const double k = r_.real();  // most interviews within 72 hours, some late, some never
    if (k >= 0.85) return;
    const seconds_time held = found + hours{k < 0.65 ? r_.between(12, 70) : r_.between(80, 200)};
    if (held < end_) e.interview = held;
  }

  const world& w_;
  random_source r_;
  seconds_time end_;
};

}  // namespace

result<std::uint64_t> write_missing(const world& w, const std::filesystem::path& file) {
  std::ofstream out(file, std::ios::binary);
  police_writer pw(w);
  const auto eps = pw.episodes();
  const auto ls = pw.lines(eps);
  for (const auto& l : ls) out << pw.record(eps[l.episode], l.stage).dump() << '\n';
  out.flush();
  if (!out) return make_error("could not write " + file.string());
  return static_cast<std::uint64_t>(ls.size());
}

}  // namespace mab::synth::detail

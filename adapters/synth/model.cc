// build_world: the children, their households and attendance profiles, and the housing events
// that move households, add babies and cross into the other area (model.h).
#include "adapters/synth/model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mab::synth::detail {
namespace {

using namespace std::chrono;

struct language_group {
  std::string language;
  double share;  // of households
  std::vector<std::string> given, family;
};

// Small lists of common names per household language; a few family names carry an apostrophe
// or a hyphen so that parsers meet them.
const std::vector<language_group>& languages() {
  static const std::vector<language_group> groups = {
      {"English",
       0.80,
       {"Olivia", "Amelia", "Isla",   "Ava", "Lily",  "Freya", "Grace", "Ruby", "Poppy", "Noah",
        "Oliver", "George", "Arthur", "Leo", "Harry", "Oscar", "Jack",  "Theo", "Ethan", "Chloe"},
       {"Smith",  "Jones",  "Taylor",      "Brown",  "Williams", "Wilson",   "Johnson",
        "Davies", "Evans",  "Walker",      "Wright", "Thompson", "Robinson", "O'Brien",
        "Clarke", "Hughes", "Smith-Jones", "Green",  "Hall",     "Wood"}},
      {"Polish",
       0.04,
       {"Zofia", "Jakub", "Kacper", "Julia", "Maja", "Szymon", "Hanna", "Filip"},
       {"Nowak", "Kowalski", "Wisniewski", "Wojcik", "Kaminski", "Lewandowski"}},
      {"Urdu",
       0.035,
       {"Muhammad", "Aisha", "Hamza", "Maryam", "Zara", "Ibrahim", "Ayaan", "Hafsa"},
       {"Khan", "Hussain", "Ahmed", "Ali", "Iqbal", "Shah"}},
      {"Bengali",
       0.03,
       {"Ayesha", "Rahim", "Nusrat", "Arif", "Sadia", "Tanvir", "Mim", "Rafi"},
       {"Begum", "Miah", "Rahman", "Uddin", "Islam", "Chowdhury"}},
      {"Romanian",
       0.025,
       {"Andrei", "Elena", "Ioana", "Mihai", "Ana", "Stefan", "Maria", "Luca"},
       {"Popescu", "Ionescu", "Stan", "Dumitru", "Moldovan", "Rusu"}},
      {"Arabic",
       0.02,
       {"Omar", "Layla", "Yusuf", "Noor", "Amira", "Karim", "Salma", "Adam"},
       {"Haddad", "Saleh", "Mansour", "Nasser", "Aziz", "Farah"}},
      {"Somali",
       0.015,
       {"Abdi", "Hodan", "Ayan", "Mohamed", "Ifrah", "Liban", "Sagal", "Hamse"},
       {"Warsame", "Abdi", "Hassan", "Farah", "Jama", "Osman"}},
      {"Portuguese",
       0.035,
       {"Beatriz", "Tiago", "Lara", "Rafael", "Matilde", "Duarte", "Ines"},
       {"Silva", "Santos", "Ferreira", "Pereira", "Costa", "Oliveira"}},
  };
  return groups;
}

const std::vector<std::string>& streets() {
  static const std::vector<std::string> s = {
      "Example Road", "Sample Street", "Specimen Lane", "Fictional Avenue", "Placeholder Close",
      "Model Way",    "Mock Terrace",  "Test Crescent", "Dummy Gardens",    "Synthetic Drive"};
  return s;
}

const std::vector<std::string>& practices() {
  static const std::vector<std::string> p = {"Y90001", "Y90002", "Y90003", "Y90004",
                                             "Y90005", "Y90006", "Y90007", "Y90008"};
  return p;
}

const std::vector<std::string>& other_area_schools() {
  static const std::vector<std::string> s = {"Southford Academy", "St Example's Primary School",
                                             "Southford Park School", "141234", "142567"};
  return s;
}

std::size_t quota(std::size_t n, double share) {
  return std::max<std::size_t>(
      1, static_cast<std::size_t>(std::lround(static_cast<double>(n) * share)));
}

// Inward codes use digits then letters outside C I K M O V, as real ones do.
std::string random_postcode(random_source& r, const std::string& prefix) {
  static const std::string letters = "ABDEFGHJLNPQRSTUWXYZ";
  std::string pc = prefix + std::to_string(r.between(1, 9));
  pc += " " + std::to_string(r.between(1, 9));
  pc += letters[r.below(letters.size())];
  pc += letters[r.below(letters.size())];
  return pc;
}

class builder {
 public:
  explicit builder(const options& o)
      : rng_(o.seed, "world"), nhs_serial_(static_cast<std::uint32_t>(rng_.below(100000))) {
    w_.opts = o;
    w_.days = school_days(o.from, o.to);
  }

  world build() {
    make_children();
    assign_profiles();
    plan_housing();
    std::sort(
        w_.events.begin(), w_.events.end(), [](const housing_event& a, const housing_event& b) {
          return a.effective != b.effective ? a.effective < b.effective : a.household < b.household;
        });
    for (std::size_t i = 0; i < w_.events.size(); ++i) w_.events[i].id = numbered("HE-", i + 1);
    for (const auto& h : w_.households) {
      for (const auto& [d, a] : h.addresses) w_.postcodes.insert(a.postcode);
    }
    return std::move(w_);
  }

 private:
  static std::string numbered(const char* prefix, std::size_t n) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s%06zu", prefix, n);
    return buf;
  }

  std::string next_nhs_number() {
    for (;;) {
      std::string n = make_nhs_number(nhs_serial_++);
      if (!n.empty()) return n;
    }
  }

  address settled(bool other) {
    const auto& o = w_.opts;
    std::string line1 = std::to_string(rng_.between(1, 199));
    line1 += " " + rng_.pick(streets());
    return {line1, other ? "Southford" : "Northtown", random_postcode(rng_, other ? "XB" : "XA"),
            other ? o.other_area : o.area};
  }

  address temporary(bool other) {
    address a = settled(other);
    a.line1 = "Flat " + std::to_string(rng_.between(1, 40)) + " Example House";
    return a;
  }

  const language_group& pick_language() {
    double x = rng_.real();
    for (const auto& g : languages()) {
      if (x < g.share) return g;
      x -= g.share;
    }
    return languages().front();
  }

  // A date of birth that makes the child `age` on opts.from.
  date born_aged(int age) {
    const year_month_day f{w_.opts.from};
    year_month_day anniversary{f.year() - years{age}, f.month(), f.day()};
    if (!anniversary.ok()) anniversary = year_month_day{anniversary.year(), f.month(), day{28}};
    return sys_days{anniversary} - days{rng_.between(1, 364)};
  }

  void make_children() {
    const std::uint32_t n = w_.opts.pupils;
    while (w_.children.size() < n) {
      household h;
      h.id = numbered("HH-", w_.households.size() + 1);
      h.vulnerable = rng_.chance(0.04);
      const double s = rng_.real();
      std::size_t size = s < 0.55 ? 1u : s < 0.87 ? 2u : s < 0.97 ? 3u : 4u;
      size = std::min<std::size_t>(size, n - w_.children.size());
      const auto& lang = pick_language();
      const std::string family = rng_.pick(lang.family);
      const std::string interpreter = lang.language == "English"
                                          ? (rng_.chance(0.5) ? "" : "no")
                                          : (rng_.chance(0.35) ? "yes" : "no");
      const std::string gp = rng_.pick(practices());
      std::vector<int> ages(13);
      for (int i = 0; i < 13; ++i) ages[static_cast<std::size_t>(i)] = 4 + i;
      rng_.shuffle(ages);
      h.addresses.push_back({w_.opts.from - days{3650}, settled(false)});
      for (std::size_t k = 0; k < size; ++k) {
        child c;
        const std::size_t i = w_.children.size();
        c.date_of_birth = born_aged(ages[k]);
        const int entry_year = static_cast<int>(year_month_day{c.date_of_birth}.year()) + 5;
        c.upn = make_upn(201, 4000 + static_cast<unsigned>(i / 1000),
                         static_cast<unsigned>(entry_year), static_cast<unsigned>(i % 1000));
        c.nhs_number = next_nhs_number();
        c.given_name = rng_.pick(lang.given);
        c.family_name = rng_.chance(0.1) ? rng_.pick(lang.family) : family;  // blended families
        c.language = lang.language;
        c.interpreter = interpreter;
        c.household = w_.households.size();
        c.gp = gp;
        c.vulnerable = h.vulnerable;
        h.children.push_back(i);
        w_.children.push_back(std::move(c));
      }
      w_.households.push_back(std::move(h));
    }
  }

  // Fixed quotas (not per-child coin flips) so that even a small run has each kind of pupil.
  void assign_profiles() {
    const std::size_t n = w_.children.size();
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    rng_.shuffle(order);
    const std::size_t severe = quota(n, 0.015),
                      persistent =
                          static_cast<std::size_t>(std::lround(static_cast<double>(n) * 0.14));
    for (std::size_t k = 0; k < n; ++k) {
      child& c = w_.children[order[k]];
      if (k < severe) {
        c.profile = attendance_profile::severe;
        c.absence_rate = 0.55 + 0.25 * rng_.real();
      } else if (k < severe + persistent || (c.vulnerable && rng_.chance(0.3))) {
        c.profile = attendance_profile::persistent;
        c.absence_rate = 0.13 + 0.22 * rng_.real();
      } else {
        c.absence_rate = 0.005 + 0.045 * rng_.real();
      }
    }
    const std::size_t d = w_.days.size();
    if (d < 15) return;  // too short a period for runs, leavers and penalty notices
    rng_.shuffle(order);
    std::size_t k = 0;
    for (std::size_t r = quota(n, 0.01); r > 0 && k < n; --r, ++k) {
      child& c = w_.children[order[k]];
      c.run_start = w_.days[rng_.below(d - 10)];
      c.run_sessions = static_cast<int>(rng_.between(10, 20));
    }
    for (std::size_t r = quota(n, 0.01), first = 1; r > 0 && k < n; --r, ++k, first = 0) {
      child& c = w_.children[order[k]];
      c.leaving_date = w_.days[d / 5 + rng_.below(d * 7 / 10)];
      const double x = rng_.real();
      c.destination = first != 0 || x < 0.35 ? (rng_.chance(0.5) ? "" : "unknown")
                      : x < 0.75             ? std::to_string(rng_.between(100000, 149999))
                                             : "Northtown Academy";
    }
    for (std::size_t r = quota(n, 0.005); r > 0 && k < n; --r, ++k) {
      child& c = w_.children[order[k]];
      const std::size_t start = d / 8 + rng_.below(d / 4);
      c.holiday_start = w_.days[start];
      c.penalty_paid = w_.days[std::min(d - 1, start + 15 + rng_.below(10))];
    }
  }

  struct plan {
    std::vector<housing_kind> kinds;
    bool across = false;  // ends with a move into the other area
  };

  void plan_housing() {
    const std::size_t n = w_.households.size();
    std::vector<plan> plans(n);
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    rng_.shuffle(order);
    std::size_t k = 0;
    auto take = [&](std::size_t count, auto&& fill) {
      for (; count > 0 && k < n; --count, ++k) fill(plans[order[k]]);
    };
    take(quota(n, 0.02), [](plan& p) { p.across = true; });
    take(quota(n, 0.05), [](plan& p) { p.kinds.push_back(housing_kind::move); });
    take(quota(n, 0.01), [](plan& p) { p.kinds.push_back(housing_kind::temporary_accommodation); });
    take(quota(n, 0.01), [&](plan& p) {
      p.kinds.push_back(housing_kind::homeless_application);
      if (rng_.chance(0.7)) p.kinds.push_back(housing_kind::temporary_accommodation);
    });
    take(quota(n, 0.03), [](plan& p) { p.kinds.push_back(housing_kind::new_household_member); });
    for (std::size_t h = 0; h < n; ++h) {
      if (!w_.households[h].vulnerable) continue;
      for (auto m = rng_.between(1, 2); m > 0; --m) plans[h].kinds.push_back(housing_kind::move);
      if (rng_.chance(0.3)) {
        plans[h].kinds.push_back(housing_kind::homeless_application);
        plans[h].kinds.push_back(housing_kind::temporary_accommodation);
      }
    }
    for (std::size_t h = 0; h < n; ++h) run_plan(h, plans[h]);
  }

  // Dates fall one per equal slice of the period, so a household's events keep their order:
  // moves, a new member, homelessness, temporary accommodation, then leaving the area.
  void run_plan(std::size_t h, plan& p) {
    auto rank = [](housing_kind k) {
      switch (k) {
        case housing_kind::move:
          return 0;
        case housing_kind::new_household_member:
          return 1;
        case housing_kind::homeless_application:
          return 2;
        case housing_kind::temporary_accommodation:
          return 3;
      }
      return 0;
    };
    std::stable_sort(p.kinds.begin(), p.kinds.end(),
                     [&](housing_kind a, housing_kind b) { return rank(a) < rank(b); });
    const std::size_t count = p.kinds.size() + (p.across ? 1 : 0);
    if (count == 0) return;
    const auto span = (w_.opts.to - w_.opts.from).count() + 1;
    for (std::size_t i = 0; i < count; ++i) {
      const auto lo = span * static_cast<std::int64_t>(i) / static_cast<std::int64_t>(count);
      const auto hi =
          span * static_cast<std::int64_t>(i + 1) / static_cast<std::int64_t>(count) - 1;
      const date d = w_.opts.from + days{rng_.between(lo, std::max(lo, hi))};
      apply(h, i < p.kinds.size() ? p.kinds[i] : housing_kind::move, d, i == p.kinds.size());
    }
  }

  void apply(std::size_t h, housing_kind kind, date d, bool across) {
    household& hh = w_.households[h];
    const address current = hh.at(d);
    const bool in_other = current.area == w_.opts.other_area;
    housing_event e{"", kind, d, h, std::nullopt, std::nullopt};
    switch (kind) {
      case housing_kind::move:
        e.previous = current;
        e.next = settled(across || in_other);
        break;
      case housing_kind::temporary_accommodation:
        e.previous = current;
        e.next = temporary(rng_.chance(0.5) ? !in_other : in_other);  // half placed out of area
        break;
      case housing_kind::homeless_application:
        // The home being lost (sometimes not recorded), and where the family is staying now.
        if (rng_.chance(0.7)) e.previous = current;
        e.next = settled(in_other);
        e.next->line1 = "c/o " + e.next->line1;
        break;
      case housing_kind::new_household_member:
        e.next = current;
        if (rng_.chance(0.7)) add_baby(h, d);  // otherwise a new adult: only the children's rows
        break;
    }
    if (e.next && kind != housing_kind::new_household_member) hh.addresses.push_back({d, *e.next});
    if (across) leave_school(hh, d);
    w_.events.push_back(std::move(e));
  }

  void add_baby(std::size_t h, date d) {
    household& hh = w_.households[h];
    const child& sibling = w_.children[hh.children.front()];
    const language_group* lang = &languages().front();
    for (const auto& g : languages()) {
      if (g.language == sibling.language) lang = &g;
    }
    baby b;
    b.nhs_number = next_nhs_number();
    b.given_name = rng_.pick(lang->given);
    b.family_name = sibling.family_name;
    b.date_of_birth = d - days{rng_.between(0, 10)};
    // A new baby is often registered elsewhere, or not yet at all: the gap the brief describes.
    const double x = rng_.real();
    b.gp = x < 0.55 ? sibling.gp : x < 0.85 ? rng_.pick(practices()) : "";
    b.household = h;
    hh.babies.push_back(w_.babies.size());
    w_.babies.push_back(std::move(b));
  }

  void leave_school(const household& hh, date moved) {
    const auto it = std::lower_bound(w_.days.begin(), w_.days.end(), moved);
    if (it == w_.days.begin() || it == w_.days.end()) return;  // moved outside term time
    const bool known = rng_.chance(0.5);
    for (std::size_t i : hh.children) {
      child& c = w_.children[i];
      c.leaving_date = *(it - 1);
      c.destination = known ? rng_.pick(other_area_schools()) : "";
      c.penalty_paid.reset();
      c.holiday_start.reset();
    }
  }

  world w_;
  random_source rng_;
  std::uint32_t nhs_serial_;
};

}  // namespace

world build_world(const options& o) { return builder(o).build(); }

}  // namespace mab::synth::detail

// The school exports: the pupil list and the register (model.h). The register is written one
// day at a time, so memory stays at one small state per pupil however long the period.
#include <algorithm>
#include <fstream>
#include <ostream>

#include "adapters/synth/model.h"

namespace mab::synth::detail {
namespace {

struct weighted_code {
  const char* code;
  int weight;
};

using code_table = std::vector<weighted_code>;

const code_table regular_codes = {{"I", 60}, {"M", 12}, {"C", 6}, {"E", 2}, {"R", 2},
                                  {"H", 1},  {"O", 9},  {"G", 6}, {"U", 2}};
const code_table persistent_codes = {{"I", 40}, {"M", 6}, {"C", 4},  {"E", 3},
                                     {"O", 25}, {"N", 8}, {"G", 10}, {"U", 4}};
const code_table severe_codes = {{"I", 20}, {"O", 40}, {"N", 20}, {"G", 10}, {"C", 5}, {"E", 5}};
const code_table after_penalty_codes = {{"O", 50}, {"G", 30}, {"N", 10}, {"I", 10}};
const code_table approved_codes = {{"B", 1}, {"P", 1}, {"V", 1}, {"K", 1}};

const char* pick(random_source& r, const code_table& t) {
  int total = 0;
  for (const auto& c : t) total += c.weight;
  auto x = static_cast<int>(r.below(static_cast<std::uint64_t>(total)));
  for (const auto& c : t) {
    if (x < c.weight) return c.code;
    x -= c.weight;
  }
  return t.back().code;
}

struct pupil_state {
  double expected = 0;  // days of absence the target rate asks for so far
  double absent = 0;    // days of absence given so far (not counting runs and the holiday)
  bool ill = false;
  int run_left = 0;
  int holiday_left = 0;
  bool run_begun = false, holiday_begun = false;
};

// A day's two codes for one pupil. The chance of absence leans towards the target rate
// (expected - absent) so that even a short period shows each pupil near its profile.
std::pair<std::string, std::string> day_codes(const child& c, date d, pupil_state& st,
                                              random_source& r) {
  // ">=" rather than "==": a start that falls on the closure day begins the next day.
  if (c.run_start && d >= *c.run_start && !st.run_begun) {
    st.run_begun = true;
    st.run_left = c.run_sessions;
  }
  if (c.holiday_start && d >= *c.holiday_start && !st.holiday_begun) {
    st.holiday_begun = true;
    st.holiday_left = 5;
  }
  if (st.run_left > 0) {
    // A run starts as N (no reason yet) and becomes O once the school has given up waiting.
    auto code = [&] { return st.run_left-- > c.run_sessions - 4 ? "N" : "O"; };
    std::string am = code();
    std::string pm = st.run_left > 0 ? code() : "\\";
    return {am, pm};
  }
  if (st.holiday_left > 0) {
    --st.holiday_left;
    return {"G", "G"};
  }
  const bool after_penalty = c.penalty_paid && d > *c.penalty_paid;
  const double rate = after_penalty ? std::max(c.absence_rate, 0.3) : c.absence_rate;
  st.expected += rate;
  if (st.ill && r.chance(0.35)) {
    st.absent += 1;
    return {"I", "I"};
  }
  st.ill = false;
  const double p = std::clamp(rate + 0.2 * (st.expected - st.absent), 0.0, 0.97);
  if (r.chance(p)) {
    const code_table& t = after_penalty                                 ? after_penalty_codes
                          : c.profile == attendance_profile::severe     ? severe_codes
                          : c.profile == attendance_profile::persistent ? persistent_codes
                                                                        : regular_codes;
    const std::string code = pick(r, t);
    st.ill = code == "I";
    if ((code == "M" || code == "C") && r.chance(0.5)) {  // an appointment for half the day
      st.absent += 0.5;
      return r.chance(0.5) ? std::pair<std::string, std::string>{code, "\\"}
                           : std::pair<std::string, std::string>{"/", code};
    }
    st.absent += 1;
    return {code, code};
  }
  std::string am = r.chance(0.03) ? "L" : r.chance(0.01) ? pick(r, approved_codes) : "/";
  std::string pm = r.chance(0.005) ? pick(r, approved_codes) : "\\";
  return {am, pm};
}

}  // namespace

result<std::uint64_t> write_pupils(const world& w, const std::filesystem::path& file) {
  std::ofstream out(file, std::ios::binary);
  std::vector<const child*> pupils;
  for (const auto& c : w.children) pupils.push_back(&c);
  // Management information systems export in name order.
  std::sort(pupils.begin(), pupils.end(), [](const child* a, const child* b) {
    return std::tie(a->family_name, a->given_name, a->upn) <
           std::tie(b->family_name, b->given_name, b->upn);
  });
  out << "upn,given_name,family_name,date_of_birth,preferred_language,interpreter_required,"
         "leaving_date,destination,penalty_notice_paid_date\n";
  for (const child* c : pupils) {
    out << c->upn << ',' << c->given_name << ',' << c->family_name << ','
        << format_date(c->date_of_birth) << ',' << c->language << ',' << c->interpreter << ','
        << (c->leaving_date ? format_date(*c->leaving_date) : "") << ',' << c->destination << ','
        << (c->penalty_paid ? format_date(*c->penalty_paid) : "") << '\n';
  }
  out.flush();
  if (!out) return make_error("could not write " + file.string());
  return static_cast<std::uint64_t>(pupils.size());
}

result<std::uint64_t> write_register(const world& w, const std::filesystem::path& file,
                                     std::ostream* progress, std::uint64_t progress_every) {
  std::ofstream out(file, std::ios::binary);
  random_source r(w.opts.seed, "register");
  std::vector<pupil_state> states(w.children.size());
  // One planned whole-school closure day ("#") when the period is long enough to have one.
  const std::size_t closure = w.days.size() >= 20 ? 5 + r.below(w.days.size() - 10) : w.days.size();
  out << "upn,date,session,code\n";
  std::uint64_t rows = 0;
  std::string line;
  for (std::size_t di = 0; di < w.days.size(); ++di) {
    const date d = w.days[di];
    const std::string day = format_date(d);
    for (std::size_t i = 0; i < w.children.size(); ++i) {
      const child& c = w.children[i];
      if (c.leaving_date && d > *c.leaving_date) continue;
      const auto [am, pm] = di == closure ? std::pair<std::string, std::string>{"#", "#"}
                                          : day_codes(c, d, states[i], r);
      line.clear();
      line.append(c.upn).append(",").append(day).append(",AM,").append(am).append("\n");
      line.append(c.upn).append(",").append(day).append(",PM,").append(pm).append("\n");
      out << line;
      for (int k = 0; k < 2; ++k) {
        if (++rows % progress_every == 0 && progress != nullptr) {
          *progress << "mab-synth: school/register.csv: " << rows << " rows\n" << std::flush;
        }
      }
    }
    if (!out) return make_error("could not write " + file.string());
  }
  out.flush();
  if (!out) return make_error("could not write " + file.string());
  return rows;
}

}  // namespace mab::synth::detail

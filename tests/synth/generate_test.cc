// mab-synth's files: formats, identifiers, one consistent child across agencies, the postcode
// table, the attendance mix, determinism and the output-folder rules.
#include "adapters/synth/generate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "daemon/validate/validate.h"
#include "tests/synth/tmpdir.h"

namespace mab::synth {
namespace {

using namespace std::chrono;
using json = nlohmann::json;
using row = std::map<std::string, std::string>;

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream s(line);
  std::string field;
  while (std::getline(s, field, ',')) out.push_back(field);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

// Every line must have exactly the header's columns.
std::vector<row> read_csv(const std::filesystem::path& p, const std::string& header) {
  std::stringstream in(test::read(p));
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, header) << p;
  const auto names = split(header);
  std::vector<row> rows;
  for (int n = 2; std::getline(in, line); ++n) {
    const auto fields = split(line);
    EXPECT_EQ(fields.size(), names.size()) << p << ":" << n << ": " << line;
    row r;
    for (std::size_t i = 0; i < names.size() && i < fields.size(); ++i) r[names[i]] = fields[i];
    rows.push_back(std::move(r));
  }
  return rows;
}

const char* pupils_header =
    "upn,given_name,family_name,date_of_birth,preferred_language,interpreter_required,"
    "leaving_date,destination,penalty_notice_paid_date";
const char* events_header =
    "event_id,event_type,effective_date,household_id,upn,nhs_number,given_name,family_name,"
    "date_of_birth,previous_line1,previous_town,previous_postcode,new_line1,new_town,new_postcode";

bool rfc3339(const std::string& s) {
  return s.size() == 20 && s[10] == 'T' && s.back() == 'Z' &&
         validate::valid_iso_date(s.substr(0, 10));
}

// One small run (200 pupils, the autumn term) shared by the format and content tests.
class synth_run : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir = new test::tmpdir;
    opts.pupils = 200;
    opts.seed = 7;
    opts.to = sys_days{year{2025} / 12 / 19};
    std::ostringstream progress;
    auto r = generate(opts, dir->path, &progress, 5000);
    ASSERT_TRUE(r) << r.message();
    files = *r;
    progress_text = progress.str();
    pupils = read_csv(dir->path / "school/pupils.csv", pupils_header);
    reg = read_csv(dir->path / "school/register.csv", "upn,date,session,code");
    events = read_csv(dir->path / "housing/events.csv", events_header);
    for (const auto& r2 : read_csv(dir->path / "housing/postcodes.csv", "postcode,la_code")) {
      postcodes[r2.at("postcode")] = r2.at("la_code");
    }
    for (const auto& p : pupils) by_upn[p.at("upn")] = p;
  }
  static void TearDownTestSuite() { delete dir; }

  static std::string area_of(const std::string& postcode) {
    const std::string n = normalise_postcode(postcode);
    if (auto it = postcodes.find(n); it != postcodes.end()) return it->second;
    if (auto it = postcodes.find(outward_code(n)); it != postcodes.end()) return it->second;
    return "";
  }

  static std::vector<json> police_lines() {
    std::stringstream in(test::read(dir->path / "police/missing.jsonl"));
    std::vector<json> out;
    for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
    return out;
  }

  static inline test::tmpdir* dir = nullptr;
  static inline options opts;
  static inline std::vector<file_written> files;
  static inline std::string progress_text;
  static inline std::vector<row> pupils, reg, events;
  static inline std::map<std::string, std::string> postcodes;
  static inline std::map<std::string, row> by_upn;
};

TEST_F(synth_run, reports_every_file_with_its_row_count) {
  std::map<std::string, std::uint64_t> rows;
  for (const auto& f : files) rows[f.path] = f.rows;
  EXPECT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows["school/pupils.csv"], 200u);
  EXPECT_EQ(rows["school/register.csv"], reg.size());
  EXPECT_EQ(rows["housing/events.csv"], events.size());
  EXPECT_EQ(rows["police/missing.jsonl"], police_lines().size());
  EXPECT_NE(progress_text.find("school/register.csv: 5000 rows"), std::string::npos);
  EXPECT_NE(test::read(dir->path / "README.txt").find("NOTHING HERE IS ABOUT A REAL PERSON"),
            std::string::npos);
}

TEST_F(synth_run, pupils_are_valid_and_include_leavers_and_penalty_notices) {
  ASSERT_EQ(pupils.size(), 200u);
  int leavers = 0, no_destination = 0, penalties = 0, interpreters = 0;
  std::set<std::string> nhs;
  for (const auto& p : pupils) {
    EXPECT_TRUE(validate::valid_upn(p.at("upn"))) << p.at("upn");
    EXPECT_TRUE(validate::valid_iso_date(p.at("date_of_birth")));
    const auto age =
        static_cast<double>((opts.from - *parse_date(p.at("date_of_birth"))).count()) / 365.25;
    EXPECT_GE(age, 4.0);
    EXPECT_LT(age, 17.0);
    const auto& interp = p.at("interpreter_required");
    EXPECT_TRUE(interp == "yes" || interp == "no" || interp.empty()) << interp;
    interpreters += interp == "yes";
    if (!p.at("leaving_date").empty()) {
      ++leavers;
      EXPECT_TRUE(validate::valid_iso_date(p.at("leaving_date")));
      no_destination += p.at("destination").empty() || p.at("destination") == "unknown";
    }
    if (!p.at("penalty_notice_paid_date").empty()) {
      ++penalties;
      EXPECT_TRUE(validate::valid_iso_date(p.at("penalty_notice_paid_date")));
    }
  }
  EXPECT_GE(leavers, 2);
  EXPECT_GE(no_destination, 1);
  EXPECT_GE(penalties, 1);
  EXPECT_GE(interpreters, 1);
  EXPECT_EQ(by_upn.size(), 200u) << "UPNs must be unique";
}

TEST_F(synth_run, register_has_every_pupil_both_sessions_each_school_day_until_leaving) {
  const auto days = school_days(opts.from, opts.to);
  const std::set<std::string> codes = {"/", "\\", "L", "B", "D", "J", "K", "P", "V",
                                       "C", "E",  "H", "I", "M", "R", "S", "T", "G",
                                       "N", "O",  "U", "X", "Y", "Z", "#"};
  std::set<std::string> day_text;
  for (date d : days) day_text.insert(format_date(d));
  std::map<std::string, std::set<std::string>> sessions;
  for (const auto& r : reg) {
    ASSERT_TRUE(by_upn.contains(r.at("upn"))) << r.at("upn");
    ASSERT_TRUE(day_text.contains(r.at("date"))) << r.at("date");
    ASSERT_TRUE(r.at("session") == "AM" || r.at("session") == "PM");
    ASSERT_TRUE(codes.contains(r.at("code"))) << r.at("code");
    const std::string& leaving = by_upn[r.at("upn")].at("leaving_date");
    ASSERT_TRUE(leaving.empty() || r.at("date") <= leaving) << r.at("upn") << " " << r.at("date");
    EXPECT_TRUE(sessions[r.at("upn")].insert(r.at("date") + r.at("session")).second);
  }
  for (const auto& p : pupils) {
    const std::string& leaving = p.at("leaving_date");
    const auto expected = std::count_if(days.begin(), days.end(), [&](date d) {
      return leaving.empty() || format_date(d) <= leaving;
    });
    EXPECT_EQ(sessions[p.at("upn")].size(), static_cast<std::size_t>(2 * expected)) << p.at("upn");
  }
}

TEST_F(synth_run, attendance_mix_has_persistent_absence_and_rare_severe_absence) {
  const std::set<std::string> absent = {"C", "E", "H", "I", "M", "R", "S", "T", "G", "N", "O", "U"};
  const std::set<std::string> not_counted = {"X", "Y", "Z", "#"};
  std::map<std::string, std::pair<int, int>> counts;  // possible, absent
  std::map<std::string, std::pair<int, int>> runs;    // current, longest run of N/O
  for (const auto& r : reg) {
    const auto& code = r.at("code");
    if (not_counted.contains(code)) continue;
    auto& c = counts[r.at("upn")];
    ++c.first;
    c.second += absent.contains(code);
    auto& run = runs[r.at("upn")];
    run.first = code == "N" || code == "O" ? run.first + 1 : 0;
    run.second = std::max(run.second, run.first);
  }
  int persistent = 0, severe = 0, long_runs = 0;
  for (const auto& [upn, c] : counts) {
    const double rate = c.first == 0 ? 0 : static_cast<double>(c.second) / c.first;
    persistent += rate >= 0.10;
    severe += rate >= 0.50;
    long_runs += runs[upn].second >= 10;
  }
  // 16% persistent and 1.5% severe by profile; a term's sampling moves it a little.
  EXPECT_GE(persistent, 26) << "of 200";
  EXPECT_LE(persistent, 46) << "of 200";
  EXPECT_GE(severe, 1);
  EXPECT_LE(severe, 8);
  EXPECT_GE(long_runs, 1) << "some pupils should have a run of 10+ unexplained absences";
}

TEST_F(synth_run, penalty_notice_pupils_are_absent_after_paying) {
  int checked = 0;
  for (const auto& p : pupils) {
    const std::string& paid = p.at("penalty_notice_paid_date");
    if (paid.empty()) continue;
    int after = 0;
    for (const auto& r : reg) {
      after += r.at("upn") == p.at("upn") && r.at("date") > paid &&
               (r.at("code") == "O" || r.at("code") == "G" || r.at("code") == "N" ||
                r.at("code") == "I");
    }
    EXPECT_GE(after, 2) << p.at("upn") << " paid " << paid;
    ++checked;
  }
  EXPECT_GE(checked, 1);
}

TEST_F(synth_run, police_lines_parse_and_carry_the_same_children) {
  const auto lines = police_lines();
  ASSERT_GE(lines.size(), 30u);
  std::map<std::string, std::vector<json>> by_ref;
  std::map<std::string, std::set<std::string>> refs_by_child;
  std::map<std::string, std::string> nhs_of;  // upn -> NHS number, the same on every line
  std::map<std::string, int> risk;
  int cse = 0;
  for (const auto& l : lines) {
    const std::string ref = l.at("police_reference");
    ASSERT_EQ(ref.size(), 12u) << ref;
    EXPECT_EQ(ref.substr(0, 3), "MP/");
    ASSERT_TRUE(l.contains("upn") && l.contains("nhs_number")) << l.dump();
    const auto& child = by_upn.at(l.at("upn").get<std::string>());
    EXPECT_TRUE(validate::valid_nhs_number(l.at("nhs_number").get<std::string>()));
    const auto [it, fresh] = nhs_of.emplace(l.at("upn"), l.at("nhs_number"));
    EXPECT_EQ(it->second, l.at("nhs_number").get<std::string>()) << l.at("upn");
    (void)fresh;
    EXPECT_EQ(l.at("family_name"), child.at("family_name"));
    EXPECT_EQ(l.at("date_of_birth"), child.at("date_of_birth"));
    for (const char* t : {"last_seen_at", "reported_at", "found_at", "interview_held_at"}) {
      if (l.contains(t)) {
        EXPECT_TRUE(rfc3339(l.at(t))) << t << " " << l.at(t);
      }
    }
    EXPECT_TRUE(l.at("reported_at").get<std::string>() >= l.at("last_seen_at").get<std::string>());
    // Without "area" the police adapter uses its own.
    if (l.contains("area")) {
      EXPECT_TRUE(l.at("area") == opts.area || l.at("area") == opts.other_area) << l.at("area");
    }
    by_ref[ref].push_back(l);
    refs_by_child[l.at("upn")].insert(ref);
    if (by_ref[ref].size() == 1) {
      ++risk[l.at("risk")];
      cse += l.contains("cse_indicators");
    }
  }
  int updated = 0;
  for (const auto& [ref, ls] : by_ref) {
    if (ls.size() < 2) continue;
    ++updated;
    // A later line for the same record adds what happened since (found, interview held).
    EXPECT_TRUE(ls.back().contains("found_at") || ls.back().contains("interview_held_at")) << ref;
    EXPECT_GE(ls.back().size(), ls.front().size()) << ref;
  }
  EXPECT_GE(updated, 5);
  EXPECT_GE(std::count_if(refs_by_child.begin(), refs_by_child.end(),
                          [](const auto& kv) { return kv.second.size() > 1; }),
            1)
      << "some children should have repeat episodes";
  const int reports = static_cast<int>(by_ref.size());
  EXPECT_GE(risk["high"], 1);
  EXPECT_GT(risk["low"] + risk["medium"], reports / 2) << "mostly low and medium";
  EXPECT_GE(cse, 1);
  EXPECT_LT(cse, reports / 2);
}

TEST_F(synth_run, health_bundle_resolves_its_patients_and_has_signals) {
  const json b = json::parse(test::read(dir->path / "health/appointments.json"));
  EXPECT_EQ(b.at("resourceType"), "Bundle");
  EXPECT_EQ(b.at("type"), "collection");
  EXPECT_TRUE(rfc3339(b.at("timestamp")));
  std::map<std::string, json> patients;
  std::map<std::string, int> status;
  int self_harm = 0, injury = 0, babies = 0;
  // The police and housing rows say which NHS number belongs to which pupil.
  std::map<std::string, std::string> upn_of;
  for (const auto& l : police_lines()) upn_of[l.at("nhs_number")] = l.at("upn");
  for (const auto& e : events) {
    if (!e.at("upn").empty()) upn_of[e.at("nhs_number")] = e.at("upn");
  }
  int linked = 0;
  for (const auto& e : b.at("entry")) {
    const json& r = e.at("resource");
    if (r.at("resourceType") == "Patient") {
      patients[r.at("id")] = r;
      const auto& id = r.at("identifier").at(0);
      EXPECT_EQ(id.at("system"), "https://fhir.nhs.uk/Id/nhs-number");
      EXPECT_TRUE(validate::valid_nhs_number(id.at("value").get<std::string>()));
      EXPECT_TRUE(validate::valid_iso_date(r.at("birthDate").get<std::string>()));
      EXPECT_FALSE(area_of(r.at("address").at(0).at("postalCode")).empty());
      const std::string born = r.at("birthDate");
      babies += born >= format_date(opts.from - days{30});
      EXPECT_GE(born, format_date(opts.from - days{17 * 366})) << "a child, not an adult";
      if (auto it = upn_of.find(id.at("value")); it != upn_of.end()) {
        ++linked;
        EXPECT_EQ(born, by_upn[it->second].at("date_of_birth"));
        EXPECT_EQ(r.at("name").at(0).at("family"), by_upn[it->second].at("family_name"));
      }
    }
  }
  for (const auto& e : b.at("entry")) {
    const json& r = e.at("resource");
    if (r.at("resourceType") == "Appointment") {
      ++status[r.at("status")];
      const std::string ref = r.at("participant").at(0).at("actor").at("reference");
      EXPECT_TRUE(patients.contains(ref.substr(8))) << ref;
      const json& st = r.at("serviceType").at(0);
      EXPECT_TRUE(st.contains("text") || st.at("coding").at(0).contains("display"));
    } else if (r.at("resourceType") == "Encounter") {
      const std::string ref = r.at("subject").at("reference");
      EXPECT_TRUE(patients.contains(ref.substr(8))) << ref;
      const json& coding = r.at("reasonCode").at(0).at("coding").at(0);
      EXPECT_EQ(coding.at("system"), "http://snomed.info/sct");
      const bool emer = r.at("class").at("code") == "EMER";
      self_harm += emer && coding.at("code") == "248062006";
      injury += emer && coding.at("code") == "417746004";
    }
  }
  EXPECT_GE(status["noshow"], 1);
  EXPECT_GT(status["fulfilled"], status["noshow"]);
  EXPECT_GE(self_harm, 1);
  EXPECT_GE(injury, 1);
  EXPECT_GE(babies, 1);
  EXPECT_GE(linked, 1) << "health should see some of the children police or housing saw";
}

TEST_F(synth_run, housing_rows_are_valid_and_every_postcode_resolves) {
  std::map<std::string, std::set<std::string>> kinds;  // kind -> event ids
  int across = 0, unknown_previous = 0;
  for (const auto& e : events) {
    kinds[e.at("event_type")].insert(e.at("event_id"));
    const auto& upn = e.at("upn");
    EXPECT_FALSE(upn.empty() && e.at("nhs_number").empty());
    EXPECT_TRUE(validate::valid_nhs_number(e.at("nhs_number"))) << e.at("nhs_number");
    if (!upn.empty()) {
      ASSERT_TRUE(by_upn.contains(upn)) << upn;
      EXPECT_EQ(e.at("date_of_birth"), by_upn[upn].at("date_of_birth"));
      EXPECT_EQ(e.at("family_name"), by_upn[upn].at("family_name"));
    }
    // Only the previous address may be unknown (homeless application, new member).
    EXPECT_FALSE(e.at("new_postcode").empty()) << e.at("event_id");
    for (const char* f : {"previous_postcode", "new_postcode"}) {
      if (!e.at(f).empty()) {
        EXPECT_FALSE(area_of(e.at(f)).empty()) << e.at(f);
      }
    }
    const std::string from = area_of(e.at("previous_postcode")), to = area_of(e.at("new_postcode"));
    across += e.at("event_type") == "move" && from == opts.area && to == opts.other_area;
    unknown_previous += e.at("previous_postcode").empty();
  }
  for (const char* k :
       {"move", "temporary_accommodation", "homeless_application", "new_household_member"}) {
    EXPECT_GE(kinds[k].size(), 1u) << k;
  }
  EXPECT_EQ(kinds.size(), 4u);
  EXPECT_GE(across, 1) << "some households should move into the other area";
  EXPECT_GE(unknown_previous, 1);
}

TEST_F(synth_run, postcode_table_mixes_full_postcodes_and_outward_codes) {
  int full = 0, outward = 0;
  for (const auto& [pc, area] : postcodes) {
    EXPECT_TRUE(area == opts.area || area == opts.other_area) << pc;
    EXPECT_EQ(normalise_postcode(pc), pc);
    (pc.find(' ') == std::string::npos ? outward : full) += 1;
  }
  EXPECT_GE(full, 1);
  EXPECT_GE(outward, 1);
}

std::map<std::string, std::string> all_files(const std::filesystem::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out[std::filesystem::relative(e.path(), dir)] = test::read(e.path());
  }
  return out;
}

options small(std::uint64_t seed) {
  options o;
  o.seed = seed;
  o.pupils = 60;
  o.from = sys_days{year{2026} / 1 / 5};
  o.to = sys_days{year{2026} / 2 / 13};
  return o;
}

TEST(determinism, same_seed_same_bytes_and_another_seed_differs) {
  test::tmpdir a, b, c;
  ASSERT_TRUE(generate(small(42), a.path, nullptr));
  ASSERT_TRUE(generate(small(42), b.path, nullptr));
  ASSERT_TRUE(generate(small(43), c.path, nullptr));
  const auto fa = all_files(a.path), fb = all_files(b.path), fc = all_files(c.path);
  ASSERT_EQ(fa.size(), 7u);
  for (const auto& [name, text] : fa) {
    EXPECT_EQ(text, fb.at(name)) << name;
    EXPECT_FALSE(text.empty()) << name;
  }
  for (const char* f : {"school/pupils.csv", "school/register.csv", "police/missing.jsonl",
                        "health/appointments.json", "housing/events.csv"}) {
    EXPECT_NE(fa.at(f), fc.at(f)) << f;
  }
}

TEST(output_folder, refuses_a_non_empty_folder_unless_forced) {
  test::tmpdir d;
  std::ofstream(d.path / "notes.txt") << "mine";
  auto refused = generate(small(1), d.path, nullptr);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.err().code, not_empty);
  EXPECT_NE(refused.message().find("--force"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(d.path / "school"));
  options forced = small(1);
  forced.force = true;
  ASSERT_TRUE(generate(forced, d.path, nullptr));
  EXPECT_EQ(test::read(d.path / "notes.txt"), "mine");  // other files are left alone
  EXPECT_TRUE(std::filesystem::exists(d.path / "school/register.csv"));
  // An empty existing folder, or one that does not exist yet, needs no --force.
  test::tmpdir e;
  EXPECT_TRUE(generate(small(1), e.path, nullptr));
  EXPECT_TRUE(generate(small(1), e.path / "new/nested", nullptr));
  const auto not_folder = generate(forced, d.path / "notes.txt", nullptr);
  ASSERT_FALSE(not_folder);
  EXPECT_EQ(not_folder.err().code, io_failed);
}

TEST(tiny_runs, one_pupil_and_one_day_still_write_valid_files) {
  test::tmpdir d;
  options o;
  o.pupils = 1;
  o.from = o.to = sys_days{year{2026} / 3 / 4};
  auto r = generate(o, d.path, nullptr);
  ASSERT_TRUE(r) << r.message();
  EXPECT_EQ(r->at(1).rows, 2u);  // the register: AM and PM of the one day
  const json b = json::parse(test::read(d.path / "health/appointments.json"), nullptr, false);
  EXPECT_FALSE(b.is_discarded());
  EXPECT_EQ(b.at("resourceType"), "Bundle");
}

}  // namespace
}  // namespace mab::synth

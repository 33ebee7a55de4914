#include <sstream>

#include <gtest/gtest.h>

#include "adapters/housing/rules.h"
#include "tests/kit/tmpdir.h"

namespace mab::housing {
namespace {

using HousingChange = mab::v1::HousingChange;

constexpr const char* upn_a = "P207000016049";
constexpr const char* upn_b = "B801200005001";
constexpr const char* nhs_c = "4010232137";

std::vector<std::string> split(const std::string& line) {
  auto f = split_csv(line);
  EXPECT_TRUE(f) << line << ": " << f.message();
  return f ? *f : std::vector<std::string>{};
}

// ---- CSV ----

TEST(split_csv, plain_quoted_and_empty_fields) {
  EXPECT_EQ(split("a,b,c"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(split(" a , b ,c "), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(split("a,,c,"), (std::vector<std::string>{"a", "", "c", ""}));
  EXPECT_EQ(split("\"12, High Street\",London"),
            (std::vector<std::string>{"12, High Street", "London"}));
  EXPECT_EQ(split("\"Flat 2 \"\"The Maltings\"\"\", \"\" ,x"),
            (std::vector<std::string>{"Flat 2 \"The Maltings\"", "", "x"}));
  EXPECT_EQ(split(" \" padded \" ,y"), (std::vector<std::string>{" padded ", "y"}));
  EXPECT_EQ(split("\"a,\"\"b\"\",c\""), (std::vector<std::string>{"a,\"b\",c"}));
}

TEST(split_csv, malformed_quotes_name_the_column) {
  EXPECT_EQ(split_csv("a,\"12, High Street,London").message(),
            "column 2: unterminated quoted field");
  EXPECT_EQ(split_csv("a,b,\"x\"y,c").message(), "column 3: text after the closing quote");
  EXPECT_NE(
      split_csv("a,12 \"B\" Road").message().find("column 2: a quote inside an unquoted field"),
      std::string::npos);
}

// ---- postcodes ----

TEST(postcodes, normalise_full_postcodes) {
  EXPECT_EQ(normalise_postcode("sw1a1aa"), "SW1A 1AA");
  EXPECT_EQ(normalise_postcode(" Sw1A  1aa "), "SW1A 1AA");
  EXPECT_EQ(normalise_postcode("M11AE"), "M1 1AE");
  EXPECT_EQ(normalise_postcode("b33 8th"), "B33 8TH");
  EXPECT_EQ(normalise_postcode("CR2 6XH"), "CR2 6XH");
  EXPECT_EQ(normalise_postcode("EC1A 1BB"), "EC1A 1BB");
  for (const char* bad : {"", "SW1A", "SW1A 1A", "SW1A1AAA", "SW1A-1AA", "12345", "1W1A 1AA",
                          "SW1A AAA", "SW1A 11A", "ABC1 1AA"}) {
    EXPECT_FALSE(normalise_postcode(bad)) << bad;
  }
}

TEST(postcodes, normalise_outward_codes) {
  EXPECT_EQ(normalise_outward("sw1a"), "SW1A");
  EXPECT_EQ(normalise_outward(" m1 "), "M1");
  EXPECT_EQ(normalise_outward("B33"), "B33");
  for (const char* bad : {"", "1M", "SW", "SW1AA", "SW1A 1AA", "S-1"}) {
    EXPECT_FALSE(normalise_outward(bad)) << bad;
  }
}

result<postcode_table> table_of(const std::string& csv) {
  std::istringstream in(csv);
  return postcode_table::parse(in, "pc.csv");
}

const char* test_table =
    "postcode,la_code\r\n"
    "EC1A,E09000001\n"
    "EC1A 1BB,E09000033\n"  // a full postcode overrides its outward code
    "\"ec2v7hh\",E09000001\n"
    "B1,E08000025\n"
    "\n"
    "M1 1AE,E08000003\n";

TEST(postcode_table, looks_up_by_full_postcode_then_outward_code) {
  auto t = table_of(test_table);
  ASSERT_TRUE(t) << t.message();
  EXPECT_EQ(t->size(), 5u);
  EXPECT_EQ(t->area_of("EC1A 1BB"), "E09000033");
  EXPECT_EQ(t->area_of("EC1A 4HD"), "E09000001");
  EXPECT_EQ(t->area_of("EC2V 7HH"), "E09000001");
  EXPECT_EQ(t->area_of("B1 1BB"), "E08000025");
  EXPECT_EQ(t->area_of("M1 1AE"), "E08000003");
  EXPECT_FALSE(t->area_of("M1 2AA"));    // only one full postcode of M1 is known
  EXPECT_FALSE(t->area_of("EC2V 8AA"));  // and the outward code EC2V is not listed
  EXPECT_FALSE(t->area_of("B11 1AA"));   // B1 is not a prefix match for B11
}

TEST(postcode_table, every_bad_row_names_its_line_and_column) {
  auto t = table_of(
      "postcode,la_code\n"
      "EC1A,E09000001\n"
      "NOT A POSTCODE,E09000001\n"
      "B1,Birmingham\n"
      "ec1a,E09000002\n"
      "M1,E08000003,extra\n"
      "\"M2,E08000003\n");
  ASSERT_FALSE(t);
  const std::string m = t.message();
  EXPECT_NE(
      m.find("pc.csv:3: postcode: 'NOT A POSTCODE' is neither a full postcode nor an outward code"),
      std::string::npos)
      << m;
  EXPECT_NE(m.find("pc.csv:4: la_code: 'Birmingham' is not an ONS local authority code"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("pc.csv:5: postcode: 'EC1A' is listed twice (first at line 2)"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("pc.csv:6: expected 2 columns (postcode,la_code), found 3"), std::string::npos)
      << m;
  EXPECT_NE(m.find("pc.csv:7: column 1: unterminated quoted field"), std::string::npos) << m;
}

TEST(postcode_table, header_and_emptiness_are_checked) {
  EXPECT_EQ(table_of("pc,la\nEC1A,E09000001\n").message(),
            "pc.csv:1: expected the header 'postcode,la_code'");
  EXPECT_EQ(table_of("postcode,la_code\n").message(), "pc.csv: no postcodes in the table");
  EXPECT_NE(table_of("").message().find("empty file"), std::string::npos);
  EXPECT_TRUE(table_of("\xef\xbb\xbfPostcode, LA_Code\nEC1A,E09000001\n"));
}

// ---- settings ----

struct settings_test : ::testing::Test {
  kit::test::tmpdir dir;
  std::string config() const { return dir / "housing.toml"; }
  result<settings> load(const std::string& toml_text) {
    return load_settings(toml::parse(toml_text, config()), config());
  }
};

TEST_F(settings_test, postcode_table_resolves_against_the_config_folder) {
  kit::test::write(dir / "postcodes.csv", test_table);
  auto s = load("[housing]\npostcode_table = \"postcodes.csv\"\n");
  ASSERT_TRUE(s) << s.message();
  EXPECT_EQ(s->postcode_table_path, dir / "postcodes.csv");
  EXPECT_EQ(s->postcodes.area_of("B1 1BB"), "E08000025");
  EXPECT_EQ(s->moves_window_days, 365u);
  auto w = load("[housing]\npostcode_table = \"postcodes.csv\"\nmoves_window_days = 730\n");
  ASSERT_TRUE(w) << w.message();
  EXPECT_EQ(w->moves_window_days, 730u);
}

TEST_F(settings_test, errors_name_the_key_or_the_table_row) {
  EXPECT_EQ(load("[other]\n").message(), config() + ": housing.postcode_table: is required");
  EXPECT_EQ(load("[housing]\npostcode_table = \"nope.csv\"\n").message(),
            config() + ":2: housing.postcode_table: cannot read '" + (dir / "nope.csv") + "'");
  kit::test::write(dir / "postcodes.csv", "postcode,la_code\nEC1A,E09000001\nB1,X\n");
  const std::string m =
      load("[housing]\npostcode_table = \"postcodes.csv\"\nthreshold = 3\nmoves_window_days = 0\n")
          .message();
  EXPECT_NE(m.find(config() + ":3: housing.threshold: unknown key"), std::string::npos) << m;
  EXPECT_NE(
      m.find(config() + ":4: housing.moves_window_days: must be a whole number from 1 to 3660"),
      std::string::npos)
      << m;
  EXPECT_NE(m.find((dir / "postcodes.csv") + ":3: la_code: 'X'"), std::string::npos) << m;
}

// ---- rows ----

std::string line(const std::string& id, const std::string& type, const std::string& date,
                 const std::string& upn, const std::string& nhs, const std::string& previous,
                 const std::string& next, const std::string& household = "HH-1") {
  return id + "," + type + "," + date + "," + household + "," + upn + "," + nhs +
         ",Ava,Example,2015-05-17,\"1 Old Road, Flat 2\",London," + previous +
         ",\"9 New Street\",Birmingham," + next;
}

result<row> parse(const std::string& text) {
  auto f = split_csv(text);
  if (!f) return f.err();
  return parse_row(*f);
}

TEST(parse_row, reads_a_move_and_normalises_identifiers_and_postcodes) {
  auto r = parse(
      line("EV-1", "Move", "2026-03-02", "p207000016049", "943 476 5919", "ec2v7hh", "b1 1bb"));
  ASSERT_TRUE(r) << r.message();
  EXPECT_EQ(r->type, event_type::move);
  EXPECT_EQ(r->upn, upn_a);
  EXPECT_EQ(r->nhs_number, "9434765919");
  EXPECT_EQ(r->previous.line1, "1 Old Road, Flat 2");
  EXPECT_EQ(r->previous.postcode, "EC2V 7HH");
  EXPECT_EQ(r->next.line1, "9 New Street");
  EXPECT_EQ(r->next.postcode, "B1 1BB");
  EXPECT_EQ(r->date_of_birth, "2015-05-17");
}

TEST(parse_row, every_event_type_and_optional_previous_address) {
  for (const auto& [name, type] : std::vector<std::pair<std::string, event_type>>{
           {"temporary_accommodation", event_type::temporary_accommodation},
           {"homeless_application", event_type::homeless_application},
           {"new_household_member", event_type::new_household_member}}) {
    auto r = parse("EV-2," + name + ",2026-03-02,HH-1,," + nhs_c + ",,,,,,,,,B1 1BB");
    ASSERT_TRUE(r) << name << ": " << r.message();
    EXPECT_EQ(r->type, type);
    EXPECT_TRUE(r->previous.empty());
    EXPECT_TRUE(r->upn.empty());
  }
}

TEST(parse_row, malformed_rows_say_which_column_and_rule) {
  auto why = [](const std::string& text) { return parse(text).message(); };
  EXPECT_EQ(why("a,b,c"), std::string("expected 15 columns (") + header + "), found 3");
  EXPECT_EQ(why(line("", "move", "2026-03-02", upn_a, "", "EC2V 7HH", "B1 1BB")),
            "event_id: is required");
  EXPECT_EQ(why(line("E", "eviction", "2026-03-02", upn_a, "", "EC2V 7HH", "B1 1BB")),
            "event_type: 'eviction' must be one of move, temporary_accommodation, "
            "homeless_application, new_household_member");
  EXPECT_EQ(why(line("E", "move", "2026-02-30", upn_a, "", "EC2V 7HH", "B1 1BB")),
            "effective_date: '2026-02-30' is not a date (YYYY-MM-DD)");
  EXPECT_EQ(why(line("E", "move", "", upn_a, "", "EC2V 7HH", "B1 1BB")),
            "effective_date: is required");
  EXPECT_EQ(why(line("E", "move", "2026-03-02", upn_a, "", "EC2V 7HH", "B1 1BB", "")),
            "household_id: is required");
  EXPECT_EQ(why(line("E", "move", "2026-03-02", "A207000016049", "", "EC2V 7HH", "B1 1BB")),
            "upn: 'A207000016049' is not a valid UPN (13 characters, check letter first)");
  EXPECT_EQ(
      why(line("E", "move", "2026-03-02", "", "9434765918", "EC2V 7HH", "B1 1BB")),
      "nhs_number: '9434765918' is not a valid NHS number (10 digits, modulus 11 check digit)");
  EXPECT_EQ(why(line("E", "move", "2026-03-02", "", "", "EC2V 7HH", "B1 1BB")),
            "upn, nhs_number: at least one is required");
  EXPECT_EQ(why(line("E", "move", "2026-03-02", upn_a, "", "", "B1 1BB")),
            "previous_postcode: is required for a move");
  EXPECT_EQ(why(line("E", "move", "2026-03-02", upn_a, "", "EC2V", "B1 1BB")),
            "previous_postcode: 'EC2V' is not a full UK postcode (such as SW1A 1AA)");
  EXPECT_EQ(why(line("E", "temporary_accommodation", "2026-03-02", upn_a, "", "", "")),
            "new_postcode: is required");
  EXPECT_EQ(why("E,move,2026-03-02,HH," + std::string(upn_a) +
                ",,Ava,Example,17/05/2015,,,EC2V 7HH,,,B1 1BB"),
            "date_of_birth: '17/05/2015' is not a date (YYYY-MM-DD)");
}

TEST(resolve, both_postcodes_through_the_table_or_a_reject_naming_the_column) {
  auto t = table_of(test_table);
  ASSERT_TRUE(t);
  auto r = parse(line("E", "move", "2026-03-02", upn_a, "", "EC2V 7HH", "B1 1BB"));
  ASSERT_TRUE(r);
  auto a = resolve(*r, *t);
  ASSERT_TRUE(a) << a.message();
  EXPECT_EQ(a->previous, "E09000001");
  EXPECT_EQ(a->next, "E08000025");
  auto unknown_new = parse(line("E", "move", "2026-03-02", upn_a, "", "EC2V 7HH", "M1 2AA"));
  EXPECT_EQ(resolve(*unknown_new, *t).message(),
            "new_postcode: 'M1 2AA' is not in the postcode table (neither the postcode nor its "
            "outward code M1)");
  auto unknown_old = parse(line("E", "move", "2026-03-02", upn_a, "", "ZZ9 9ZZ", "B1 1BB"));
  EXPECT_NE(resolve(*unknown_old, *t).message().find("previous_postcode: 'ZZ9 9ZZ' is not in"),
            std::string::npos);
  auto homeless =
      parse("E,homeless_application,2026-03-02,HH,," + std::string(nhs_c) + ",,,,,,,,,M1 1AE");
  auto h = resolve(*homeless, *t);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->previous, "");
  EXPECT_EQ(h->next, "E08000003");
}

// ---- household history ----

row placement_row(const std::string& id, event_type type, const std::string& date) {
  row r;
  r.event_id = id;
  r.type = type;
  r.effective_date = date;
  return r;
}

TEST(household, counts_placements_at_the_365_day_edge) {
  household h;
  h.record(placement_row("old", event_type::move, "2025-03-01"));  // 366 days before
  h.record(placement_row("edge", event_type::temporary_accommodation, "2025-03-02"));  // 365
  h.record(placement_row("same-day", event_type::move, "2026-03-02"));
  h.record(placement_row("later", event_type::move, "2026-03-03"));
  h.record(placement_row("app", event_type::homeless_application, "2026-01-01"));
  h.record(placement_row("member", event_type::new_household_member, "2026-01-01"));
  EXPECT_EQ(h.placements.size(), 4u);
  EXPECT_EQ(h.placements_before("now", "2026-03-02", 365), 2u);       // edge and same-day
  EXPECT_EQ(h.placements_before("same-day", "2026-03-02", 365), 1u);  // not itself
  EXPECT_EQ(h.placements_before("now", "2026-03-01", 365), 2u);       // old (365 days) and edge
  EXPECT_EQ(h.placements_before("now", "2026-03-03", 365), 2u);       // edge drops out, later in
  EXPECT_EQ(h.placements_before("now", "2026-03-02", 366), 3u);
}

TEST(household, window_across_a_leap_day) {
  household h;
  h.record(placement_row("a", event_type::move, "2023-03-01"));
  // 2023-03-01 .. 2024-02-29 is 365 days; .. 2024-03-01 is 366.
  EXPECT_EQ(h.placements_before("b", "2024-02-29", 365), 1u);
  EXPECT_EQ(h.placements_before("b", "2024-03-01", 365), 0u);
}

TEST(household, json_round_trip_and_corruption) {
  household h;
  h.record(placement_row("a", event_type::move, "2026-01-02"));
  auto back = household::from_json(h.to_json());
  ASSERT_TRUE(back) << back.message();
  EXPECT_EQ(back->placements, h.placements);
  EXPECT_FALSE(household::from_json("{}"));
  EXPECT_FALSE(household::from_json("{\"placements\":{\"a\":\"yesterday\"}}"));
}

// ---- notifications ----

TEST(notification, a_cross_border_move) {
  auto r = parse(line("EV-1", "move", "2026-03-02", upn_a, "9434765919", "EC2V 7HH", "B1 1BB"));
  ASSERT_TRUE(r);
  const auto n = notification(*r, {"E09000001", "E08000025"}, "E09000001", 2);
  EXPECT_EQ(n.subject().upn(), upn_a);
  EXPECT_EQ(n.subject().nhs_number(), "9434765919");
  EXPECT_EQ(n.subject().area(), "E08000025");
  EXPECT_EQ(n.subject().given_name(), "Ava");
  const auto& h = n.housing_change();
  EXPECT_EQ(h.kind(), HousingChange::MOVE);
  EXPECT_EQ(h.household_id(), "HH-1");
  EXPECT_EQ(h.previous_address().line1(), "1 Old Road, Flat 2");
  EXPECT_EQ(h.previous_address().postcode(), "EC2V 7HH");
  EXPECT_EQ(h.new_address().town(), "Birmingham");
  EXPECT_EQ(h.previous_area(), "E09000001");
  EXPECT_EQ(h.new_area(), "E08000025");
  EXPECT_EQ(h.effective_date(), "2026-03-02");
  EXPECT_FALSE(h.out_of_area_placement());
  EXPECT_EQ(h.moves_last_12_months(), 2u);
  EXPECT_EQ(h.summary(),
            "Move on 2026-03-02 from EC2V 7HH (E09000001) to B1 1BB (E08000025), across a local "
            "authority boundary; household HH-1 had 2 other moves or temporary placements in the "
            "365 days before.");
  EXPECT_EQ(source_key(*r), "EV-1/upn:P207000016049");
}

TEST(notification, temporary_accommodation_out_of_area_only_outside_our_area) {
  auto r = parse("EV-3,temporary_accommodation,2026-03-02,HH-9,," + std::string(nhs_c) +
                 ",,,,,,,Room 4,Birmingham,B1 1BB");
  ASSERT_TRUE(r);
  EXPECT_EQ(source_key(*r), "EV-3/nhs:4010232137");
  auto away = notification(*r, {"", "E08000025"}, "E09000001", 1);
  EXPECT_TRUE(away.housing_change().out_of_area_placement());
  EXPECT_FALSE(away.housing_change().has_previous_address());
  EXPECT_EQ(away.housing_change().kind(), HousingChange::TEMPORARY_ACCOMMODATION);
  EXPECT_NE(away.housing_change().summary().find("placed outside this authority (E09000001)"),
            std::string::npos);
  EXPECT_FALSE(
      notification(*r, {"", "E09000001"}, "E09000001", 1).housing_change().out_of_area_placement());
  r->type = event_type::move;  // a move away is not a placement
  EXPECT_FALSE(notification(*r, {"E09000001", "E08000025"}, "E09000001", 1)
                   .housing_change()
                   .out_of_area_placement());
}

// ---- a run over exports, with the state reopened between runs ----

struct run_fixture : ::testing::Test {
  kit::test::tmpdir dir;
  kit::summary sum;
  std::vector<std::string> keys;
  std::vector<mab::v1::Notification> sent;

  status run_once(const std::string& csv, bool persist = true) {
    auto st = kit::state::open(dir / "s.db");
    auto rj = kit::rejects::open(dir / "r.txt");
    auto table = table_of(test_table);
    if (!st || !rj || !table) return make_error("open");
    kit::state& state = **st;
    settings s;
    s.postcodes = std::move(table).value();
    processor proc(
        std::move(s), "E09000001", state, **rj, sum,
        [&](const std::string& key, mab::v1::Notification n, const std::string&,
            std::uint64_t) -> result<kit::outcome> {
          if (state.sent(key)->has_value()) return kit::outcome::skipped;
          keys.push_back(key);
          sent.push_back(std::move(n));
          if (persist) (void)state.record_sent(key, {"id", "ACCEPTED"});
          return kit::outcome::sent;
        },
        persist);
    std::istringstream in(csv);
    return proc.process("in.csv", in);
  }
};

std::string first_export() {
  return std::string(header) + "\r\n" +
         line("EV-1", "move", "2025-06-01", upn_a, "", "EC2V 7HH", "EC1A 4HD") + "\n" +
         line("EV-1", "move", "2025-06-01", upn_b, "", "EC2V 7HH", "EC1A 4HD") + "\n" +
         line("EV-2", "move", "2025-09-01", upn_a, "", "EC1A 4HD", "ZZ9 9ZZ") + "\n" +  // unknown
         line("EV-3", "flit", "2025-09-01", upn_a, "", "EC1A 4HD", "B1 1BB") + "\n" +
         line("EV-1", "move", "2025-06-01", upn_a, "", "EC2V 7HH", "EC1A 4HD") + "\n" +  // again
         "\n" + line("EV-4", "move", "2025-10-01", upn_a, "", "EC1A 4HD", "\"B1 1BB") + "\n";
}

TEST_F(run_fixture, sends_one_per_child_per_event_and_rejects_bad_rows_with_line_numbers) {
  ASSERT_TRUE(run_once(first_export()));
  EXPECT_EQ(keys, (std::vector<std::string>{"EV-1/upn:P207000016049", "EV-1/upn:B801200005001"}));
  EXPECT_EQ(sum.rows_read, 6u);
  EXPECT_EQ(sum.rejected, 4u);
  EXPECT_EQ(sent[0].housing_change().new_area(), "E09000001");
  EXPECT_EQ(sent[0].housing_change().moves_last_12_months(), 0u);
  const auto rejects = kit::test::read(dir / "r.txt");
  EXPECT_NE(rejects.find("in.csv:4: new_postcode: 'ZZ9 9ZZ' is not in the postcode table"),
            std::string::npos)
      << rejects;
  EXPECT_NE(rejects.find("in.csv:5: event_type: 'flit' must be one of"), std::string::npos)
      << rejects;
  EXPECT_NE(rejects.find("in.csv:6: duplicate row for EV-1/upn:P207000016049 (first at line 2)"),
            std::string::npos)
      << rejects;
  EXPECT_NE(rejects.find("in.csv:8: column 15: unterminated quoted field"), std::string::npos)
      << rejects;
}

TEST_F(run_fixture, rerun_after_restart_sends_nothing_and_history_spans_files) {
  ASSERT_TRUE(run_once(first_export()));
  keys.clear();
  sent.clear();
  sum = {};
  ASSERT_TRUE(run_once(first_export()));  // a new state object: a restart
  EXPECT_TRUE(keys.empty());
  EXPECT_EQ(sum.rejected, 4u);

  // A later export: the move of 2025-06-01 is within 365 days of 2026-06-01 (exactly), and its
  // other child's row counts the same event once.
  const std::string second =
      std::string(header) + "\n" +
      line("EV-5", "move", "2026-06-01", upn_a, "", "EC1A 4HD", "B1 1BB") + "\n" +
      line("EV-6", "move", "2026-06-02", upn_a, "", "B1 1BB", "M1 1AE") + "\n";
  ASSERT_TRUE(run_once(second));
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].housing_change().moves_last_12_months(), 1u);  // EV-1
  EXPECT_EQ(sent[0].subject().area(), "E08000025");
  EXPECT_EQ(sent[1].housing_change().moves_last_12_months(), 1u);  // EV-5; EV-1 is 366 days back
  auto st = kit::state::open(dir / "s.db");
  auto h = household::from_json((*st)->entity("household/HH-1")->value());
  ASSERT_TRUE(h);
  EXPECT_EQ(h->placements.size(), 3u);
}

TEST_F(run_fixture, dry_run_leaves_no_history) {
  ASSERT_TRUE(run_once(first_export(), /*persist=*/false));
  EXPECT_EQ(keys.size(), 2u);
  auto st = kit::state::open(dir / "s.db");
  EXPECT_FALSE((*st)->entity("household/HH-1")->has_value());
}

TEST_F(run_fixture, missing_header_skips_the_file) {
  ASSERT_TRUE(
      run_once(line("EV-1", "move", "2025-06-01", upn_a, "", "EC2V 7HH", "EC1A 4HD") + "\n"));
  EXPECT_EQ(sum.rows_read, 0u);
  EXPECT_TRUE(keys.empty());
  EXPECT_NE(kit::test::read(dir / "r.txt").find("in.csv:1: expected the header"),
            std::string::npos);
}

}  // namespace
}  // namespace mab::housing

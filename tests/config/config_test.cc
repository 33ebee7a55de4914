// Configuration loading: a full valid file, one test per validation rule (each checking the line
// and the field named), error collection, path resolution and the registry lookups.
#include "daemon/config/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "daemon/crypto/crypto.h"
#include "mab/v1/notification.pb.h"
#include "tests/config/config_test_support.h"

namespace mab::config {
namespace {

namespace fs = std::filesystem;
using namespace test_support;

TEST_F(config_test, valid_config_loads_every_field) {
  const auto r = parse(valid_text(), "mabd.toml");
  ASSERT_TRUE(r.errors.empty()) << all_errors(r);
  ASSERT_TRUE(r.cfg.has_value());
  const config& c = *r.cfg;
  EXPECT_EQ(c.source_path, "mabd.toml");

  const settings& b = c.broker;
  EXPECT_EQ(b.listen, "tcp://127.0.0.1:7750");
  EXPECT_EQ(b.data_dir, "/srv/mab/data");
  EXPECT_EQ(b.store, "sqlite");
  EXPECT_EQ(b.sqlite_path, "mab.db");
  EXPECT_EQ(b.signing_key_file, "broker.sign.key");
  EXPECT_EQ(b.curve_secret_key_file, "/etc/mab/broker.curve.key");
  EXPECT_EQ(b.control, "ipc:///run/mab/control.sock");
  EXPECT_EQ(b.max_message_bytes, 2097152u);
  EXPECT_EQ(b.clock_skew_seconds, 120);
  EXPECT_EQ(b.max_refusals, 4u);
  EXPECT_DOUBLE_EQ(b.retry_initial_seconds, 2.5);
  EXPECT_DOUBLE_EQ(b.retry_max_seconds, 600.0);
  EXPECT_EQ(b.delivery_window, 50u);
  EXPECT_DOUBLE_EQ(b.consumer_timeout_seconds, 45.0);
  EXPECT_EQ(b.log_format, "json");
  EXPECT_EQ(b.log_level, "debug");

  ASSERT_EQ(c.agencies.size(), 3u);
  const agency& school = c.agencies[0];
  EXPECT_EQ(school.id, "school-e09-01");
  EXPECT_EQ(school.name, "Demo Primary School");
  EXPECT_EQ(school.kind, "school");
  EXPECT_EQ(school.area, "E09000001");
  ASSERT_EQ(school.signing_keys.size(), 1u);
  EXPECT_EQ(school.signing_keys[0].public_key, keys_.school_sign.public_key);
  EXPECT_EQ(school.signing_keys[0].key_id, crypto::key_id_for(keys_.school_sign.public_key));
  EXPECT_EQ(school.curve_keys, std::vector<std::string>{keys_.school_curve.public_z85});
  EXPECT_EQ(school.may_send, (std::set<std::string>{"attendance_concern", "referral"}));

  const agency& csc = c.agencies[1];
  EXPECT_EQ(csc.name, "csc-e09");  // name defaults to the id
  ASSERT_EQ(csc.signing_keys.size(), 2u);
  EXPECT_EQ(csc.signing_keys[1].public_key, keys_.csc_sign_next.public_key);

  ASSERT_EQ(c.routes.size(), 2u);
  const route_rule& front_door = c.routes[0];
  EXPECT_EQ(front_door.name, "attendance to front door");
  EXPECT_EQ(front_door.bodies, std::set<std::string>{"attendance_concern"});
  EXPECT_EQ(front_door.areas, std::set<std::string>{"E09000001"});
  EXPECT_EQ(front_door.to, std::vector<std::string>{"csc-e09"});
  EXPECT_EQ(front_door.to_kinds, (std::set<std::string>{"csc", "mash"}));
  EXPECT_FALSE(front_door.allow_explicit);
  EXPECT_EQ(front_door.line, line_containing(valid_template, "name = \"attendance to front door\"") - 1);

  const route_rule& second = c.routes[1];
  EXPECT_EQ(second.name, "route #2");
  EXPECT_TRUE(second.areas.empty());
  EXPECT_TRUE(second.to.empty());
  EXPECT_TRUE(second.allow_explicit);
}

TEST_F(config_test, omitted_settings_keep_their_defaults) {
  const std::string text = keys_.fill(R"([[agency]]
id = "school-1"
kind = "school"
area = "E09000001"
signing_keys = ["{school_sign}"]
curve_keys = ["{school_curve}"]
)");
  const auto r = parse(text, "mabd.toml");
  ASSERT_TRUE(r.cfg.has_value()) << all_errors(r);
  const settings defaults;
  const settings& b = r.cfg->broker;
  EXPECT_EQ(b.listen, defaults.listen);
  EXPECT_EQ(b.sqlite_path, defaults.sqlite_path);
  EXPECT_EQ(b.max_message_bytes, defaults.max_message_bytes);
  EXPECT_EQ(b.max_refusals, defaults.max_refusals);
  EXPECT_DOUBLE_EQ(b.retry_max_seconds, defaults.retry_max_seconds);
  EXPECT_EQ(b.log_level, defaults.log_level);
  EXPECT_TRUE(r.cfg->agencies[0].may_send.empty());
  EXPECT_TRUE(r.cfg->routes.empty());
}

TEST_F(config_test, route_with_only_explicit_recipients_is_valid) {
  const auto r = parse(edited("to_kinds = [\"csc\"]\nallow_explicit = true\n", "allow_explicit = true\n"),
                       "mabd.toml");
  ASSERT_TRUE(r.errors.empty()) << all_errors(r);
  ASSERT_TRUE(r.cfg.has_value());
  EXPECT_TRUE(r.cfg->routes[1].to.empty());
  EXPECT_TRUE(r.cfg->routes[1].to_kinds.empty());
  EXPECT_TRUE(r.cfg->routes[1].allow_explicit);
}


class rule_test : public config_test, public ::testing::WithParamInterface<rule_case> {};

TEST_P(rule_test, reports_line_and_field) {
  const rule_case& c = GetParam();
  const std::string text = edited(c.from, c.to);
  const auto r = parse(text, "mabd.toml");
  EXPECT_FALSE(r.cfg.has_value());
  EXPECT_TRUE(has_error(r, line_containing(text, c.needle) + c.offset, c.fragment));
}

const rule_case rule_cases[] = {
    // Unknown keys, in every kind of table.
    {"unknown_broker_key", "listen = ", "lissen = ", "lissen", 0,
     "broker: lissen: unknown key (did you mean 'listen'?)"},
    {"unknown_agency_key", "name = \"Demo", "nmae = \"Demo", "nmae", 0,
     "agency 'school-e09-01': nmae: unknown key (did you mean 'name'?)"},
    {"unknown_route_key", "allow_explicit = false", "allow_explict = false", "allow_explict", 0,
     "route 'attendance to front door': allow_explict: unknown key (did you mean "
     "'allow_explicit'?)"},
    {"unknown_top_level_key", "[broker]", "brokers = 1\n[broker]", "brokers", 0,
     "top level: brokers: unknown key (did you mean 'broker'?)"},
    {"unknown_key_far_from_any", "listen = ", "colour = \"blue\"\nlisten = ", "colour", 0,
     "broker: colour: unknown key (allowed: listen, data_dir"},
    // Types.
    {"integer_given_a_string", "max_message_bytes = 2097152", "max_message_bytes = \"2MB\"",
     "max_message_bytes", 0, "broker: max_message_bytes: expected an integer, got a string"},
    {"seconds_given_a_string", "retry_initial_seconds = 2.5", "retry_initial_seconds = \"2s\"",
     "retry_initial_seconds", 0, "broker: retry_initial_seconds: expected a number, got a string"},
    {"boolean_given_a_string", "allow_explicit = false", "allow_explicit = \"no\"",
     "allow_explicit = \"no\"", 0, "allow_explicit: expected a boolean"},
    {"list_given_a_string", "may_send = [\"referral_outcome\"]", "may_send = \"referral_outcome\"",
     "may_send = \"referral_outcome\"", 0,
     "agency 'csc-e09': may_send: expected an array of strings, got a string"},
    {"list_element_not_a_string", "curve_keys = [\"{csc_curve}\"]", "curve_keys = [42]",
     "curve_keys = [42]", 0, "agency 'csc-e09': curve_keys[0]: expected a string, got an integer"},
    {"broker_not_a_table", "[broker]\n", "broker = 1\n[broker2]\n", "broker = 1", 0,
     "top level: broker: expected a table"},
    // Numbers.
    {"zero_max_message_bytes", "max_message_bytes = 2097152", "max_message_bytes = 0",
     "max_message_bytes", 0, "broker: max_message_bytes: must be at least 1, got 0"},
    {"negative_clock_skew", "clock_skew_seconds = 120", "clock_skew_seconds = -5",
     "clock_skew_seconds", 0, "broker: clock_skew_seconds: must be at least 1, got -5"},
    {"zero_max_refusals", "max_refusals = 4", "max_refusals = 0", "max_refusals", 0,
     "broker: max_refusals: must be at least 1, got 0"},
    {"zero_retry_initial", "retry_initial_seconds = 2.5", "retry_initial_seconds = 0.0",
     "retry_initial_seconds", 0, "broker: retry_initial_seconds: must be more than 0"},
    {"negative_retry_max", "retry_max_seconds = 600", "retry_max_seconds = -1", "retry_max_seconds",
     0, "broker: retry_max_seconds: must be more than 0"},
    {"retry_max_below_initial", "retry_max_seconds = 600", "retry_max_seconds = 1",
     "retry_max_seconds", 0,
     "broker: retry_max_seconds: 1 is less than retry_initial_seconds (2.5)"},
    {"zero_delivery_window", "delivery_window = 50", "delivery_window = 0", "delivery_window", 0,
     "broker: delivery_window: must be at least 1, got 0"},
    {"huge_delivery_window", "delivery_window = 50", "delivery_window = 5000000000",
     "delivery_window", 0, "broker: delivery_window: must be at most 4294967295"},
    {"zero_consumer_timeout", "consumer_timeout_seconds = 45.0", "consumer_timeout_seconds = 0",
     "consumer_timeout_seconds", 0, "broker: consumer_timeout_seconds: must be more than 0"},
    {"nan_consumer_timeout", "consumer_timeout_seconds = 45.0", "consumer_timeout_seconds = nan",
     "consumer_timeout_seconds", 0, "broker: consumer_timeout_seconds: must be more than 0"},
    // Choices and endpoints.
    {"bad_log_format", "log_format = \"json\"", "log_format = \"xml\"", "log_format", 0,
     "broker: log_format: 'xml' is not one of: human, json"},
    {"bad_log_level", "log_level = \"debug\"", "log_level = \"verbose\"", "log_level", 0,
     "broker: log_level: 'verbose' is not one of: trace, debug, info, warn, error"},
    {"store_not_sqlite", "store = \"sqlite\"", "store = \"postgres\"", "store", 0,
     "broker: store: 'postgres' is not one of: sqlite"},
    {"listen_bad_scheme", "listen = \"tcp://127.0.0.1:7750\"", "listen = \"http://0.0.0.0:80\"",
     "listen", 0, "broker: listen: 'http://0.0.0.0:80' must start with tcp:// or ipc://"},
    {"listen_without_address", "listen = \"tcp://127.0.0.1:7750\"", "listen = \"tcp://\"",
     "listen", 0, "broker: listen: 'tcp://' must start with tcp:// or ipc://"},
    {"control_not_ipc", "control = \"ipc:///run/mab/control.sock\"",
     "control = \"tcp://127.0.0.1:7751\"", "control", 0,
     "broker: control: 'tcp://127.0.0.1:7751' must start with ipc://"},
    {"empty_data_dir", "data_dir = \"/srv/mab/data\"", "data_dir = \"\"", "data_dir", 0,
     "broker: data_dir: must not be empty"},
    {"empty_sqlite_path", "sqlite_path = \"mab.db\"", "sqlite_path = \"\"", "sqlite_path", 0,
     "broker: sqlite_path: must not be empty"},
    // Agencies.
    {"agency_id_with_capitals_and_space", "id = \"school-e09-01\"", "id = \"School 1\"",
     "School 1", 0,
     "agency 'School 1': id: 'School 1' does not match [a-z0-9][a-z0-9._-]{0,63}"},
    {"agency_id_leading_dash", "id = \"school-e09-01\"", "id = \"-school\"", "-school", 0,
     "agency '-school': id: '-school' does not match [a-z0-9][a-z0-9._-]{0,63}"},
    {"agency_id_too_long", "id = \"school-e09-01\"",
     "id = \"a1234567890123456789012345678901234567890123456789012345678901234\"", "a123", 0,
     "id: 'a1234567890123456789012345678901234567890123456789012345678901234' does not match"},
    {"agency_id_missing", "id = \"police-e01\"\n", "", "kind = \"police\"", -1,
     "agency #3: id: missing; every agency needs an id"},
    {"duplicate_agency_id", "id = \"police-e01\"", "id = \"csc-e09\"", "kind = \"police\"", -1,
     "agency 'csc-e09': id: duplicate agency id; already declared at line 30"},
    {"agency_name_empty", "name = \"Demo Primary School\"", "name = \"\"", "name = \"\"", 0,
     "agency 'school-e09-01': name: must not be empty"},
    {"unknown_agency_kind", "kind = \"police\"", "kind = \"constabulary\"", "constabulary", 0,
     "agency 'police-e01': kind: unknown agency kind 'constabulary' (known: csc, early_help"},
    {"agency_kind_missing", "kind = \"police\"\n", "", "id = \"police-e01\"", -1,
     "agency 'police-e01': kind: missing"},
    {"empty_area", "area = \"E09000002\"", "area = \"\"", "area = \"\"", 0,
     "agency 'police-e01': area: is empty"},
    {"area_missing", "area = \"E09000002\"\n", "", "id = \"police-e01\"", -1,
     "agency 'police-e01': area: missing"},
    {"signing_key_not_base64", "[\"{police_sign}\"]", "[\"not base64!\"]", "not base64!", 0,
     "agency 'police-e01': signing_keys[0]: not base64 of a 32-byte Ed25519 public key"},
    {"signing_key_wrong_length", "[\"{police_sign}\"]",
     "[\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\"]", "AAAAAAAA", 0,
     "agency 'police-e01': signing_keys[0]: not base64 of a 32-byte Ed25519 public key"},
    {"second_signing_key_bad", "[\"{csc_sign}\", \"{csc_sign_next}\"]",
     "[\"{csc_sign}\", \"AAAA\"]", "\"AAAA\"", 0,
     "agency 'csc-e09': signing_keys[1]: not base64 of a 32-byte Ed25519 public key"},
    {"curve_key_not_z85", "[\"{police_curve}\"]", "[\"too-short\"]", "too-short", 0,
     "agency 'police-e01': curve_keys[0]: not a Z85 Curve public key (40 Z85 characters)"},
    {"signing_key_shared_by_two_agencies", "[\"{police_sign}\"]", "[\"{school_sign}\"]",
     "kind = \"police\"", 2,
     "agency 'police-e01': signing_keys[0]: signing key 'ed25519:"},
    {"signing_key_shared_names_owner", "[\"{police_sign}\"]", "[\"{school_sign}\"]",
     "kind = \"police\"", 2, "is already registered to agency 'school-e09-01' (line 25)"},
    {"signing_key_listed_twice", "[\"{csc_sign}\", \"{csc_sign_next}\"]",
     "[\"{csc_sign}\", \"{csc_sign}\"]", "kind = \"csc\"", 2,
     "agency 'csc-e09': signing_keys[1]: signing key 'ed25519:"},
    {"curve_key_shared_by_two_agencies", "[\"{police_curve}\"]", "[\"{csc_curve}\"]",
     "kind = \"police\"", 3, "agency 'police-e01': curve_keys[0]: curve key '"},
    {"curve_key_shared_names_owner", "[\"{police_curve}\"]", "[\"{csc_curve}\"]",
     "kind = \"police\"", 3, "is already registered to agency 'csc-e09' (line 34)"},
    {"empty_signing_keys", "signing_keys = [\"{police_sign}\"]", "signing_keys = []",
     "signing_keys = []", 0,
     "agency 'police-e01': signing_keys: is empty; an agency needs at least one Ed25519"},
    {"missing_signing_keys", "signing_keys = [\"{police_sign}\"]\n", "", "id = \"police-e01\"", -1,
     "agency 'police-e01': signing_keys: missing; an agency needs at least one Ed25519"},
    {"empty_curve_keys", "curve_keys = [\"{police_curve}\"]", "curve_keys = []",
     "curve_keys = []", 0, "agency 'police-e01': curve_keys: is empty; an agency needs at least one"},
    {"missing_curve_keys", "curve_keys = [\"{police_curve}\"]\n", "", "id = \"police-e01\"", -1,
     "agency 'police-e01': curve_keys: missing"},
    {"unknown_body_in_may_send", "may_send = [\"missing_episode\"]",
     "may_send = [\"missing_episode\", \"misc\"]", "\"misc\"", 0,
     "agency 'police-e01': may_send[1]: unknown body kind 'misc' (known: attendance_concern"},
    // Routes.
    {"unknown_body_in_bodies", "bodies = [\"attendance_concern\"]", "bodies = [\"attendance\"]",
     "bodies = [\"attendance\"]", 0,
     "route 'attendance to front door': bodies[0]: unknown body kind 'attendance'"},
    {"route_empty_bodies", "bodies = [\"attendance_concern\"]", "bodies = []", "bodies = []", 0,
     "route 'attendance to front door': bodies: is empty; a route must name the body kinds"},
    {"route_missing_bodies", "bodies = [\"attendance_concern\"]\n", "", "name = \"attendance to",
     -1, "route 'attendance to front door': bodies: missing"},
    {"route_to_unknown_agency", "to = [\"csc-e09\"]", "to = [\"csc-e99\"]", "csc-e99", 0,
     "route 'attendance to front door': to[0]: unknown agency 'csc-e99'"},
    {"route_to_listed_twice", "to = [\"csc-e09\"]", "to = [\"csc-e09\", \"csc-e09\"]",
     "to = [\"csc-e09\", \"csc-e09\"]", 0, "to[1]: 'csc-e09' is listed twice"},
    {"route_without_recipients", "to_kinds = [\"csc\"]\nallow_explicit = true\n", "",
     "bodies = [\"referral\",", -1,
     "route #2: to, to_kinds: neither is given; a route needs recipients"},
    {"route_with_empty_recipients", "to_kinds = [\"csc\"]\nallow_explicit = true\n",
     "to = []\nto_kinds = []\n",
     "bodies = [\"referral\",", -1, "route #2: to, to_kinds: neither is given"},
    {"unknown_to_kind", "to_kinds = [\"csc\", \"mash\"]", "to_kinds = [\"csc\", \"social_care\"]",
     "social_care", 0,
     "route 'attendance to front door': to_kinds[1]: unknown agency kind 'social_care'"},
    {"route_empty_area", "areas = [\"E09000001\"]", "areas = [\"\"]", "areas = [\"\"]", 0,
     "route 'attendance to front door': areas[0]: must not be empty"},
    {"route_empty_name", "name = \"attendance to front door\"", "name = \"\"", "name = \"\"", 0,
     "route #1: name: must not be empty"},
};

INSTANTIATE_TEST_SUITE_P(config, rule_test, ::testing::ValuesIn(rule_cases),
                         [](const auto& test) { return std::string(test.param.name); });

TEST_F(config_test, the_template_lines_the_rule_cases_name_are_right) {
  // Several rule cases name lines of the template directly (the first declaration's line).
  EXPECT_EQ(line_containing(valid_template, "id = \"school-e09-01\"") - 1, 20);
  EXPECT_EQ(line_containing(valid_template, "signing_keys = [\"{school_sign}\"]"), 25);
  EXPECT_EQ(line_containing(valid_template, "id = \"csc-e09\"") - 1, 29);
  EXPECT_EQ(line_containing(valid_template, "id = \"csc-e09\""), 30);
  EXPECT_EQ(line_containing(valid_template, "curve_keys = [\"{csc_curve}\"]"), 34);
}

TEST_F(config_test, every_error_is_reported_together_in_line_order) {
  std::string text = replaced(std::string(valid_template), "listen = ", "lissen = ");
  text = replaced(text, "[\"{police_sign}\"]", "[\"nope\"]");
  text = replaced(text, "to = [\"csc-e09\"]", "to = [\"nobody\"]");
  text = replaced(text, "max_refusals = 4", "max_refusals = 0");
  text = keys_.fill(text);
  const auto r = parse(text, "mabd.toml");
  EXPECT_FALSE(r.cfg.has_value());
  ASSERT_EQ(r.errors.size(), 4u) << all_errors(r);
  EXPECT_TRUE(has_error(r, line_containing(text, "lissen"), "lissen"));
  EXPECT_TRUE(has_error(r, line_containing(text, "max_refusals"), "max_refusals"));
  EXPECT_TRUE(has_error(r, line_containing(text, "nope"), "signing_keys[0]"));
  EXPECT_TRUE(has_error(r, line_containing(text, "nobody"), "to[0]"));
  EXPECT_TRUE(r.errors[0].starts_with("mabd.toml:" + std::to_string(line_containing(text, "lissen"))));
  EXPECT_NE(r.errors[3].find("nobody"), std::string::npos);
}

TEST_F(config_test, single_agency_table_asks_for_double_brackets) {
  const std::string text = "[broker]\nlisten = \"tcp://127.0.0.1:7750\"\n\n[agency]\nid = \"x\"\n";
  const auto r = parse(text, "mabd.toml");
  EXPECT_FALSE(r.cfg.has_value());
  EXPECT_TRUE(has_error(r, 4, "top level: agency: expected an array of tables: write [[agency]]"));
}

TEST_F(config_test, toml_syntax_error_names_the_line) {
  const std::string text = edited("log_level = \"debug\"", "log_level = ");
  const auto r = parse(text, "mabd.toml");
  EXPECT_FALSE(r.cfg.has_value());
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_TRUE(has_error(r, line_containing(text, "log_level"), "TOML syntax: "));
}

TEST_F(config_test, duplicate_toml_key_is_a_syntax_error) {
  const std::string text = edited("store = \"sqlite\"", "store = \"sqlite\"\nstore = \"sqlite\"");
  const auto r = parse(text, "mabd.toml");
  EXPECT_TRUE(has_error(r, line_containing(text, "store") + 1, "TOML syntax: "));
}

TEST_F(config_test, long_ipc_paths_are_refused) {
  const std::string long_path = "/" + std::string(120, 'x');
  const std::string text =
      edited("listen = \"tcp://127.0.0.1:7750\"", "listen = \"ipc://" + long_path + "\"");
  const auto r = parse(text, "mabd.toml");
  EXPECT_TRUE(has_error(r, line_containing(text, "listen"),
                        "broker: listen: the ipc socket path is 121 bytes; Unix sockets allow"));

  // The default control socket lives under data_dir, so data_dir is the setting to blame.
  std::string no_control = replaced(std::string(valid_template),
                                    "control = \"ipc:///run/mab/control.sock\"\n", "");
  no_control = keys_.fill(replaced(no_control, "/srv/mab/data", long_path));
  const auto r2 = parse(no_control, "mabd.toml");
  EXPECT_TRUE(has_error(r2, line_containing(no_control, "data_dir"), "broker: data_dir"));
}

TEST_F(config_test, known_body_kinds_match_the_notification_oneof) {
  const auto* body = mab::v1::Notification::descriptor()->FindOneofByName("body");
  ASSERT_NE(body, nullptr);
  std::set<std::string> from_proto;
  for (int i = 0; i < body->field_count(); ++i) from_proto.insert(body->field(i)->name());
  EXPECT_EQ(known_body_kinds(), from_proto);
}

TEST_F(config_test, known_agency_kinds_are_the_documented_ones) {
  EXPECT_EQ(known_agency_kinds(),
            (std::set<std::string>{"school", "police", "health", "housing", "csc", "mash",
                                   "early_help", "youth_justice", "probation", "other"}));
}

TEST_F(config_test, relative_data_dir_in_parse_resolves_against_cwd_and_is_normalized) {
  const auto r = parse(edited("data_dir = \"/srv/mab/data\"", "data_dir = \"a/../state/\""),
                       "mabd.toml");
  ASSERT_TRUE(r.cfg.has_value()) << all_errors(r);
  EXPECT_EQ(r.cfg->broker.data_dir, (fs::current_path() / "state").string());
}

TEST_F(config_test, absolute_data_dir_is_normalized) {
  const auto r = parse(edited("data_dir = \"/srv/mab/data\"", "data_dir = \"/srv//mab/./data/\""),
                       "mabd.toml");
  ASSERT_TRUE(r.cfg.has_value()) << all_errors(r);
  EXPECT_EQ(r.cfg->broker.data_dir, "/srv/mab/data");
}

TEST_F(config_test, resolve_joins_relative_paths_onto_data_dir) {
  const auto r = parse(valid_text(), "mabd.toml");
  ASSERT_TRUE(r.cfg.has_value()) << all_errors(r);
  const config& c = *r.cfg;
  EXPECT_EQ(c.resolve(c.broker.sqlite_path), "/srv/mab/data/mab.db");
  EXPECT_EQ(c.resolve("keys/../broker.sign.key"), "/srv/mab/data/broker.sign.key");
  EXPECT_EQ(c.resolve(c.broker.curve_secret_key_file), "/etc/mab/broker.curve.key");
}

TEST_F(config_test, control_endpoint_is_explicit_or_under_data_dir) {
  const auto explicit_control = parse(valid_text(), "mabd.toml");
  ASSERT_TRUE(explicit_control.cfg.has_value()) << all_errors(explicit_control);
  EXPECT_EQ(explicit_control.cfg->control_endpoint(), "ipc:///run/mab/control.sock");

  const auto by_default =
      parse(edited("control = \"ipc:///run/mab/control.sock\"\n", ""), "mabd.toml");
  ASSERT_TRUE(by_default.cfg.has_value()) << all_errors(by_default);
  EXPECT_EQ(by_default.cfg->control_endpoint(), "ipc:///srv/mab/data/control.sock");
}

class load_test : public config_test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mab-config-test-" + crypto::to_hex(crypto::random_bytes(8)));
    fs::create_directories(dir_ / "etc");
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& text) const {
    const fs::path path = dir_ / "etc" / "mabd.toml";
    std::ofstream(path) << text;
    return path.string();
  }
  fs::path dir_;
};

TEST_F(load_test, relative_data_dir_resolves_against_the_files_folder) {
  const std::string path =
      write(edited("data_dir = \"/srv/mab/data\"", "data_dir = \"../var/./data\""));
  const auto r = load(path);
  ASSERT_TRUE(r.cfg.has_value()) << all_errors(r);
  EXPECT_EQ(r.cfg->source_path, path);
  EXPECT_EQ(r.cfg->broker.data_dir, (dir_ / "var" / "data").string());
  EXPECT_EQ(r.cfg->resolve("mab.db"), (dir_ / "var" / "data" / "mab.db").string());
}

TEST_F(load_test, omitted_data_dir_is_the_files_folder) {
  const auto r = load(write(edited("data_dir = \"/srv/mab/data\"\n", "")));
  ASSERT_TRUE(r.cfg.has_value()) << all_errors(r);
  EXPECT_EQ(r.cfg->broker.data_dir, (dir_ / "etc").string());
}

TEST_F(load_test, errors_name_the_path_given) {
  const std::string path = write(edited("listen = ", "lissen = "));
  const auto r = load(path);
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_TRUE(r.errors[0].starts_with(path + ":3: broker: lissen: unknown key"))
      << r.errors[0];
}

TEST_F(load_test, missing_file_is_an_error_naming_it) {
  const std::string path = (dir_ / "absent.toml").string();
  const auto r = load(path);
  EXPECT_FALSE(r.cfg.has_value());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_TRUE(r.errors[0].starts_with(path + ": cannot read the configuration"))
      << r.errors[0];
  EXPECT_TRUE(load(dir_.string()).errors[0].ends_with("it is a directory"));
}

TEST_F(config_test, find_agency_by_id) {
  const auto r = parse(valid_text(), "mabd.toml");
  ASSERT_TRUE(r.cfg.has_value()) << all_errors(r);
  const agency* csc = r.cfg->find_agency("csc-e09");
  ASSERT_NE(csc, nullptr);
  EXPECT_EQ(csc->kind, "csc");
  EXPECT_EQ(r.cfg->find_agency("csc-e99"), nullptr);
}

TEST_F(config_test, agency_for_key_finds_every_registered_key) {
  const auto r = parse(valid_text(), "mabd.toml");
  ASSERT_TRUE(r.cfg.has_value()) << all_errors(r);
  const signing_key* key = nullptr;
  const agency* a =
      r.cfg->agency_for_key(crypto::key_id_for(keys_.csc_sign_next.public_key), &key);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->id, "csc-e09");
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->public_key, keys_.csc_sign_next.public_key);

  a = r.cfg->agency_for_key(crypto::key_id_for(keys_.school_sign.public_key));
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->id, "school-e09-01");

  const auto stranger = crypto::generate_signing_key();
  EXPECT_EQ(r.cfg->agency_for_key(crypto::key_id_for(stranger.public_key), &key), nullptr);
  EXPECT_EQ(key, nullptr);
}

TEST_F(config_test, agency_for_curve_key) {
  const auto r = parse(valid_text(), "mabd.toml");
  ASSERT_TRUE(r.cfg.has_value()) << all_errors(r);
  const agency* police = r.cfg->agency_for_curve_key(keys_.police_curve.public_z85);
  ASSERT_NE(police, nullptr);
  EXPECT_EQ(police->id, "police-e01");
  EXPECT_EQ(r.cfg->agency_for_curve_key(crypto::generate_curve_key().public_z85), nullptr);
}

}  // namespace
}  // namespace mab::config

#include "daemon/subjects/subjects.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mab::subjects {
namespace {

const std::string k_secret = "0123456789abcdef0123456789abcdef";  // 32 bytes

keyer make_keyer(const std::string& secret = k_secret) {
  auto k = keyer::from_secret(secret);
  EXPECT_TRUE(k.ok()) << (k.ok() ? "" : k.message());
  return std::move(k).value();
}

mab::v1::Subject subject_with(std::string nhs, std::string upn) {
  mab::v1::Subject s;
  s.set_nhs_number(std::move(nhs));
  s.set_upn(std::move(upn));
  return s;
}

void add_local(mab::v1::Subject& s, const std::string& system, const std::string& value) {
  auto* id = s.add_local_ids();
  id->set_system(system);
  id->set_value(value);
}

// ---- keys ----

TEST(Keyer, KnownAnswerPinsTheConstruction) {
  // Stored keys depend on the exact construction; an accidental change would unlink every child.
  // Expected values computed independently with Python's hmac module.
  auto k = make_keyer();
  EXPECT_EQ(k.key("nhs", "9434765919"), "sk_bacd491999edd5e8e82a91600a4de0c1");
  EXPECT_EQ(k.key("local:police:e01", "AB/123"), "sk_fd9ed0b404be5f13816899cbd6f0434b");
}

TEST(Keyer, SameInputSameKey) {
  EXPECT_EQ(make_keyer().key("upn", "A123"), make_keyer().key("upn", "A123"));
}

TEST(Keyer, DifferentSecretDifferentKey) {
  auto other = make_keyer("another secret of at least 32 bytes!");
  EXPECT_NE(make_keyer().key("nhs", "9434765919"), other.key("nhs", "9434765919"));
}

TEST(Keyer, KindsDoNotCollide) {
  auto k = make_keyer();
  const std::vector<std::string> kinds = {"nhs", "upn", "local:police:e01", "local:csc:e09",
                                          "fact:given_name"};
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    for (std::size_t j = i + 1; j < kinds.size(); ++j) {
      EXPECT_NE(k.key(kinds[i], "1234"), k.key(kinds[j], "1234")) << kinds[i] << " " << kinds[j];
    }
  }
  // The separator keeps the kind/value boundary: "nhs"+"1" is not "nhs1"+"".
  EXPECT_NE(k.key("nhs", "1"), k.key("nhs1", ""));
}

TEST(Keyer, KeyShape) {
  auto key = make_keyer().key("nhs", "9434765919");
  ASSERT_EQ(key.size(), 35u);
  EXPECT_EQ(key.substr(0, 3), "sk_");
  EXPECT_EQ(key.find_first_not_of("0123456789abcdef", 3), std::string::npos);
}

TEST(Keyer, ShortSecretIsAnErrorNamingTheRule) {
  auto k = keyer::from_secret(std::string(31, 'x'));
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.err().code, secret_too_short);
  EXPECT_NE(k.message().find("at least 32 bytes"), std::string::npos) << k.message();
  EXPECT_NE(k.message().find("31"), std::string::npos) << k.message();
  EXPECT_TRUE(keyer::from_secret(std::string(32, 'x')).ok());
}

// ---- normalisation ----

TEST(Normalize, Identifiers) {
  EXPECT_EQ(normalize_nhs_number("943 476 5919"), "9434765919");
  EXPECT_EQ(normalize_nhs_number(" 943-476-5919\t"), "9434765919");
  EXPECT_EQ(normalize_upn("  a123456789012 "), "A123456789012");
  EXPECT_EQ(normalize_local_system(" Police:E01\n"), "police:e01");
  EXPECT_EQ(normalize_local_value("  Ab/12 "), "Ab/12");
}

TEST(Normalize, Text) {
  EXPECT_EQ(normalize_text("  Smith "), "smith");
  EXPECT_EQ(normalize_text("Mary \t  Anne"), "mary anne");
  EXPECT_EQ(normalize_text("Mary\xC2\xA0" "Anne"), "mary anne");  // no-break space
  EXPECT_EQ(normalize_text("WÓJCIK"), "wójcik");
  EXPECT_EQ(normalize_text("ŁUKASZ ŻÓŁW"), "łukasz żółw");
  EXPECT_EQ(normalize_text("ÉMILE"), "émile");
  EXPECT_NE(normalize_text("Zoë"), normalize_text("Zoe"));          // accents kept
  EXPECT_NE(normalize_text("O'Brien"), normalize_text("OBrien"));  // punctuation kept
  EXPECT_EQ(normalize_text("МАРІЯ"), "МАРІЯ");                     // other scripts as given
}

TEST(IdentifierKeys, NormalisedIdentifiersGiveTheSameKeys) {
  auto k = make_keyer();
  EXPECT_EQ(identifier_keys(k, subject_with("943 476 5919", "")),
            identifier_keys(k, subject_with("9434765919", "")));
  EXPECT_EQ(identifier_keys(k, subject_with("", "a123456789012 ")),
            identifier_keys(k, subject_with("", "A123456789012")));
}

TEST(IdentifierKeys, StableOrderNhsUpnThenSortedLocals) {
  auto k = make_keyer();
  auto a = subject_with("9434765919", "A123456789012");
  add_local(a, "police:E01", "P-2");
  add_local(a, "csc:E09", "C-1");
  add_local(a, " POLICE:e01 ", "P-2");  // the same id again
  add_local(a, "csc:E09", " ");         // empty value: skipped
  add_local(a, std::string("a\0b", 3), "x");  // NUL in system: skipped
  auto b = subject_with("9434765919", "A123456789012");
  add_local(b, "csc:e09", "C-1");
  add_local(b, "police:e01", "P-2");

  const std::vector<std::string> expected = {
      k.key("nhs", "9434765919"), k.key("upn", "A123456789012"), k.key("local:csc:e09", "C-1"),
      k.key("local:police:e01", "P-2")};
  EXPECT_EQ(identifier_keys(k, a), expected);
  EXPECT_EQ(identifier_keys(k, b), expected);
}

TEST(IdentifierKeys, NoRawValueAppearsInAnyKey) {
  auto k = make_keyer();
  auto s = subject_with("9434765919", "A123456789012");
  add_local(s, "police:E01", "12345678");
  s.set_family_name("Smith");
  s.set_date_of_birth("2015-03-01");
  std::vector<std::string> keys = identifier_keys(k, s);
  for (const auto& f : fact_keys(k, s)) keys.push_back(f.value_key);
  ASSERT_EQ(keys.size(), 5u);
  const std::vector<std::string> raw = {"9434765919", "A123456789012", "a123456789012",
                                        "12345678",   "police",        "smith",
                                        "2015-03-01", "20150301"};
  for (const auto& key : keys) {
    for (const auto& value : raw) EXPECT_EQ(key.find(value), std::string::npos) << key;
  }
}

// ---- facts ----

mab::v1::Subject named(const std::string& family) {
  mab::v1::Subject s;
  s.set_family_name(family);
  return s;
}

TEST(FactKeys, NamesCompareAfterNormalisationOnly) {
  auto k = make_keyer();
  auto smith = fact_keys(k, named("Smith"));
  ASSERT_EQ(smith.size(), 1u);
  EXPECT_EQ(smith[0].name, "family_name");
  EXPECT_EQ(fact_keys(k, named(" SMITH"))[0].value_key, smith[0].value_key);
  EXPECT_NE(fact_keys(k, named("Smyth"))[0].value_key, smith[0].value_key);
}

TEST(FactKeys, AllFactsInOrderAndKeyedApartFromIdentifiers) {
  auto k = make_keyer();
  mab::v1::Subject s;
  s.set_given_name("Amy");
  s.set_family_name("Smith");
  s.set_date_of_birth(" 2015-03-01 ");
  s.set_ethnicity("White  British");
  auto facts = fact_keys(k, s);
  ASSERT_EQ(facts.size(), 4u);
  EXPECT_EQ(facts[0].name, "date_of_birth");
  EXPECT_EQ(facts[0].value_key, k.key("fact:date_of_birth", "2015-03-01"));
  EXPECT_EQ(facts[1].name, "ethnicity");
  EXPECT_EQ(facts[1].value_key, k.key("fact:ethnicity", "white british"));
  EXPECT_EQ(facts[2].name, "family_name");
  EXPECT_EQ(facts[3].name, "given_name");
  // A name that happens to equal an identifier value must not produce that identifier's key.
  EXPECT_NE(k.key("fact:given_name", "a1"), k.key("upn", "a1"));
}

TEST(FactKeys, EmptyFactsAreOmitted) {
  EXPECT_TRUE(fact_keys(make_keyer(), named("  ")).empty());
}

// ---- linking ----

TEST(PlanLink, NoKnownKeysCreatesASubject) {
  auto r = plan_link({{"a", std::nullopt}, {"b", std::nullopt}, {"a", std::nullopt}}, 9);
  EXPECT_EQ(r.subject, 9u);
  EXPECT_TRUE(r.created);
  EXPECT_TRUE(r.merged_away.empty());
  EXPECT_EQ(r.new_keys, (std::vector<std::string>{"a", "b"}));
}

TEST(PlanLink, MergingKeepsTheLowerIdAndReportsTheOthers) {
  auto r = plan_link({{"a", 7}, {"b", 3}, {"c", std::nullopt}, {"d", 5}, {"e", 7}}, 10);
  EXPECT_EQ(r.subject, 3u);
  EXPECT_FALSE(r.created);
  EXPECT_EQ(r.merged_away, (std::vector<std::uint64_t>{5, 7}));
  EXPECT_EQ(r.new_keys, (std::vector<std::string>{"c"}));
}

TEST(PlanLink, NoKeysDoesNothing) {
  auto r = plan_link({}, 4);
  EXPECT_EQ(r.subject, 0u);
  EXPECT_FALSE(r.created);
}

TEST(Index, UpnOnlyAndNhsOnlyLinkWhenAThirdCarriesBoth) {
  auto k = make_keyer();
  index idx;
  auto school = idx.link(identifier_keys(k, subject_with("", "A123456789012")));
  auto health = idx.link(identifier_keys(k, subject_with("943 476 5919", "")));
  EXPECT_TRUE(school.created);
  EXPECT_TRUE(health.created);
  EXPECT_NE(school.subject, health.subject);

  auto both = idx.link(identifier_keys(k, subject_with("9434765919", "a123456789012")));
  EXPECT_FALSE(both.created);
  EXPECT_EQ(both.subject, school.subject);  // the older subject survives
  EXPECT_EQ(both.merged_away, (std::vector<std::uint64_t>{health.subject}));
  EXPECT_EQ(idx.find(k.key("nhs", "9434765919")), school.subject);
  EXPECT_EQ(idx.find(k.key("upn", "A123456789012")), school.subject);
}

TEST(Index, MergesFollowThroughChains) {
  index idx;
  auto one = idx.link({"k1"}).subject;
  auto two = idx.link({"k2"}).subject;
  auto three = idx.link({"k3", "k3b"}).subject;
  EXPECT_EQ(idx.link({"k3", "k2"}).merged_away, (std::vector<std::uint64_t>{three}));
  auto r = idx.link({"k2", "k1"});
  EXPECT_EQ(r.subject, one);
  EXPECT_EQ(r.merged_away, (std::vector<std::uint64_t>{two}));
  EXPECT_EQ(idx.find("k3b"), one);  // never seen since its subject was merged twice
  EXPECT_EQ(idx.find("unknown"), std::nullopt);
  auto again = idx.link({"k3b", "k4"});
  EXPECT_EQ(again.subject, one);
  EXPECT_TRUE(again.merged_away.empty());
  EXPECT_EQ(again.new_keys, (std::vector<std::string>{"k4"}));
}

}  // namespace
}  // namespace mab::subjects

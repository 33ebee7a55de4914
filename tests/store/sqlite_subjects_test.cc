// Subjects: keys mapping to subjects, areas, contacts (upserted), keyed facts (deduplicated),
// merging two subjects into one, and rows that roll back or survive a reopen.
#include <sqlite3.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>

#include <gtest/gtest.h>

#include "daemon/store/store.h"
#include "tests/fakes/failing_store.h"

namespace mab::store {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

const time_point t0 = from_unix_ms(1'700'000'000'000);
time_point at(std::int64_t ms_after_t0) { return t0 + milliseconds(ms_after_t0); }

fact_record fact(const std::string& name, const std::string& value_key, const std::string& agency,
                 std::int64_t ms) {
  return fact_record{name, value_key, agency, at(ms)};
}

std::vector<std::string> agencies(const std::vector<contact_record>& cs) {
  std::vector<std::string> out;
  for (const auto& c : cs) out.push_back(c.agency);
  return out;
}
using names = std::vector<std::string>;

template <class R>
int code(const R& r) {
  return r ? -1 : r.err().code;
}

class SubjectStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::path(::testing::TempDir()) / "mab_subjects_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    reopen();
  }
  void TearDown() override {
    st_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void reopen() {
    st_.reset();
    st_ = std::move(open_sqlite({(dir_ / "mab.db").string(), false})).value();
  }
  std::uint64_t subject(std::int64_t ms = 0) {
    auto id = st_->new_subject(at(ms));
    EXPECT_TRUE(id) << id.message();
    return id ? *id : 0;
  }
  std::optional<std::uint64_t> key(const std::string& k) {
    auto s = st_->subject_for_key(k);
    EXPECT_TRUE(s) << s.message();
    return s ? *s : std::nullopt;
  }
  std::vector<contact_record> contacts(std::uint64_t s, std::int64_t since_ms = -1'000'000) {
    auto cs = st_->contacts(s, at(since_ms));
    EXPECT_TRUE(cs) << cs.message();
    return cs ? *cs : std::vector<contact_record>{};
  }
  std::vector<fact_record> facts(std::uint64_t s) {
    auto got = st_->facts(s);
    EXPECT_TRUE(got) << got.message();
    return got ? *got : std::vector<fact_record>{};
  }
  fs::path dir_;
  std::unique_ptr<store> st_;
};

TEST_F(SubjectStoreTest, NewSubjectsGetDistinctIncreasingIds) {
  const auto a = subject();
  const auto b = subject();
  EXPECT_GT(a, 0u);
  EXPECT_GT(b, a);
}

TEST_F(SubjectStoreTest, KeysMapAndRepoint) {
  EXPECT_EQ(key("k1"), std::nullopt);
  const auto a = subject();
  const auto b = subject();
  ASSERT_TRUE(st_->map_key("k1", a));
  ASSERT_TRUE(st_->map_key("k2", a));
  EXPECT_EQ(key("k1"), a);
  EXPECT_EQ(key("k2"), a);
  ASSERT_TRUE(st_->map_key("k1", b));  // re-point
  EXPECT_EQ(key("k1"), b);
  EXPECT_EQ(key("k2"), a);
  ASSERT_TRUE(st_->map_key("k1", b));  // idempotent
  EXPECT_EQ(key("k1"), b);
}

TEST_F(SubjectStoreTest, MapKeyToAMissingSubjectFails) {
  auto s = st_->map_key("k1", 42);
  EXPECT_FALSE(s);
  EXPECT_EQ(key("k1"), std::nullopt);
}

TEST_F(SubjectStoreTest, AreaIsTheLastSet) {
  const auto a = subject();
  auto none = st_->subject_area(a);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(st_->set_subject_area(a, "north", at(1)));
  ASSERT_TRUE(st_->set_subject_area(a, "south", at(2)));
  auto area = st_->subject_area(a);
  ASSERT_TRUE(area);
  EXPECT_EQ(*area, std::optional<std::string>("south"));
  EXPECT_FALSE(st_->set_subject_area(999, "north", at(1)));
  auto missing = st_->subject_area(999);
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
}

TEST_F(SubjectStoreTest, AddContactUpsertsFirstAndLast) {
  const auto a = subject();
  ASSERT_TRUE(st_->add_contact(a, "agency-b", at(100)));
  ASSERT_TRUE(st_->add_contact(a, "agency-a", at(200)));
  ASSERT_TRUE(st_->add_contact(a, "agency-b", at(500)));
  ASSERT_TRUE(st_->add_contact(a, "agency-b", at(300)));  // older: last stays 500
  const auto cs = contacts(a);
  ASSERT_EQ(agencies(cs), (names{"agency-b", "agency-a"}));
  EXPECT_EQ(cs[0].first_at, at(100));
  EXPECT_EQ(cs[0].last_at, at(500));
  EXPECT_EQ(cs[1].first_at, at(200));
  EXPECT_EQ(cs[1].last_at, at(200));
}

TEST_F(SubjectStoreTest, ContactsSinceFiltersByLastContactInclusive) {
  const auto a = subject();
  const auto b = subject();
  ASSERT_TRUE(st_->add_contact(a, "old", at(100)));
  ASSERT_TRUE(st_->add_contact(a, "edge", at(200)));
  ASSERT_TRUE(st_->add_contact(a, "renewed", at(50)));
  ASSERT_TRUE(st_->add_contact(a, "renewed", at(900)));
  ASSERT_TRUE(st_->add_contact(b, "other", at(900)));
  EXPECT_EQ(agencies(contacts(a, 200)), (names{"renewed", "edge"}));
  EXPECT_EQ(agencies(contacts(a, 901)), names{});
  EXPECT_EQ(agencies(contacts(b, 0)), names{"other"});
}

TEST_F(SubjectStoreTest, FactsAreDeduplicatedOnTheirFullKey) {
  const auto a = subject();
  ASSERT_TRUE(st_->add_fact(a, fact("dob", "v1", "agency-a", 10)));
  ASSERT_TRUE(st_->add_fact(a, fact("dob", "v1", "agency-a", 99)));  // duplicate: ignored
  ASSERT_TRUE(st_->add_fact(a, fact("dob", "v2", "agency-b", 20)));
  ASSERT_TRUE(st_->add_fact(a, fact("dob", "v1", "agency-b", 30)));
  ASSERT_TRUE(st_->add_fact(a, fact("ethnicity", "e1", "agency-a", 40)));
  const auto got = facts(a);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].name, "dob");
  EXPECT_EQ(got[0].value_key, "v1");
  EXPECT_EQ(got[0].agency, "agency-a");
  EXPECT_EQ(got[0].at, at(10));
  EXPECT_EQ(got[1].value_key, "v2");
  EXPECT_EQ(got[2].agency, "agency-b");
  EXPECT_EQ(got[3].name, "ethnicity");
  EXPECT_TRUE(facts(subject()).empty());
}

TEST_F(SubjectStoreTest, MergeMovesEverythingAndDeletesTheOther) {
  const auto into = subject(100);
  const auto from = subject(50);
  ASSERT_TRUE(st_->map_key("ki", into));
  ASSERT_TRUE(st_->map_key("kf1", from));
  ASSERT_TRUE(st_->map_key("kf2", from));
  ASSERT_TRUE(st_->add_contact(into, "both", at(300)));
  ASSERT_TRUE(st_->add_contact(into, "both", at(400)));
  ASSERT_TRUE(st_->add_contact(from, "both", at(100)));
  ASSERT_TRUE(st_->add_contact(from, "both", at(700)));
  ASSERT_TRUE(st_->add_contact(from, "only-from", at(500)));
  ASSERT_TRUE(st_->add_contact(into, "only-into", at(350)));
  ASSERT_TRUE(st_->add_fact(into, fact("dob", "v1", "agency-a", 10)));
  ASSERT_TRUE(st_->add_fact(from, fact("dob", "v1", "agency-a", 20)));  // same: dropped
  ASSERT_TRUE(st_->add_fact(from, fact("dob", "v2", "agency-b", 30)));
  ASSERT_TRUE(st_->set_subject_area(into, "north", at(10)));
  ASSERT_TRUE(st_->set_subject_area(from, "south", at(20)));  // more recent: wins

  ASSERT_TRUE(st_->merge_subjects(into, from));

  EXPECT_EQ(key("ki"), into);
  EXPECT_EQ(key("kf1"), into);
  EXPECT_EQ(key("kf2"), into);
  const auto cs = contacts(into);
  ASSERT_EQ(agencies(cs), (names{"both", "only-into", "only-from"}));
  EXPECT_EQ(cs[0].first_at, at(100));
  EXPECT_EQ(cs[0].last_at, at(700));
  const auto got = facts(into);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].at, at(10));
  EXPECT_EQ(got[1].value_key, "v2");
  auto area = st_->subject_area(into);
  ASSERT_TRUE(area);
  EXPECT_EQ(*area, std::optional<std::string>("south"));

  EXPECT_TRUE(contacts(from).empty());
  EXPECT_TRUE(facts(from).empty());
  EXPECT_FALSE(st_->map_key("k3", from));  // the subject is gone
  EXPECT_FALSE(st_->merge_subjects(into, from));
}

TEST_F(SubjectStoreTest, MergeKeepsTheNewerAreaOfInto) {
  const auto into = subject();
  const auto from = subject();
  ASSERT_TRUE(st_->set_subject_area(into, "north", at(30)));
  ASSERT_TRUE(st_->set_subject_area(from, "south", at(20)));
  ASSERT_TRUE(st_->merge_subjects(into, from));
  auto area = st_->subject_area(into);
  ASSERT_TRUE(area);
  EXPECT_EQ(*area, std::optional<std::string>("north"));
  const auto bare = subject();
  const auto with_area = subject();
  ASSERT_TRUE(st_->set_subject_area(with_area, "east", at(1)));
  ASSERT_TRUE(st_->merge_subjects(bare, with_area));
  area = st_->subject_area(bare);
  ASSERT_TRUE(area);
  EXPECT_EQ(*area, std::optional<std::string>("east"));
}

TEST_F(SubjectStoreTest, MergeEdgeCases) {
  const auto a = subject();
  ASSERT_TRUE(st_->map_key("k", a));
  EXPECT_TRUE(st_->merge_subjects(a, a));  // nothing to do; nothing deleted
  EXPECT_EQ(key("k"), a);
  EXPECT_FALSE(st_->merge_subjects(a, 999));
  EXPECT_FALSE(st_->merge_subjects(999, a));
  EXPECT_EQ(key("k"), a);
}

TEST_F(SubjectStoreTest, MergeInsideATransactionRollsBack) {
  const auto into = subject();
  const auto from = subject();
  ASSERT_TRUE(st_->map_key("kf", from));
  ASSERT_TRUE(st_->add_contact(from, "agency-a", at(1)));
  ASSERT_TRUE(st_->begin());
  ASSERT_TRUE(st_->merge_subjects(into, from));
  EXPECT_EQ(key("kf"), into);  // the transaction sees its own writes
  st_->rollback();
  EXPECT_EQ(key("kf"), from);
  EXPECT_EQ(agencies(contacts(from)), names{"agency-a"});
  EXPECT_TRUE(contacts(into).empty());
}

TEST_F(SubjectStoreTest, RollbackRemovesWhatTheTransactionAdded) {
  const auto kept = subject();
  ASSERT_TRUE(st_->begin());
  const auto gone = subject();
  ASSERT_TRUE(st_->map_key("k", gone));
  ASSERT_TRUE(st_->add_contact(kept, "agency-a", at(1)));
  ASSERT_TRUE(st_->add_fact(kept, fact("dob", "v", "agency-a", 1)));
  ASSERT_TRUE(st_->set_subject_area(kept, "north", at(1)));
  st_->rollback();
  EXPECT_EQ(key("k"), std::nullopt);
  EXPECT_TRUE(contacts(kept).empty());
  EXPECT_TRUE(facts(kept).empty());
  auto area = st_->subject_area(kept);
  ASSERT_TRUE(area);
  EXPECT_FALSE(area->has_value());
}

TEST_F(SubjectStoreTest, SubjectsSurviveReopen) {
  const auto a = subject();
  ASSERT_TRUE(st_->map_key("k", a));
  ASSERT_TRUE(st_->set_subject_area(a, "north", at(1)));
  ASSERT_TRUE(st_->add_contact(a, "agency-a", at(5)));
  ASSERT_TRUE(st_->add_fact(a, fact("dob", "v", "agency-a", 5)));
  reopen();
  EXPECT_EQ(key("k"), a);
  auto area = st_->subject_area(a);
  ASSERT_TRUE(area);
  EXPECT_EQ(*area, std::optional<std::string>("north"));
  EXPECT_EQ(agencies(contacts(a)), names{"agency-a"});
  EXPECT_EQ(facts(a).size(), 1u);
  EXPECT_GT(subject(), a);  // ids are not reused
}

TEST_F(SubjectStoreTest, FailingStoreRefusesWritesWhenFull) {
  mab::testing::failing_store fails(*st_);
  const auto a = fails.new_subject(t0);
  ASSERT_TRUE(a);
  ASSERT_TRUE(fails.map_key("k", *a));
  fails.full = true;
  EXPECT_EQ(code(fails.new_subject(t0)), store_error::full);
  EXPECT_EQ(code(fails.map_key("k2", *a)), store_error::full);
  EXPECT_EQ(code(fails.merge_subjects(*a, *a)), store_error::full);
  EXPECT_EQ(code(fails.set_subject_area(*a, "x", t0)), store_error::full);
  EXPECT_EQ(code(fails.add_contact(*a, "x", t0)), store_error::full);
  EXPECT_EQ(code(fails.add_fact(*a, fact("n", "v", "x", 0))), store_error::full);
  auto k = fails.subject_for_key("k");  // reads go on
  ASSERT_TRUE(k);
  EXPECT_EQ(*k, a.value());
  EXPECT_TRUE(fails.contacts(*a, t0));
  EXPECT_TRUE(fails.facts(*a));
  EXPECT_TRUE(fails.subject_area(*a));
}

// A database written before subjects existed (schema version 3) gains their tables on open.
TEST_F(SubjectStoreTest, VersionThreeDatabaseMigrates) {
  st_.reset();
  const std::string path = (dir_ / "mab.db").string();
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw,
                         "DROP TABLE subject_messages; DROP INDEX messages_sender; "
                         "DROP INDEX audit_log_seq; "
                         "DROP INDEX obligations_owed_by; DROP INDEX flags_type; "
                         "DROP INDEX flags_owed_by; "
                         "DROP TABLE transfer_timeline; DROP TABLE transfer_parts; "
                         "DROP TABLE transfers; DROP TABLE subject_facts; "
                         "DROP TABLE subject_contacts; DROP TABLE subject_keys; "
                         "DROP TABLE subjects; PRAGMA user_version = 3",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  reopen();
  const auto a = subject();
  ASSERT_TRUE(st_->map_key("k", a));
  EXPECT_EQ(key("k"), a);
  raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &q, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(q, 0), 5);
  sqlite3_finalize(q);
  sqlite3_close(raw);
}

}  // namespace
}  // namespace mab::store

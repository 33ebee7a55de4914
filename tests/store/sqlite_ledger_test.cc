// The ledger's storage: obligations and flags keyed by their natural keys (a duplicate is
// nullopt, never an error), the scheduler's time-based selections, state transitions, and rows
// that roll back with the transaction they were written in.
#include <sqlite3.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>

#include <gtest/gtest.h>

#include "daemon/store/store.h"

namespace mab::store {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

const time_point t0 = from_unix_ms(1'700'000'000'000);
time_point at(std::int64_t ms_after_t0) { return t0 + milliseconds(ms_after_t0); }

obligation_record obligation(const std::string& ref, std::int64_t due_ms,
                             std::optional<std::int64_t> warn_ms = std::nullopt) {
  obligation_record o;
  o.kind = "referral_outcome";
  o.ref = ref;
  o.subject_key = "sk_" + ref;
  o.owed_by = "agency-b";
  o.owed_to = "agency-a";
  o.data = "{\"concerns\":[\"c-" + ref + "\"]}";
  o.opened_at = t0;
  o.due_at = at(due_ms);
  if (warn_ms) o.warn_at = at(*warn_ms);
  return o;
}

flag_record flag(const std::string& key, std::int64_t next_send_ms = 0,
                 std::optional<std::uint64_t> obligation_id = std::nullopt) {
  flag_record f;
  f.flag_type = "NO_FEEDBACK";
  f.dedupe_key = key;
  f.subject_key = "sk_1";
  f.obligation_id = obligation_id;
  f.owed_by = "agency-b";
  f.recipients = {"agency-a", "agency-b"};
  f.detail = "no outcome for the referral of 1 March";
  f.raised_at = t0;
  f.next_send_at = at(next_send_ms);
  return f;
}

template <class R>
std::vector<std::string> refs(const R& obligations) {
  std::vector<std::string> out;
  for (const auto& o : obligations) out.push_back(o.ref);
  return out;
}
template <class R>
std::vector<std::string> keys(const R& flags) {
  std::vector<std::string> out;
  for (const auto& f : flags) out.push_back(f.dedupe_key);
  return out;
}
using names = std::vector<std::string>;

class LedgerStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::path(::testing::TempDir()) / "mab_ledger_XXXXXX").string();
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
  std::uint64_t add(const obligation_record& o) {
    auto id = st_->add_obligation(o);
    EXPECT_TRUE(id) << id.message();
    EXPECT_TRUE(id && id->has_value());
    return id && id->has_value() ? **id : 0;
  }
  std::uint64_t raise(const flag_record& f) {
    auto id = st_->raise_flag(f);
    EXPECT_TRUE(id) << id.message();
    EXPECT_TRUE(id && id->has_value());
    return id && id->has_value() ? **id : 0;
  }
  obligation_record find(const std::string& ref) {
    auto o = st_->find_obligation("referral_outcome", ref);
    EXPECT_TRUE(o && o->has_value());
    return o && o->has_value() ? **o : obligation_record{};
  }
  flag_record find_flag(std::uint64_t id) {
    auto f = st_->find_flag(id);
    EXPECT_TRUE(f && f->has_value());
    return f && f->has_value() ? **f : flag_record{};
  }
  fs::path dir_;
  std::unique_ptr<store> st_;
};

TEST_F(LedgerStoreTest, ObligationRoundtripsAndIsFoundByKindAndRef) {
  auto o = obligation("r1", 5000, 4000);
  o.state = obligation_state::fulfilled;  // ignored: an obligation is added open
  o.closed_at = at(1);
  const auto id = add(o);
  EXPECT_GT(id, 0u);
  const auto got = find("r1");
  EXPECT_EQ(got.obligation_id, id);
  EXPECT_EQ(got.kind, "referral_outcome");
  EXPECT_EQ(got.ref, "r1");
  EXPECT_EQ(got.subject_key, "sk_r1");
  EXPECT_EQ(got.owed_by, "agency-b");
  EXPECT_EQ(got.owed_to, "agency-a");
  EXPECT_EQ(got.data, "{\"concerns\":[\"c-r1\"]}");
  EXPECT_EQ(got.opened_at, t0);
  EXPECT_EQ(got.due_at, at(5000));
  EXPECT_EQ(got.warn_at, at(4000));
  EXPECT_FALSE(got.warned);
  EXPECT_EQ(got.state, obligation_state::open);
  EXPECT_FALSE(got.closed_at);

  add(obligation("r2", 5000));
  EXPECT_FALSE(find("r2").warn_at);
  auto other_kind = st_->find_obligation("return_interview", "r1");
  ASSERT_TRUE(other_kind);
  EXPECT_FALSE(other_kind->has_value());
}

TEST_F(LedgerStoreTest, DuplicateKindAndRefIsNulloptAndChangesNothing) {
  const auto id = add(obligation("r1", 5000));
  auto again = obligation("r1", 9999);
  again.owed_by = "someone-else";
  auto dup = st_->add_obligation(again);
  ASSERT_TRUE(dup) << dup.message();
  EXPECT_FALSE(dup->has_value());
  EXPECT_EQ(find("r1").obligation_id, id);
  EXPECT_EQ(find("r1").owed_by, "agency-b");
  EXPECT_EQ(find("r1").due_at, at(5000));

  // Same ref, another kind: a different obligation.
  auto interview = obligation("r1", 5000);
  interview.kind = "return_interview";
  EXPECT_NE(add(interview), id);
}

TEST_F(LedgerStoreTest, DuplicateInsideATransactionLeavesItIntact) {
  ASSERT_TRUE(st_->begin());
  add(obligation("r1", 5000));
  raise(flag("k1"));
  auto dup = st_->add_obligation(obligation("r1", 5000));
  ASSERT_TRUE(dup) << dup.message();
  EXPECT_FALSE(dup->has_value());
  auto dup_flag = st_->raise_flag(flag("k1"));
  ASSERT_TRUE(dup_flag) << dup_flag.message();
  EXPECT_FALSE(dup_flag->has_value());
  add(obligation("r2", 5000));
  ASSERT_TRUE(st_->commit());
  auto all = st_->list_obligations(std::nullopt, 10);
  ASSERT_TRUE(all);
  EXPECT_EQ(refs(*all), (names{"r2", "r1"}));
  auto flags = st_->list_flags(std::nullopt, 10);
  ASSERT_TRUE(flags);
  EXPECT_EQ(keys(*flags), names{"k1"});
}

TEST_F(LedgerStoreTest, OverdueSelectsOpenObligationsDueByNowOldestDueFirst) {
  add(obligation("late", 3000));
  add(obligation("later", 2000));
  add(obligation("future", 9000));
  add(obligation("exactly_now", 5000));
  const auto closed = add(obligation("closed", 1000));
  ASSERT_TRUE(st_->close_obligation(closed, obligation_state::fulfilled, at(1500)));

  auto due = st_->overdue_obligations(at(5000), 10);
  ASSERT_TRUE(due) << due.message();
  EXPECT_EQ(refs(*due), (names{"later", "late", "exactly_now"}));
  auto limited = st_->overdue_obligations(at(5000), 2);
  ASSERT_TRUE(limited);
  EXPECT_EQ(refs(*limited), (names{"later", "late"}));
  auto none = st_->overdue_obligations(at(1999), 10);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST_F(LedgerStoreTest, WarnableSelectsOpenUnwarnedObligationsByWarnTime) {
  add(obligation("b", 9000, 3000));
  add(obligation("a", 9000, 2000));
  add(obligation("no_warning", 9000));
  add(obligation("not_yet", 9000, 6000));
  const auto closed = add(obligation("closed", 9000, 1000));
  ASSERT_TRUE(st_->close_obligation(closed, obligation_state::overdue, at(1500)));

  auto warn = st_->warnable_obligations(at(5000), 10);
  ASSERT_TRUE(warn) << warn.message();
  EXPECT_EQ(refs(*warn), (names{"a", "b"}));
  auto limited = st_->warnable_obligations(at(5000), 1);
  ASSERT_TRUE(limited);
  EXPECT_EQ(refs(*limited), names{"a"});
  auto later = st_->warnable_obligations(at(6000), 10);
  ASSERT_TRUE(later);
  EXPECT_EQ(refs(*later), (names{"a", "b", "not_yet"}));
}

TEST_F(LedgerStoreTest, MarkWarnedTakesAnObligationOutOfTheWarnable) {
  const auto a = add(obligation("a", 9000, 2000));
  add(obligation("b", 9000, 3000));
  ASSERT_TRUE(st_->mark_warned(a));
  EXPECT_TRUE(find("a").warned);
  auto warn = st_->warnable_obligations(at(5000), 10);
  ASSERT_TRUE(warn);
  EXPECT_EQ(refs(*warn), names{"b"});
  // Still open, so still overdue once due.
  auto due = st_->overdue_obligations(at(9000), 10);
  ASSERT_TRUE(due);
  EXPECT_EQ(due->size(), 2u);
  EXPECT_FALSE(st_->mark_warned(999).ok());
}

TEST_F(LedgerStoreTest, CloseObligationMovesOpenToFulfilledOrOverdueOnce) {
  const auto a = add(obligation("a", 5000));
  const auto b = add(obligation("b", 5000));
  auto closed = st_->close_obligation(a, obligation_state::fulfilled, at(100));
  ASSERT_TRUE(closed) << closed.message();
  EXPECT_TRUE(*closed);
  EXPECT_EQ(find("a").state, obligation_state::fulfilled);
  EXPECT_EQ(find("a").closed_at, at(100));

  auto late = st_->close_obligation(b, obligation_state::overdue, at(6000));
  ASSERT_TRUE(late);
  EXPECT_TRUE(*late);
  EXPECT_EQ(find("b").state, obligation_state::overdue);
  EXPECT_EQ(find("b").closed_at, at(6000));

  // Not open any more: false, and the first closing stands.
  auto again = st_->close_obligation(a, obligation_state::overdue, at(7000));
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  EXPECT_EQ(find("a").state, obligation_state::fulfilled);
  EXPECT_EQ(find("a").closed_at, at(100));
  auto missing = st_->close_obligation(999, obligation_state::fulfilled, at(7000));
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
  const auto c = add(obligation("c", 5000));
  EXPECT_FALSE(st_->close_obligation(c, obligation_state::open, at(7000)).ok());
  EXPECT_EQ(find("c").state, obligation_state::open);
}

TEST_F(LedgerStoreTest, ListObligationsNewestFirstWithOptionalStateFilter) {
  const auto a = add(obligation("a", 5000));
  add(obligation("b", 5000));
  const auto c = add(obligation("c", 5000));
  add(obligation("d", 5000));
  ASSERT_TRUE(st_->close_obligation(a, obligation_state::fulfilled, at(1)));
  ASSERT_TRUE(st_->close_obligation(c, obligation_state::overdue, at(1)));

  auto all = st_->list_obligations(std::nullopt, 10);
  ASSERT_TRUE(all) << all.message();
  EXPECT_EQ(refs(*all), (names{"d", "c", "b", "a"}));
  auto two = st_->list_obligations(std::nullopt, 2);
  ASSERT_TRUE(two);
  EXPECT_EQ(refs(*two), (names{"d", "c"}));
  auto open = st_->list_obligations(obligation_state::open, 10);
  ASSERT_TRUE(open);
  EXPECT_EQ(refs(*open), (names{"d", "b"}));
  auto fulfilled = st_->list_obligations(obligation_state::fulfilled, 10);
  ASSERT_TRUE(fulfilled);
  EXPECT_EQ(refs(*fulfilled), names{"a"});
  auto overdue = st_->list_obligations(obligation_state::overdue, 10);
  ASSERT_TRUE(overdue);
  EXPECT_EQ(refs(*overdue), names{"c"});
}

TEST_F(LedgerStoreTest, FlagRoundtripsEveryField) {
  const auto oid = add(obligation("r1", 5000));
  auto f = flag("k1", 60'000, oid);
  f.flag_type = "CONCERNS_NOT_ADDRESSED";
  f.recipients = {"agency-a", "agency-b", "agency-c"};
  f.due_at = at(5000);
  f.sends = 2;
  f.acked_by = "operator-1";
  f.ack_note = "chased by phone";
  f.acked_at = at(70);
  f.state = flag_state::cleared;  // ignored: a flag is inserted raised
  f.cleared_at = at(80);
  const auto id = raise(f);
  const auto got = find_flag(id);
  EXPECT_EQ(got.flag_id, id);
  EXPECT_EQ(got.flag_type, "CONCERNS_NOT_ADDRESSED");
  EXPECT_EQ(got.dedupe_key, "k1");
  EXPECT_EQ(got.subject_key, "sk_1");
  EXPECT_EQ(got.obligation_id, oid);
  EXPECT_EQ(got.owed_by, "agency-b");
  EXPECT_EQ(got.recipients, (names{"agency-a", "agency-b", "agency-c"}));
  EXPECT_EQ(got.detail, f.detail);
  EXPECT_EQ(got.raised_at, t0);
  EXPECT_EQ(got.due_at, at(5000));
  EXPECT_EQ(got.state, flag_state::raised);
  EXPECT_FALSE(got.cleared_at);
  EXPECT_EQ(got.next_send_at, at(60'000));
  EXPECT_EQ(got.sends, 2u);
  EXPECT_EQ(got.acked_by, "operator-1");
  EXPECT_EQ(got.ack_note, "chased by phone");
  EXPECT_EQ(got.acked_at, at(70));

  auto bare = flag("k2");
  bare.owed_by.clear();
  bare.recipients.clear();
  const auto got2 = find_flag(raise(bare));
  EXPECT_FALSE(got2.obligation_id);
  EXPECT_FALSE(got2.due_at);
  EXPECT_FALSE(got2.acked_at);
  EXPECT_TRUE(got2.recipients.empty());
  EXPECT_TRUE(got2.owed_by.empty());
  EXPECT_EQ(got2.sends, 0u);

  auto missing = st_->find_flag(999);
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
  auto bad = flag("k3");
  bad.recipients = {"agency-a", ""};
  EXPECT_FALSE(st_->raise_flag(bad).ok());
}

TEST_F(LedgerStoreTest, DedupeKeyRaisesOnceEvenAfterClearing) {
  const auto id = raise(flag("k1"));
  auto dup = st_->raise_flag(flag("k1"));
  ASSERT_TRUE(dup) << dup.message();
  EXPECT_FALSE(dup->has_value());
  auto cleared = st_->clear_flag(id, at(100));
  ASSERT_TRUE(cleared && *cleared);
  auto after_clear = st_->raise_flag(flag("k1"));
  ASSERT_TRUE(after_clear) << after_clear.message();
  EXPECT_FALSE(after_clear->has_value());
  auto all = st_->list_flags(std::nullopt, 10);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 1u);
}

TEST_F(LedgerStoreTest, FindFlagByKeyFindsRaisedAndClearedFlags) {
  const auto id = raise(flag("k1"));
  raise(flag("k2"));
  auto found = st_->find_flag_by_key("k1");
  ASSERT_TRUE(found) << found.message();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->flag_id, id);
  ASSERT_TRUE(st_->clear_flag(id, at(100)));
  found = st_->find_flag_by_key("k1");
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->state, flag_state::cleared);
  auto missing = st_->find_flag_by_key("k3");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
}

TEST_F(LedgerStoreTest, FlagsForObligationAreItsRaisedOnes) {
  const auto o1 = add(obligation("r1", 5000));
  const auto o2 = add(obligation("r2", 5000));
  raise(flag("a", 0, o1));
  const auto b = raise(flag("b", 0, o1));
  raise(flag("c", 0, o2));
  raise(flag("d"));
  raise(flag("e", 0, o1));
  ASSERT_TRUE(st_->clear_flag(b, at(1)));
  auto flags = st_->flags_for_obligation(o1);
  ASSERT_TRUE(flags) << flags.message();
  EXPECT_EQ(keys(*flags), (names{"a", "e"}));
  auto none = st_->flags_for_obligation(999);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST_F(LedgerStoreTest, FlagsToSendAreRaisedAndDueOldestFirst) {
  raise(flag("a", 3000));
  raise(flag("b", 1000));
  raise(flag("c", 9000));
  const auto d = raise(flag("d", 0));
  raise(flag("e", 5000));
  ASSERT_TRUE(st_->clear_flag(d, at(1)));
  auto send = st_->flags_to_send(at(5000), 10);
  ASSERT_TRUE(send) << send.message();
  EXPECT_EQ(keys(*send), (names{"a", "b", "e"}));
  auto limited = st_->flags_to_send(at(5000), 2);
  ASSERT_TRUE(limited);
  EXPECT_EQ(keys(*limited), (names{"a", "b"}));
  auto early = st_->flags_to_send(at(999), 10);
  ASSERT_TRUE(early);
  EXPECT_TRUE(early->empty());
}

TEST_F(LedgerStoreTest, MarkFlagSentCountsAndReschedules) {
  const auto id = raise(flag("a", 1000));
  ASSERT_TRUE(st_->mark_flag_sent(id, at(10'000)));
  auto got = find_flag(id);
  EXPECT_EQ(got.sends, 1u);
  EXPECT_EQ(got.next_send_at, at(10'000));
  auto send = st_->flags_to_send(at(9999), 10);
  ASSERT_TRUE(send);
  EXPECT_TRUE(send->empty());
  send = st_->flags_to_send(at(10'000), 10);
  ASSERT_TRUE(send);
  EXPECT_EQ(keys(*send), names{"a"});
  ASSERT_TRUE(st_->mark_flag_sent(id, at(20'000)));
  EXPECT_EQ(find_flag(id).sends, 2u);
  EXPECT_FALSE(st_->mark_flag_sent(999, at(1)).ok());
}

TEST_F(LedgerStoreTest, ClearFlagMovesRaisedToClearedOnce) {
  const auto id = raise(flag("a"));
  auto cleared = st_->clear_flag(id, at(500));
  ASSERT_TRUE(cleared) << cleared.message();
  EXPECT_TRUE(*cleared);
  auto got = find_flag(id);
  EXPECT_EQ(got.state, flag_state::cleared);
  EXPECT_EQ(got.cleared_at, at(500));
  auto again = st_->clear_flag(id, at(600));
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  EXPECT_EQ(find_flag(id).cleared_at, at(500));
  auto missing = st_->clear_flag(999, at(600));
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
}

TEST_F(LedgerStoreTest, AckFlagRecordsTheOperatorAndKeepsItRaised) {
  const auto id = raise(flag("a"));
  auto acked = st_->ack_flag(id, "operator-1", "spoke to the team", at(300));
  ASSERT_TRUE(acked) << acked.message();
  EXPECT_TRUE(*acked);
  auto got = find_flag(id);
  EXPECT_EQ(got.state, flag_state::raised);
  EXPECT_EQ(got.acked_by, "operator-1");
  EXPECT_EQ(got.ack_note, "spoke to the team");
  EXPECT_EQ(got.acked_at, at(300));
  auto send = st_->flags_to_send(at(0), 10);
  ASSERT_TRUE(send);
  EXPECT_EQ(send->size(), 1u);
  auto missing = st_->ack_flag(999, "operator-1", "", at(300));
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
}

TEST_F(LedgerStoreTest, ListFlagsNewestFirstWithOptionalStateFilter) {
  raise(flag("a"));
  const auto b = raise(flag("b"));
  raise(flag("c"));
  ASSERT_TRUE(st_->clear_flag(b, at(1)));
  auto all = st_->list_flags(std::nullopt, 10);
  ASSERT_TRUE(all) << all.message();
  EXPECT_EQ(keys(*all), (names{"c", "b", "a"}));
  auto one = st_->list_flags(std::nullopt, 1);
  ASSERT_TRUE(one);
  EXPECT_EQ(keys(*one), names{"c"});
  auto raised = st_->list_flags(flag_state::raised, 10);
  ASSERT_TRUE(raised);
  EXPECT_EQ(keys(*raised), (names{"c", "a"}));
  auto cleared = st_->list_flags(flag_state::cleared, 10);
  ASSERT_TRUE(cleared);
  EXPECT_EQ(keys(*cleared), names{"b"});
}

TEST_F(LedgerStoreTest, RollbackRemovesWhatTheTransactionAdded) {
  add(obligation("kept", 5000));
  ASSERT_TRUE(st_->begin());
  const auto oid = add(obligation("gone", 5000));
  raise(flag("gone", 0, oid));
  st_->rollback();
  auto gone = st_->find_obligation("referral_outcome", "gone");
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone->has_value());
  auto flags = st_->list_flags(std::nullopt, 10);
  ASSERT_TRUE(flags);
  EXPECT_TRUE(flags->empty());
  // The keys are free again: the rolled-back rows left nothing behind.
  add(obligation("gone", 5000));
  raise(flag("gone"));
}

TEST_F(LedgerStoreTest, LedgerSurvivesReopen) {
  const auto oid = add(obligation("r1", 5000, 4000));
  ASSERT_TRUE(st_->mark_warned(oid));
  const auto fid = raise(flag("k1", 100, oid));
  ASSERT_TRUE(st_->ack_flag(fid, "operator-1", "noted", at(50)));
  reopen();
  const auto o = find("r1");
  EXPECT_EQ(o.obligation_id, oid);
  EXPECT_TRUE(o.warned);
  EXPECT_EQ(o.warn_at, at(4000));
  const auto f = find_flag(fid);
  EXPECT_EQ(f.obligation_id, oid);
  EXPECT_EQ(f.ack_note, "noted");
  auto dup = st_->raise_flag(flag("k1"));
  ASSERT_TRUE(dup);
  EXPECT_FALSE(dup->has_value());
}

// A database written before the ledger existed (schema version 2) gains its tables on open.
TEST_F(LedgerStoreTest, VersionTwoDatabaseMigrates) {
  st_.reset();
  const std::string path = (dir_ / "mab.db").string();
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw,
                         "DROP TABLE subject_messages; DROP INDEX messages_sender; "
                         "DROP INDEX audit_log_seq; "
                         "DROP TABLE transfer_timeline; DROP TABLE transfer_parts; "
                         "DROP TABLE transfers; DROP TABLE subject_facts; "
                         "DROP TABLE subject_contacts; DROP TABLE subject_keys; "
                         "DROP TABLE subjects; "
                         "DROP TABLE flags; DROP TABLE obligations; PRAGMA user_version = 2",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  reopen();
  add(obligation("r1", 5000));
  raise(flag("k1"));
}

}  // namespace
}  // namespace mab::store

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "daemon/store/store.h"

namespace mab::store {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

const time_point t0 = from_unix_ms(1'700'000'000'000);

time_point at(std::int64_t ms_after_t0) { return t0 + milliseconds(ms_after_t0); }

new_message make_message(const std::string& id, std::vector<std::string> recipients,
                         time_point received = t0) {
  new_message m;
  m.message_id = id;
  m.sender = "agency-a";
  m.body_kind = "concern";
  m.envelope = std::string("env-\0-") + id;  // embedded NUL: blobs must round-trip bytes
  m.envelope.push_back('\0');
  m.notification_sha256 = std::string(32, '\xab');
  m.received_at = received;
  m.recipients = std::move(recipients);
  return m;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::path(::testing::TempDir()) / "mab_store_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = (dir_ / "mab.db").string();
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::unique_ptr<store> open(std::uint32_t max_pages = 0) {
    sqlite_options o;
    o.path = path_;
    o.full_sync = true;
    o.max_pages = max_pages;
    auto s = open_sqlite(o);
    EXPECT_TRUE(s.ok()) << s.message();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(StoreTest, AppendFindRoundtrip) {
  auto s = open();
  ASSERT_TRUE(s);
  auto m = make_message("m-1", {"agency-b", "agency-c"});
  auto seq = s->append_message(m);
  ASSERT_TRUE(seq.ok()) << seq.message();

  auto found = s->find_message("m-1");
  ASSERT_TRUE(found.ok()) << found.message();
  ASSERT_TRUE(found->has_value());
  const message_record& r = **found;
  EXPECT_EQ(r.seq, *seq);
  EXPECT_EQ(r.message_id, m.message_id);
  EXPECT_EQ(r.sender, m.sender);
  EXPECT_EQ(r.body_kind, m.body_kind);
  EXPECT_EQ(r.envelope, m.envelope);
  EXPECT_EQ(r.notification_sha256, m.notification_sha256);
  EXPECT_EQ(r.received_at, m.received_at);
  EXPECT_EQ(r.recipients, m.recipients);

  auto missing = s->find_message("m-2");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_F(StoreTest, RecipientsEncodingEdgeCases) {
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->append_message(make_message("none", {})).ok());
  ASSERT_TRUE(s->append_message(make_message("one", {"agency-b"})).ok());
  EXPECT_EQ((*s->find_message("none"))->recipients, std::vector<std::string>{});
  EXPECT_EQ((*s->find_message("one"))->recipients, std::vector<std::string>{"agency-b"});

  EXPECT_FALSE(s->append_message(make_message("bad-1", {"a\nb"})).ok());
  EXPECT_FALSE(s->append_message(make_message("bad-2", {""})).ok());
  EXPECT_FALSE((*s->find_message("bad-1")).has_value());
}

TEST_F(StoreTest, SeqIsMonotonic) {
  auto s = open();
  ASSERT_TRUE(s);
  std::uint64_t last = 0;
  for (int i = 0; i < 20; ++i) {
    auto seq = s->append_message(make_message("m-" + std::to_string(i), {"agency-b"}));
    ASSERT_TRUE(seq.ok()) << seq.message();
    EXPECT_GT(*seq, last);
    last = *seq;
  }
}

TEST_F(StoreTest, DuplicateMessageIdFails) {
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->append_message(make_message("m-1", {"agency-b"})).ok());
  auto again = s->append_message(make_message("m-1", {"agency-c"}));
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.message().find("append_message"), std::string::npos) << again.message();
  EXPECT_NE(again.message().find("UNIQUE"), std::string::npos) << again.message();
  // The failed append left no delivery behind.
  EXPECT_EQ(*s->pending_count("agency-c"), 0u);
  EXPECT_EQ(*s->pending_count("agency-b"), 1u);
}

TEST_F(StoreTest, DuplicateRecipientRollsBackWholeAppend) {
  auto s = open();
  ASSERT_TRUE(s);
  auto r = s->append_message(make_message("m-1", {"agency-b", "agency-b"}));
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE((*s->find_message("m-1")).has_value());
  EXPECT_EQ(*s->pending_count("agency-b"), 0u);
}

TEST_F(StoreTest, DueDeliveriesOrderLimitAndTime) {
  auto s = open();
  ASSERT_TRUE(s);
  std::vector<std::uint64_t> seqs;
  for (int i = 0; i < 5; ++i) {
    auto seq = s->append_message(make_message("m-" + std::to_string(i), {"agency-b"}, at(i * 10)));
    ASSERT_TRUE(seq.ok());
    seqs.push_back(*seq);
  }
  ASSERT_TRUE(s->append_message(make_message("other", {"agency-c"}, t0)).ok());

  // Only those received at or before now are due.
  auto due = s->due_deliveries("agency-b", at(20), 100);
  ASSERT_TRUE(due.ok()) << due.message();
  ASSERT_EQ(due->size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& d = (*due)[i];
    EXPECT_EQ(d.seq, seqs[i]);
    EXPECT_EQ(d.message_id, "m-" + std::to_string(i));
    EXPECT_EQ(d.sender, "agency-a");
    EXPECT_EQ(d.recipient, "agency-b");
    EXPECT_EQ(d.envelope, make_message(d.message_id, {}).envelope);
    EXPECT_EQ(d.state, delivery_state::pending);
    EXPECT_EQ(d.attempts, 0u);
    EXPECT_EQ(d.next_attempt_at, at(static_cast<std::int64_t>(i) * 10));
    EXPECT_FALSE(d.acked_at.has_value());
  }

  auto limited = s->due_deliveries("agency-b", at(100), 2);
  ASSERT_TRUE(limited.ok());
  ASSERT_EQ(limited->size(), 2u);
  EXPECT_EQ((*limited)[0].seq, seqs[0]);
  EXPECT_EQ((*limited)[1].seq, seqs[1]);

  auto none = s->due_deliveries("agency-b", at(-1), 100);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_TRUE(s->due_deliveries("agency-z", at(100), 100)->empty());
}

TEST_F(StoreTest, MarkAttemptedDefersDelivery) {
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->append_message(make_message("m-1", {"agency-b"})).ok());
  ASSERT_TRUE(s->append_message(make_message("m-2", {"agency-b"})).ok());
  auto due = s->due_deliveries("agency-b", t0, 10);
  ASSERT_EQ(due->size(), 2u);
  const auto first = (*due)[0].delivery_id;

  ASSERT_TRUE(s->mark_attempted(first, at(1000)).ok());
  due = s->due_deliveries("agency-b", at(999), 10);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].message_id, "m-2");

  due = s->due_deliveries("agency-b", at(1000), 10);
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].delivery_id, first);  // still first by seq once due again
  EXPECT_EQ((*due)[0].attempts, 1u);
  EXPECT_EQ((*due)[0].next_attempt_at, at(1000));
  EXPECT_EQ(*s->pending_count("agency-b"), 2u);

  EXPECT_FALSE(s->mark_attempted(999999, at(1)).ok());
}

TEST_F(StoreTest, AckStates) {
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->append_message(make_message("m-1", {"agency-b", "agency-c"})).ok());

  auto a = s->record_ack("m-1", "agency-b", at(5), "sealed-ack");
  ASSERT_TRUE(a.ok()) << a.message();
  EXPECT_EQ(a->result, ack_outcome::recorded);
  EXPECT_EQ(a->sender, "agency-a");
  EXPECT_NE(a->delivery_id, 0u);

  auto again = s->record_ack("m-1", "agency-b", at(6), "sealed-ack-2");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->result, ack_outcome::already_acked);
  EXPECT_EQ(again->delivery_id, a->delivery_id);

  EXPECT_EQ(s->record_ack("m-1", "agency-z", at(6), "x")->result, ack_outcome::not_found);
  EXPECT_EQ(s->record_ack("m-9", "agency-b", at(6), "x")->result, ack_outcome::not_found);

  EXPECT_EQ(*s->pending_count("agency-b"), 0u);
  EXPECT_EQ(*s->pending_count("agency-c"), 1u);
  EXPECT_TRUE(s->due_deliveries("agency-b", at(100), 10)->empty());

  // A dead delivery stays dead when an ack turns up late.
  auto r = s->record_refusal("m-1", "agency-c", "no", at(7), 1, at(100));
  ASSERT_EQ(r->result, refusal_outcome::dead_lettered);
  EXPECT_EQ(s->record_ack("m-1", "agency-c", at(8), "x")->result, ack_outcome::dead);

  // Refusing an acked delivery changes nothing.
  EXPECT_EQ(s->record_refusal("m-1", "agency-b", "no", at(9), 3, at(100))->result,
            refusal_outcome::already_acked);
}

TEST_F(StoreTest, RefusalsDeadLetterAndReplay) {
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->append_message(make_message("m-1", {"agency-b"})).ok());

  auto r1 = s->record_refusal("m-1", "agency-b", "schema", at(1), 3, at(100));
  ASSERT_TRUE(r1.ok()) << r1.message();
  EXPECT_EQ(r1->result, refusal_outcome::retry);
  EXPECT_EQ(r1->refusals, 1u);
  EXPECT_EQ(r1->sender, "agency-a");
  EXPECT_TRUE(s->due_deliveries("agency-b", at(99), 10)->empty());
  auto due = s->due_deliveries("agency-b", at(100), 10);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].refusals, 1u);
  EXPECT_EQ((*due)[0].last_refusal_reason, "schema");

  EXPECT_EQ(s->record_refusal("m-1", "agency-b", "again", at(2), 3, at(200))->result,
            refusal_outcome::retry);
  auto r3 = s->record_refusal("m-1", "agency-b", "third", at(3), 3, at(300));
  ASSERT_TRUE(r3.ok());
  EXPECT_EQ(r3->result, refusal_outcome::dead_lettered);
  EXPECT_EQ(r3->refusals, 3u);
  EXPECT_EQ(s->record_refusal("m-1", "agency-b", "x", at(4), 3, at(400))->result,
            refusal_outcome::already_dead);
  EXPECT_EQ(s->record_refusal("m-9", "agency-b", "x", at(4), 3, at(400))->result,
            refusal_outcome::not_found);

  EXPECT_EQ(*s->pending_count("agency-b"), 0u);
  EXPECT_TRUE(s->due_deliveries("agency-b", at(10'000), 10)->empty());

  auto dead = s->dead_letters(10);
  ASSERT_TRUE(dead.ok()) << dead.message();
  ASSERT_EQ(dead->size(), 1u);
  const delivery_record d = (*dead)[0];
  EXPECT_EQ(d.state, delivery_state::dead);
  EXPECT_EQ(d.refusals, 3u);
  EXPECT_EQ(d.last_refusal_reason, "third");
  EXPECT_EQ(d.message_id, "m-1");

  auto replayed = s->replay_dead_letter(d.delivery_id, at(500));
  ASSERT_TRUE(replayed.ok());
  EXPECT_TRUE(*replayed);
  EXPECT_FALSE(*s->replay_dead_letter(d.delivery_id, at(500)));  // no longer dead
  EXPECT_FALSE(*s->replay_dead_letter(424242, at(500)));
  EXPECT_TRUE(s->dead_letters(10)->empty());

  due = s->due_deliveries("agency-b", at(500), 10);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].refusals, 0u);
  EXPECT_EQ((*due)[0].next_attempt_at, at(500));
  EXPECT_EQ((*due)[0].state, delivery_state::pending);
  EXPECT_EQ(s->record_ack("m-1", "agency-b", at(501), "ack")->result, ack_outcome::recorded);
}

TEST_F(StoreTest, NoticesLifecycle) {
  auto s = open();
  ASSERT_TRUE(s);
  auto n1 = s->append_notice("agency-a", "notice-1", at(0));
  auto n2 = s->append_notice("agency-a", "notice-2", at(5));
  auto n3 = s->append_notice("agency-b", "notice-3", at(0));
  ASSERT_TRUE(n1.ok() && n2.ok() && n3.ok()) << n1.message();
  EXPECT_LT(*n1, *n2);

  auto due = s->due_notices("agency-a", at(0), 10);
  ASSERT_TRUE(due.ok()) << due.message();
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].notice_id, *n1);
  EXPECT_EQ((*due)[0].agency, "agency-a");
  EXPECT_EQ((*due)[0].payload, "notice-1");
  EXPECT_EQ((*due)[0].created_at, at(0));
  EXPECT_EQ((*due)[0].attempts, 0u);

  due = s->due_notices("agency-a", at(5), 10);
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].notice_id, *n1);
  EXPECT_EQ((*due)[1].notice_id, *n2);
  EXPECT_EQ(s->due_notices("agency-a", at(5), 1)->size(), 1u);

  ASSERT_TRUE(s->mark_notice_attempted(*n1, at(60)).ok());
  due = s->due_notices("agency-a", at(59), 10);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].notice_id, *n2);
  due = s->due_notices("agency-a", at(60), 10);
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].attempts, 1u);
  EXPECT_EQ((*due)[0].next_attempt_at, at(60));

  // Only the owning agency can confirm, and only once.
  EXPECT_FALSE(*s->confirm_notice("agency-b", *n1));
  EXPECT_TRUE(*s->confirm_notice("agency-a", *n1));
  EXPECT_FALSE(*s->confirm_notice("agency-a", *n1));
  EXPECT_FALSE(s->mark_notice_attempted(*n1, at(70)).ok());
  due = s->due_notices("agency-a", at(1000), 10);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].notice_id, *n2);
  EXPECT_EQ(s->due_notices("agency-b", at(1000), 10)->size(), 1u);
}

TEST_F(StoreTest, TransactionRollbackLeavesNothing) {
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->append_message(make_message("before", {"agency-b"})).ok());
  ASSERT_TRUE(s->begin().ok());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(s->append_message(make_message("tx-" + std::to_string(i), {"agency-b"})).ok());
  }
  ASSERT_TRUE(s->append_notice("agency-a", "n", t0).ok());
  // Reads inside the transaction see its writes.
  EXPECT_TRUE((*s->find_message("tx-1")).has_value());
  EXPECT_EQ(*s->pending_count("agency-b"), 4u);
  s->rollback();

  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE((*s->find_message("tx-" + std::to_string(i))).has_value());
  }
  EXPECT_EQ(*s->pending_count("agency-b"), 1u);
  EXPECT_TRUE(s->due_notices("agency-a", at(1), 10)->empty());
  // And the store goes on working.
  EXPECT_TRUE(s->append_message(make_message("after", {"agency-b"})).ok());
}

TEST_F(StoreTest, TransactionMisuseIsAnErrorValue) {
  auto s = open();
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->commit().ok());
  s->rollback();  // no transaction: harmless
  ASSERT_TRUE(s->begin().ok());
  auto twice = s->begin();
  EXPECT_FALSE(twice.ok());
  EXPECT_NE(twice.message().find("begin"), std::string::npos);
  ASSERT_TRUE(s->append_message(make_message("m-1", {"agency-b"})).ok());
  EXPECT_TRUE(s->commit().ok());
  EXPECT_TRUE((*s->find_message("m-1")).has_value());
}

TEST_F(StoreTest, FailedCallInsideTransactionKeepsTheRest) {
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->begin().ok());
  ASSERT_TRUE(s->append_message(make_message("m-1", {"agency-b"})).ok());
  EXPECT_FALSE(s->append_message(make_message("m-2", {"agency-c", "agency-c"})).ok());
  EXPECT_FALSE(s->append_message(make_message("m-1", {"agency-d"})).ok());
  ASSERT_TRUE(s->append_message(make_message("m-3", {"agency-b"})).ok());
  ASSERT_TRUE(s->commit().ok());
  EXPECT_TRUE((*s->find_message("m-1")).has_value());
  EXPECT_FALSE((*s->find_message("m-2")).has_value());
  EXPECT_TRUE((*s->find_message("m-3")).has_value());
  EXPECT_EQ(*s->pending_count("agency-b"), 2u);
  EXPECT_EQ(*s->pending_count("agency-c"), 0u);
  EXPECT_EQ(*s->pending_count("agency-d"), 0u);
}

TEST_F(StoreTest, CommittedDataSurvivesReopen) {
  std::uint64_t seq = 0;
  {
    auto s = open();
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->begin().ok());
    auto r = s->append_message(make_message("m-1", {"agency-b"}));
    ASSERT_TRUE(r.ok());
    seq = *r;
    ASSERT_TRUE(s->append_notice("agency-a", "n", t0).ok());
    ASSERT_TRUE(s->commit().ok());
  }
  auto s = open();
  ASSERT_TRUE(s);
  auto m = s->find_message("m-1");
  ASSERT_TRUE(m.ok() && m->has_value());
  EXPECT_EQ((*m)->seq, seq);
  EXPECT_EQ(*s->pending_count("agency-b"), 1u);
  EXPECT_EQ(s->due_notices("agency-a", t0, 10)->size(), 1u);
  // A reopened store keeps numbering after the old seqs.
  auto next = s->append_message(make_message("m-2", {"agency-b"}));
  ASSERT_TRUE(next.ok());
  EXPECT_GT(*next, seq);
}

TEST_F(StoreTest, UncommittedDataIsGoneAfterReopen) {
  {
    auto s = open();
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->append_message(make_message("kept", {"agency-b"})).ok());
    ASSERT_TRUE(s->begin().ok());
    ASSERT_TRUE(s->append_message(make_message("lost", {"agency-b"})).ok());
    // Destroyed with the transaction open.
  }
  auto s = open();
  ASSERT_TRUE(s);
  EXPECT_TRUE((*s->find_message("kept")).has_value());
  EXPECT_FALSE((*s->find_message("lost")).has_value());
  EXPECT_EQ(*s->pending_count("agency-b"), 1u);
}

TEST_F(StoreTest, PendingCount) {
  auto s = open();
  ASSERT_TRUE(s);
  EXPECT_EQ(*s->pending_count("agency-b"), 0u);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(s->append_message(make_message("m-" + std::to_string(i), {"agency-b", "agency-c"}))
                    .ok());
  }
  EXPECT_EQ(*s->pending_count("agency-b"), 4u);
  ASSERT_EQ(s->record_ack("m-0", "agency-b", t0, "a")->result, ack_outcome::recorded);
  ASSERT_EQ(s->record_refusal("m-1", "agency-b", "r", t0, 1, t0)->result,
            refusal_outcome::dead_lettered);
  ASSERT_EQ(s->record_refusal("m-2", "agency-b", "r", t0, 5, at(1000))->result,
            refusal_outcome::retry);  // still pending, just not due
  EXPECT_EQ(*s->pending_count("agency-b"), 2u);
  EXPECT_EQ(*s->pending_count("agency-c"), 4u);
}

TEST_F(StoreTest, QuotaExhaustionMapsToFull) {
  auto s = open(/*max_pages=*/32);
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->append_message(make_message("first", {"agency-b"})).ok());
  const std::string big(16 * 1024, 'x');
  bool hit_full = false;
  for (int i = 0; i < 100 && !hit_full; ++i) {
    auto m = make_message("big-" + std::to_string(i), {"agency-b"});
    m.envelope = big;
    auto r = s->append_message(m);
    if (!r.ok()) {
      EXPECT_EQ(r.err().code, store_error::full) << r.message();
      EXPECT_NE(r.message().find("append_message"), std::string::npos) << r.message();
      hit_full = true;
    }
  }
  ASSERT_TRUE(hit_full);
  // Full refuses new work but keeps serving what is stored.
  EXPECT_TRUE((*s->find_message("first")).has_value());
  EXPECT_TRUE(s->due_deliveries("agency-b", t0, 1).ok());
  // A transaction that runs into the quota fails, and the store stays usable afterwards.
  ASSERT_TRUE(s->begin().ok());
  auto m = make_message("in-tx", {"agency-b"});
  m.envelope = big;
  EXPECT_EQ(s->append_message(m).err().code, store_error::full);
  s->rollback();
  EXPECT_FALSE((*s->find_message("in-tx")).has_value());
  EXPECT_TRUE(s->record_ack("first", "agency-b", t0, "a").ok());

  // Committing after a full error stores only what fit: the failed call left nothing behind.
  ASSERT_TRUE(s->begin().ok());
  ASSERT_TRUE(s->append_notice("agency-a", "small", t0).ok());
  m.message_id = "in-tx-2";
  EXPECT_EQ(s->append_message(m).err().code, store_error::full);
  auto c = s->commit();
  EXPECT_FALSE((*s->find_message("in-tx-2")).has_value());
  if (c.ok()) {
    EXPECT_EQ(s->due_notices("agency-a", t0, 10)->size(), 1u);
  }
  EXPECT_TRUE(s->begin().ok());
  s->rollback();
}

TEST_F(StoreTest, NotADatabaseIsCorrupt) {
  {
    std::ofstream f(path_, std::ios::binary);
    f << std::string(8192, 'z');
  }
  sqlite_options o;
  o.path = path_;
  auto s = open_sqlite(o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.err().code, store_error::corrupt) << s.message();
}

TEST_F(StoreTest, OpensWalAndRefusesNewerSchema) {
  { ASSERT_TRUE(open()); }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "wal");
  sqlite3_finalize(st);
  ASSERT_EQ(sqlite3_exec(raw, "PRAGMA user_version = 999", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);

  sqlite_options o;
  o.path = path_;
  auto s = open_sqlite(o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("schema version 999"), std::string::npos) << s.message();
}

TEST(SqliteStore, InMemoryDatabaseWorks) {
  sqlite_options o;
  o.path = ":memory:";
  auto s = open_sqlite(o);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_TRUE((*s)->append_message(make_message("m-1", {"agency-b"})).ok());
  EXPECT_EQ(*(*s)->pending_count("agency-b"), 1u);
}

TEST_F(StoreTest, MissingDirectoryFailsToOpen) {
  sqlite_options o;
  o.path = (dir_ / "no" / "such" / "dir" / "mab.db").string();
  auto s = open_sqlite(o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("open"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace mab::store

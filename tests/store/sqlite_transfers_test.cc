// Transfers: inserted once by id, found by id or subject, listed newest first, completed once;
// their parts (unique per transfer, agency and kind, updated in place) and timelines; rows that
// roll back, follow a subject merge, and survive a reopen.
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

transfer_record transfer(const std::string& id, std::uint64_t subject, std::int64_t opened_ms) {
  transfer_record t;
  t.transfer_id = id;
  t.subject = subject;
  t.subject_key = "sk_" + id;
  t.from_area = "north";
  t.to_area = "south";
  t.opened_by = "msg-" + id;
  t.reason = "transfer_notice";
  t.opened_at = at(opened_ms);
  return t;
}

part_record part(const std::string& transfer_id, const std::string& owed_by,
                 const std::string& kind) {
  part_record p;
  p.transfer_id = transfer_id;
  p.owed_by = owed_by;
  p.kind = kind;
  p.why = "policy: school records follow the child";
  p.due_at = at(10'000);
  return p;
}

template <class R>
std::vector<std::string> ids(const R& transfers) {
  std::vector<std::string> out;
  for (const auto& t : transfers) out.push_back(t.transfer_id);
  return out;
}
using names = std::vector<std::string>;

template <class R>
int code(const R& r) {
  return r ? -1 : r.err().code;
}

class TransferStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::path(::testing::TempDir()) / "mab_transfers_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    reopen();
    subject_ = st_->new_subject(t0).value();
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
  void add(const transfer_record& t) {
    auto added = st_->add_transfer(t);
    ASSERT_TRUE(added) << added.message();
    EXPECT_TRUE(*added);
  }
  transfer_record find(const std::string& id) {
    auto t = st_->find_transfer(id);
    EXPECT_TRUE(t && t->has_value());
    return t && t->has_value() ? **t : transfer_record{};
  }
  std::uint64_t add_part(const part_record& p) {
    auto id = st_->add_part(p);
    EXPECT_TRUE(id) << id.message();
    EXPECT_TRUE(id && id->has_value());
    return id && id->has_value() ? **id : 0;
  }
  std::vector<part_record> parts(const std::string& id) {
    auto ps = st_->parts(id);
    EXPECT_TRUE(ps) << ps.message();
    return ps ? *ps : std::vector<part_record>{};
  }
  names list(std::optional<transfer_state> state, std::size_t limit = 10) {
    auto ts = st_->list_transfers(state, limit);
    EXPECT_TRUE(ts) << ts.message();
    return ts ? ids(*ts) : names{};
  }
  names of(std::uint64_t subject) {
    auto ts = st_->transfers_of(subject);
    EXPECT_TRUE(ts) << ts.message();
    return ts ? ids(*ts) : names{};
  }
  fs::path dir_;
  std::unique_ptr<store> st_;
  std::uint64_t subject_ = 0;
};

TEST_F(TransferStoreTest, TransferRoundtripsEveryField) {
  auto t = transfer("t1", subject_, 5);
  t.reason = "area_change";
  add(t);
  const auto got = find("t1");
  EXPECT_EQ(got.transfer_id, "t1");
  EXPECT_EQ(got.subject, subject_);
  EXPECT_EQ(got.subject_key, "sk_t1");
  EXPECT_EQ(got.from_area, "north");
  EXPECT_EQ(got.to_area, "south");
  EXPECT_EQ(got.opened_by, "msg-t1");
  EXPECT_EQ(got.reason, "area_change");
  EXPECT_EQ(got.opened_at, at(5));
  EXPECT_EQ(got.state, transfer_state::open);
  EXPECT_FALSE(got.completed_at);
  auto missing = st_->find_transfer("nope");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
}

TEST_F(TransferStoreTest, DuplicateIdIsFalseAndChangesNothing) {
  add(transfer("t1", subject_, 5));
  auto again = transfer("t1", subject_, 99);
  again.to_area = "east";
  ASSERT_TRUE(st_->begin());
  auto dup = st_->add_transfer(again);
  ASSERT_TRUE(dup) << dup.message();
  EXPECT_FALSE(*dup);
  add(transfer("t2", subject_, 6));  // the transaction is intact
  ASSERT_TRUE(st_->commit());
  EXPECT_EQ(find("t1").to_area, "south");
  EXPECT_EQ(find("t2").opened_at, at(6));
}

TEST_F(TransferStoreTest, TransferOfAMissingSubjectFails) {
  EXPECT_FALSE(st_->add_transfer(transfer("t1", subject_ + 100, 5)));
}

TEST_F(TransferStoreTest, TransfersOfASubjectNewestFirst) {
  const auto other = st_->new_subject(t0).value();
  add(transfer("a", subject_, 10));
  add(transfer("b", subject_, 30));
  add(transfer("c", other, 20));
  add(transfer("d", subject_, 20));
  EXPECT_EQ(of(subject_), (names{"b", "d", "a"}));
  EXPECT_EQ(of(other), names{"c"});
  EXPECT_EQ(of(other + 1), names{});
}

TEST_F(TransferStoreTest, CompleteMovesOpenToCompleteOnce) {
  add(transfer("t1", subject_, 5));
  auto done = st_->complete_transfer("t1", at(50));
  ASSERT_TRUE(done);
  EXPECT_TRUE(*done);
  const auto got = find("t1");
  EXPECT_EQ(got.state, transfer_state::complete);
  EXPECT_EQ(got.completed_at, at(50));
  auto again = st_->complete_transfer("t1", at(60));
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  EXPECT_EQ(find("t1").completed_at, at(50));
  auto missing = st_->complete_transfer("nope", at(60));
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
}

TEST_F(TransferStoreTest, ListNewestFirstWithOptionalStateFilterAndLimit) {
  add(transfer("a", subject_, 10));
  add(transfer("b", subject_, 20));
  add(transfer("c", subject_, 30));
  ASSERT_TRUE(st_->complete_transfer("b", at(40)));
  EXPECT_EQ(list(std::nullopt), (names{"c", "b", "a"}));
  EXPECT_EQ(list(std::nullopt, 2), (names{"c", "b"}));
  EXPECT_EQ(list(transfer_state::open), (names{"c", "a"}));
  EXPECT_EQ(list(transfer_state::complete), names{"b"});
  EXPECT_EQ(list(transfer_state::open, 1), names{"c"});
}

TEST_F(TransferStoreTest, PartsRoundtripAreUniqueAndUpdateInPlace) {
  add(transfer("t1", subject_, 5));
  add(transfer("t2", subject_, 6));
  const auto p1 = add_part(part("t1", "school", "EDUCATION"));
  const auto p2 = add_part(part("t1", "gp", "HEALTH"));
  add_part(part("t1", "school", "ANY"));      // another kind: a part of its own
  add_part(part("t2", "school", "EDUCATION"));  // another transfer too
  EXPECT_GT(p2, p1);
  auto dup = st_->add_part(part("t1", "school", "EDUCATION"));
  ASSERT_TRUE(dup) << dup.message();
  EXPECT_FALSE(dup->has_value());
  EXPECT_FALSE(st_->add_part(part("nope", "school", "EDUCATION")));  // no such transfer

  auto ps = parts("t1");
  ASSERT_EQ(ps.size(), 3u);
  EXPECT_EQ(ps[0].part_id, p1);
  EXPECT_EQ(ps[0].transfer_id, "t1");
  EXPECT_EQ(ps[0].owed_by, "school");
  EXPECT_EQ(ps[0].kind, "EDUCATION");
  EXPECT_EQ(ps[0].why, "policy: school records follow the child");
  EXPECT_EQ(ps[0].state, "expected");
  EXPECT_EQ(ps[0].pieces_total, 0u);
  EXPECT_EQ(ps[0].recipient, "");
  EXPECT_EQ(ps[0].due_at, at(10'000));
  EXPECT_FALSE(ps[0].sent_at);
  EXPECT_FALSE(ps[0].acked_at);
  EXPECT_EQ(ps[1].part_id, p2);

  auto p = ps[0];
  p.state = "acknowledged";
  p.pieces_total = 3;
  p.pieces_sent = 3;
  p.pieces_acked = 2;
  p.recipient = "school-south";
  p.due_at = at(20'000);
  p.sent_at = at(100);
  p.acked_at = at(200);
  ASSERT_TRUE(st_->update_part(p));
  ps = parts("t1");
  EXPECT_EQ(ps[0].state, "acknowledged");
  EXPECT_EQ(ps[0].pieces_total, 3u);
  EXPECT_EQ(ps[0].pieces_sent, 3u);
  EXPECT_EQ(ps[0].pieces_acked, 2u);
  EXPECT_EQ(ps[0].recipient, "school-south");
  EXPECT_EQ(ps[0].due_at, at(20'000));
  EXPECT_EQ(ps[0].sent_at, at(100));
  EXPECT_EQ(ps[0].acked_at, at(200));
  EXPECT_EQ(ps[1].state, "expected");  // the others are untouched
  p.sent_at.reset();
  ASSERT_TRUE(st_->update_part(p));
  EXPECT_FALSE(parts("t1")[0].sent_at);
  p.part_id = 9999;
  EXPECT_FALSE(st_->update_part(p));
  EXPECT_TRUE(parts("nope").empty());
}

TEST_F(TransferStoreTest, TimelineInTheOrderAdded) {
  add(transfer("t1", subject_, 5));
  add(transfer("t2", subject_, 6));
  ASSERT_TRUE(st_->add_timeline("t1", {at(20), "opened"}));
  ASSERT_TRUE(st_->add_timeline("t2", {at(15), "other"}));
  ASSERT_TRUE(st_->add_timeline("t1", {at(10), "school sent EDUCATION"}));
  auto tl = st_->timeline("t1");
  ASSERT_TRUE(tl) << tl.message();
  ASSERT_EQ(tl->size(), 2u);
  EXPECT_EQ((*tl)[0].what, "opened");
  EXPECT_EQ((*tl)[0].at, at(20));
  EXPECT_EQ((*tl)[1].what, "school sent EDUCATION");
  EXPECT_FALSE(st_->add_timeline("nope", {at(1), "x"}));
  auto none = st_->timeline("nope");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST_F(TransferStoreTest, TransfersFollowASubjectMerge) {
  const auto from = st_->new_subject(t0).value();
  add(transfer("a", subject_, 10));
  add(transfer("b", from, 20));
  ASSERT_TRUE(st_->merge_subjects(subject_, from));
  EXPECT_EQ(of(subject_), (names{"b", "a"}));
  EXPECT_EQ(find("b").subject, subject_);
  EXPECT_EQ(of(from), names{});
}

TEST_F(TransferStoreTest, RollbackRemovesWhatTheTransactionAdded) {
  add(transfer("kept", subject_, 5));
  ASSERT_TRUE(st_->begin());
  add(transfer("gone", subject_, 6));
  add_part(part("gone", "school", "EDUCATION"));
  add_part(part("kept", "school", "EDUCATION"));
  ASSERT_TRUE(st_->add_timeline("kept", {at(1), "x"}));
  ASSERT_TRUE(st_->complete_transfer("kept", at(7)));
  st_->rollback();
  EXPECT_EQ(list(std::nullopt), names{"kept"});
  EXPECT_EQ(find("kept").state, transfer_state::open);
  EXPECT_TRUE(parts("kept").empty());
  EXPECT_TRUE(st_->timeline("kept")->empty());
  // The keys are free again.
  add(transfer("gone", subject_, 6));
  add_part(part("kept", "school", "EDUCATION"));
}

TEST_F(TransferStoreTest, TransfersSurviveReopen) {
  add(transfer("t1", subject_, 5));
  const auto pid = add_part(part("t1", "school", "EDUCATION"));
  ASSERT_TRUE(st_->add_timeline("t1", {at(1), "opened"}));
  ASSERT_TRUE(st_->complete_transfer("t1", at(9)));
  reopen();
  const auto t = find("t1");
  EXPECT_EQ(t.state, transfer_state::complete);
  EXPECT_EQ(t.completed_at, at(9));
  const auto ps = parts("t1");
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].part_id, pid);
  EXPECT_EQ(st_->timeline("t1")->size(), 1u);
  auto dup = st_->add_part(part("t1", "school", "EDUCATION"));
  ASSERT_TRUE(dup);
  EXPECT_FALSE(dup->has_value());
  EXPECT_GT(add_part(part("t1", "gp", "HEALTH")), pid);
}

TEST_F(TransferStoreTest, FailingStoreRefusesWritesWhenFull) {
  mab::testing::failing_store fails(*st_);
  ASSERT_TRUE(fails.add_transfer(transfer("t1", subject_, 5)));
  const auto pid = fails.add_part(part("t1", "school", "EDUCATION"));
  ASSERT_TRUE(pid);
  fails.full = true;
  EXPECT_EQ(code(fails.add_transfer(transfer("t2", subject_, 5))), store_error::full);
  EXPECT_EQ(code(fails.complete_transfer("t1", at(1))), store_error::full);
  EXPECT_EQ(code(fails.add_part(part("t1", "gp", "HEALTH"))), store_error::full);
  auto p = part("t1", "school", "EDUCATION");
  p.part_id = pid->value();
  EXPECT_EQ(code(fails.update_part(p)), store_error::full);
  EXPECT_EQ(code(fails.add_timeline("t1", {at(1), "x"})), store_error::full);
  // Reads go on.
  EXPECT_TRUE(fails.find_transfer("t1"));
  EXPECT_TRUE(fails.transfers_of(subject_));
  EXPECT_TRUE(fails.list_transfers(std::nullopt, 10));
  EXPECT_TRUE(fails.parts("t1"));
  EXPECT_TRUE(fails.timeline("t1"));
  EXPECT_EQ(find("t1").state, transfer_state::open);
}

}  // namespace
}  // namespace mab::store

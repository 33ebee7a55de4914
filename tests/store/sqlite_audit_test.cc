// The audit trail's storage: append-only rows in stored order, paged reads, checkpoints, and
// entries that roll back with the transaction they were written in.
#include <stdlib.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "daemon/store/store.h"

namespace mab::store {
namespace {

namespace fs = std::filesystem;

class AuditStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::path(::testing::TempDir()) / "mab_audit_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    st_ = std::move(open_sqlite({(dir_ / "mab.db").string(), false})).value();
  }
  void TearDown() override {
    st_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  static audit_record entry(std::uint64_t seq) {
    return {seq, 1000 + static_cast<std::int64_t>(seq), "message.accepted", "sk_1",
            "{\"n\":" + std::to_string(seq) + "}", "prev" + std::to_string(seq),
            "hash" + std::to_string(seq)};
  }
  fs::path dir_;
  std::unique_ptr<store> st_;
};

TEST_F(AuditStoreTest, EmptyTrailHasNoHead) {
  auto head = st_->audit_head();
  ASSERT_TRUE(head) << head.message();
  EXPECT_FALSE(head->has_value());
}

TEST_F(AuditStoreTest, EntriesComeBackInStoredOrderPaged) {
  for (std::uint64_t i = 1; i <= 5; ++i) ASSERT_TRUE(st_->append_audit(entry(i)));
  auto head = st_->audit_head();
  ASSERT_TRUE(head && head->has_value());
  EXPECT_EQ((*head)->seq, 5u);
  EXPECT_EQ((*head)->hash, "hash5");

  std::uint64_t pos = 0;
  auto page = st_->audit_entries(0, 3, pos);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->size(), 3u);
  EXPECT_EQ((*page)[2].seq, 3u);
  EXPECT_EQ((*page)[2].data, "{\"n\":3}");
  auto rest = st_->audit_entries(pos, 100, pos);
  ASSERT_TRUE(rest);
  ASSERT_EQ(rest->size(), 2u);
  EXPECT_EQ((*rest)[1].seq, 5u);
  auto none = st_->audit_entries(pos, 100, pos);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST_F(AuditStoreTest, EntriesRollBackWithTheirTransaction) {
  ASSERT_TRUE(st_->append_audit(entry(1)));
  ASSERT_TRUE(st_->begin());
  ASSERT_TRUE(st_->append_audit(entry(2)));
  st_->rollback();
  auto head = st_->audit_head();
  ASSERT_TRUE(head && head->has_value());
  EXPECT_EQ((*head)->seq, 1u);
}

TEST_F(AuditStoreTest, CheckpointsRoundtripWithBinarySignatures) {
  const std::string sig("\x00\x01\xff\x80", 4);
  ASSERT_TRUE(st_->append_checkpoint({10, 5000, "h10", "ed25519:abc", sig}));
  ASSERT_TRUE(st_->append_checkpoint({20, 6000, "h20", "ed25519:abc", sig}));
  auto cps = st_->checkpoints();
  ASSERT_TRUE(cps);
  ASSERT_EQ(cps->size(), 2u);
  EXPECT_EQ((*cps)[0].seq, 10u);
  EXPECT_EQ((*cps)[1].head_hash, "h20");
  EXPECT_EQ((*cps)[1].signature, sig);
}

TEST_F(AuditStoreTest, TrailSurvivesReopen) {
  ASSERT_TRUE(st_->append_audit(entry(1)));
  st_.reset();
  st_ = std::move(open_sqlite({(dir_ / "mab.db").string(), false})).value();
  auto head = st_->audit_head();
  ASSERT_TRUE(head && head->has_value());
  EXPECT_EQ((*head)->hash, "hash1");
}

}  // namespace
}  // namespace mab::store

// The audit trail as an auditor meets it: real mabd writes it, `mabctl audit verify` checks it
// straight from the store, and names the entry someone altered or removed behind mab's back.
#include <sqlite3.h>

#include <gtest/gtest.h>

#include "tests/integration/scenario.h"

namespace mab::testing {
namespace {

class audit_test : public ::testing::Test {
 protected:
  void SetUp() override {
    standard_agencies(sb);
    ASSERT_NO_FATAL_FAILURE(sb.start());
    auto school = sb.client("school-a");
    auto csc = sb.client("csc-a");
    for (int i = 0; i < 3; ++i) {
      auto r = school->send(attendance_concern("school-a", area_a), receipt_timeout);
      ASSERT_TRUE(r && r->status() == mab::v1::Receipt::ACCEPTED);
    }
    for (const auto& e : receive_for(*csc, event_timeout, 3)) ASSERT_TRUE(csc->ack(*as_delivery(e)));
    // Wait until the three acks are recorded: the sender's three notices prove it.
    EXPECT_EQ(receive_for(*school, event_timeout, 3).size(), 3u);
    ASSERT_EQ(sb.stop(), 0);  // shutdown seals the tail with a checkpoint
  }

  void tamper(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((sb.dir() + "/mab.db").c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    EXPECT_EQ(sqlite3_changes(db), 1) << sql;
    sqlite3_close(db);
  }

  run_result verify() { return sb.mabctl({"audit", "verify", "--mabd-config", sb.config_path()}); }

  sandbox sb;
};

TEST_F(audit_test, untouched_trail_verifies) {
  auto r = verify();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("6 entries"), std::string::npos) << r.out;  // 3 accepted + 3 acked
  EXPECT_NE(r.out.find("OK"), std::string::npos) << r.out;
}

TEST_F(audit_test, an_altered_entry_is_named) {
  tamper("UPDATE audit_log SET data = replace(data, 'school-a', 'police-a') WHERE seq = 2");
  auto r = verify();
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("entry 2"), std::string::npos) << r.out;
}

TEST_F(audit_test, a_removed_entry_is_named) {
  tamper("DELETE FROM audit_log WHERE seq = 4");
  auto r = verify();
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("4"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("missing"), std::string::npos) << r.out;
}

TEST_F(audit_test, a_tail_rewritten_with_fresh_hashes_is_caught_by_the_signed_checkpoint) {
  // An attacker who recomputes the last entry's hash still cannot match the broker's signature.
  tamper("UPDATE audit_log SET data = '{}', hash = '" + std::string(64, 'a') + "' WHERE seq = 6");
  auto r = verify();
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("6"), std::string::npos) << r.out;
}

TEST_F(audit_test, verify_without_the_broker_key_says_how_to_give_it) {
  std::remove((sb.dir() + "/keys/broker.sign.pub").c_str());
  auto r = verify();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--broker-key"), std::string::npos) << r.err;
  r = sb.mabctl({"audit", "verify", "--mabd-config", sb.config_path(), "--broker-key",
                 crypto::base64_encode(sb.broker_signing().public_key)});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

}  // namespace
}  // namespace mab::testing

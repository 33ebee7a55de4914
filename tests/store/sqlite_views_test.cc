// What the operator API reads from the store: filtered and paged lists (LIMIT/OFFSET in SQL),
// a transfer's flags by key prefix, message links per subject (and across a merge), the audit
// trail by seq, front-page counts, the oldest late items, agency activity, and the schema step
// that adds them.
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
using names = std::vector<std::string>;

const time_point t0 = from_unix_ms(1'700'000'000'000);
time_point at(std::int64_t ms_after_t0) { return t0 + milliseconds(ms_after_t0); }

class ViewStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::path(::testing::TempDir()) / "mab_views_XXXXXX").string();
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

  std::uint64_t message(const std::string& id, const std::string& sender,
                        std::vector<std::string> recipients, std::int64_t ms = 0) {
    new_message m;
    m.message_id = id;
    m.sender = sender;
    m.body_kind = "attendance_concern";
    m.envelope = "envelope of " + id;
    m.notification_sha256 = std::string(32, 'h');
    m.received_at = at(ms);
    m.recipients = std::move(recipients);
    auto seq = st_->append_message(m);
    EXPECT_TRUE(seq) << seq.message();
    return seq ? *seq : 0;
  }
  std::uint64_t subject() { return st_->new_subject(t0).value(); }
  std::uint64_t obligation(const std::string& ref, const std::string& owed_by,
                           std::int64_t due_ms, const std::string& data = "{}") {
    obligation_record o;
    o.kind = "transfer_part";
    o.ref = ref;
    o.subject_key = "sk_" + ref;
    o.owed_by = owed_by;
    o.owed_to = "csc-b";
    o.data = data;
    o.opened_at = t0;
    o.due_at = at(due_ms);
    return st_->add_obligation(o).value().value();
  }
  std::uint64_t flag(const std::string& key, const std::string& type, const std::string& owed_by,
                     std::optional<std::uint64_t> obligation_id = std::nullopt,
                     std::optional<std::int64_t> due_ms = std::nullopt,
                     const std::string& subject_key = "sk_1") {
    flag_record f;
    f.flag_type = type;
    f.dedupe_key = key;
    f.subject_key = subject_key;
    f.obligation_id = obligation_id;
    f.owed_by = owed_by;
    f.recipients = {"csc-a"};
    f.detail = "late";
    f.raised_at = t0;
    if (due_ms) f.due_at = at(*due_ms);
    f.next_send_at = t0;
    return st_->raise_flag(f).value().value();
  }
  void transfer(const std::string& id, std::uint64_t subj, std::int64_t opened_ms,
                const std::string& from = "E1", const std::string& to = "E2") {
    transfer_record t;
    t.transfer_id = id;
    t.subject = subj;
    t.subject_key = "sk_" + id;
    t.from_area = from;
    t.to_area = to;
    t.opened_by = "msg-" + id;
    t.reason = "transfer_notice";
    t.opened_at = at(opened_ms);
    ASSERT_TRUE(*st_->add_transfer(t));
  }
  void part(const std::string& transfer_id, const std::string& owed_by,
            const std::string& recipient = "") {
    part_record p;
    p.transfer_id = transfer_id;
    p.owed_by = owed_by;
    p.kind = "ANY";
    p.why = "history";
    p.recipient = recipient;
    p.due_at = at(1000);
    ASSERT_TRUE(st_->add_part(p).value().has_value());
  }
  names transfers(const transfer_filter& f, page p = {100, 0}) {
    auto rows = st_->list_transfers(f, p);
    EXPECT_TRUE(rows) << rows.message();
    names out;
    if (rows) {
      for (const auto& t : *rows) out.push_back(t.transfer_id);
    }
    return out;
  }
  names flag_keys(const flag_filter& f, page p = {100, 0}) {
    auto rows = st_->list_flags(f, p);
    EXPECT_TRUE(rows) << rows.message();
    names out;
    if (rows) {
      for (const auto& r : *rows) out.push_back(r.dedupe_key);
    }
    return out;
  }

  fs::path dir_;
  std::unique_ptr<store> st_;
};

TEST_F(ViewStoreTest, flags_filter_by_type_and_page_in_sql) {
  for (int i = 1; i <= 5; ++i) flag("k" + std::to_string(i), i % 2 ? "INCOMPLETE" : "DUE_SOON", "x");
  ASSERT_TRUE(*st_->clear_flag(5, t0));
  EXPECT_EQ(flag_keys({}), (names{"k5", "k4", "k3", "k2", "k1"}));
  EXPECT_EQ(flag_keys({std::nullopt, "INCOMPLETE"}), (names{"k5", "k3", "k1"}));
  EXPECT_EQ(flag_keys({flag_state::raised, "INCOMPLETE"}), (names{"k3", "k1"}));
  EXPECT_EQ(flag_keys({flag_state::cleared, ""}), (names{"k5"}));
  EXPECT_EQ(flag_keys({}, {2, 0}), (names{"k5", "k4"}));
  EXPECT_EQ(flag_keys({}, {2, 2}), (names{"k3", "k2"}));
  EXPECT_EQ(flag_keys({}, {2, 4}), (names{"k1"}));
  EXPECT_EQ(flag_keys({}, {2, 5}), names{});
  // The old form still lists newest first.
  EXPECT_EQ(st_->list_flags(std::nullopt, 1)->at(0).dedupe_key, "k5");
}

TEST_F(ViewStoreTest, obligations_page_in_sql) {
  for (int i = 1; i <= 4; ++i) obligation("r" + std::to_string(i), "x", 1000);
  const auto page2 = st_->list_obligations(std::nullopt, page{2, 2});
  ASSERT_TRUE(page2);
  ASSERT_EQ(page2->size(), 2u);
  EXPECT_EQ((*page2)[0].ref, "r2");
  EXPECT_EQ((*page2)[1].ref, "r1");
  EXPECT_EQ(st_->list_obligations(obligation_state::open, page{10, 3})->size(), 1u);
}

TEST_F(ViewStoreTest, a_transfers_flags_are_found_by_exact_key_prefix) {
  const auto s = subject();
  transfer("T", s, 0);
  transfer("T-1", s, 1);
  transfer("T_", s, 2);
  flag("transfer/T/overdue/1", "INCOMPLETE", "x");
  flag("transfer/T-1/overdue/2", "INCOMPLETE", "x");
  flag("transfer/T_/overdue/3", "UNACKNOWLEDGED", "x");
  flag("transfer/TX/overdue/4", "INCOMPLETE", "x");
  flag("overdue/5", "NO_FEEDBACK", "x");
  const auto of = [&](const std::string& id) {
    names out;
    const auto flags = st_->transfer_flags(id);  // alive while iterating
    for (const auto& f : *flags) out.push_back(f.dedupe_key);
    return out;
  };
  EXPECT_EQ(of("T"), (names{"transfer/T/overdue/1"}));
  EXPECT_EQ(of("T-1"), (names{"transfer/T-1/overdue/2"}));
  EXPECT_EQ(of("T_"), (names{"transfer/T_/overdue/3"})) << "'_' is not a wildcard";
  EXPECT_EQ(of("T%"), names{});
  // The transfer list's flag filter uses the same rule, on raised flags only.
  EXPECT_EQ(transfers({std::nullopt, "INCOMPLETE", "", "", ""}), (names{"T-1", "T"}));
  EXPECT_EQ(transfers({std::nullopt, "UNACKNOWLEDGED", "", "", ""}), (names{"T_"}));
  ASSERT_TRUE(*st_->clear_flag(3, t0));
  EXPECT_EQ(transfers({std::nullopt, "UNACKNOWLEDGED", "", "", ""}), names{});
}

TEST_F(ViewStoreTest, transfers_filter_by_state_area_and_agency_and_page) {
  const auto s = subject();
  transfer("A", s, 0, "E1", "E2");
  transfer("B", s, 1, "E2", "E3");
  transfer("C", s, 2, "E3", "E1");
  ASSERT_TRUE(*st_->complete_transfer("B", at(5)));
  part("A", "school-1");
  part("B", "health-2", "csc-3");
  EXPECT_EQ(transfers({}), (names{"C", "B", "A"}));
  EXPECT_EQ(transfers({transfer_state::open, "", "", "", ""}), (names{"C", "A"}));
  EXPECT_EQ(transfers({transfer_state::complete, "", "", "", ""}), (names{"B"}));
  EXPECT_EQ(transfers({std::nullopt, "", "E1", "", ""}), (names{"C", "A"}));
  EXPECT_EQ(transfers({std::nullopt, "", "", "school-1", ""}), (names{"A"})) << "owes a part";
  EXPECT_EQ(transfers({std::nullopt, "", "", "csc-3", ""}), (names{"B"})) << "a part went to it";
  EXPECT_EQ(transfers({std::nullopt, "", "", "csc-1", "E1"}), (names{"C"})) << "receiving side";
  EXPECT_EQ(transfers({std::nullopt, "", "", "nobody", ""}), names{});
  EXPECT_EQ(transfers({transfer_state::open, "", "E2", "school-1", ""}), (names{"A"}));
  EXPECT_EQ(transfers({}, {1, 1}), (names{"B"}));
  EXPECT_EQ(transfers({}, {5, 3}), names{});
}

TEST_F(ViewStoreTest, messages_link_to_subjects_and_follow_a_merge) {
  const auto a = subject();
  const auto b = subject();
  EXPECT_FALSE(st_->latest_message_about(a)->has_value());
  const auto m1 = message("m1", "school-1", {"csc-1"});
  const auto m2 = message("m2", "health-1", {"csc-1"});
  const auto m3 = message("m3", "health-1", {"csc-1"});
  ASSERT_TRUE(st_->link_message(a, m1));
  ASSERT_TRUE(st_->link_message(b, m2));
  ASSERT_TRUE(st_->link_message(a, m1)) << "linking again changes nothing";
  auto latest = st_->latest_message_about(a);
  ASSERT_TRUE(latest && latest->has_value());
  EXPECT_EQ((*latest)->message_id, "m1");
  EXPECT_EQ((*latest)->envelope, "envelope of m1");
  EXPECT_EQ((*latest)->recipients, (names{"csc-1"}));
  ASSERT_TRUE(st_->merge_subjects(a, b));
  EXPECT_EQ((*st_->latest_message_about(a))->message_id, "m2");
  ASSERT_TRUE(st_->link_message(a, m3));
  EXPECT_EQ((*st_->latest_message_about(a))->message_id, "m3");
  EXPECT_FALSE(st_->link_message(a, 999)) << "no such message";
  const auto m4 = message("m4", "health-1", {"csc-1"});
  EXPECT_FALSE(st_->link_message(999, m4)) << "no such subject";
}

TEST_F(ViewStoreTest, a_link_rolls_back_with_its_transaction) {
  const auto a = subject();
  const auto m1 = message("m1", "school-1", {"csc-1"});
  ASSERT_TRUE(st_->begin());
  ASSERT_TRUE(st_->link_message(a, m1));
  st_->rollback();
  EXPECT_FALSE(st_->latest_message_about(a)->has_value());
  testing::failing_store fails(*st_);
  fails.full = true;
  EXPECT_EQ(fails.link_message(a, m1).err().code, store_error::full);
  fails.full = false;
  fails.unreadable = true;
  EXPECT_EQ(fails.latest_message_about(a).err().code, store_error::io);
}

TEST_F(ViewStoreTest, audit_entries_by_seq) {
  for (std::uint64_t seq = 1; seq <= 5; ++seq) {
    ASSERT_TRUE(st_->append_audit({seq, 0, "k", "", "{}", "p", "h" + std::to_string(seq)}));
  }
  auto after = st_->audit_after(2, 2);
  ASSERT_TRUE(after);
  ASSERT_EQ(after->size(), 2u);
  EXPECT_EQ((*after)[0].seq, 3u);
  EXPECT_EQ((*after)[1].seq, 4u);
  EXPECT_EQ(st_->audit_after(5, 10)->size(), 0u);
  EXPECT_EQ(st_->audit_after(0, 10)->size(), 5u);
}

TEST_F(ViewStoreTest, front_page_counts) {
  const auto s = subject();
  ASSERT_TRUE(st_->map_key("sk_north", s));
  ASSERT_TRUE(st_->set_subject_area(s, "E1", t0));
  transfer("A", s, 0);
  transfer("B", s, 1);
  ASSERT_TRUE(*st_->complete_transfer("B", t0));
  const auto late = obligation("r1", "school-1", 100);
  ASSERT_TRUE(*st_->close_obligation(late, obligation_state::overdue, at(200)));
  const auto warned = obligation("r2", "csc-b", 10'000);
  ASSERT_TRUE(st_->mark_warned(warned));
  const auto passed = obligation("r3", "csc-b", 100);
  ASSERT_TRUE(st_->mark_warned(passed));  // warned, but its time is up: not "due soon"
  obligation("r4", "csc-b", 10'000);      // not warned yet
  flag("f1", "INCOMPLETE", "school-1", late, 100, "sk_north");
  flag("f2", "DUE_SOON", "csc-b", warned, 10'000, "sk_north");
  flag("f3", "DATA_QUALITY", "", std::nullopt, std::nullopt, "sk_unknown");
  flag("f4", "INCOMPLETE", "x", std::nullopt, std::nullopt, "sk_north");
  ASSERT_TRUE(*st_->clear_flag(4, t0));
  auto c = st_->count_ledger(at(1000));
  ASSERT_TRUE(c) << c.message();
  EXPECT_EQ(c->open_transfers, 1u);
  EXPECT_EQ(c->overdue_obligations, 1u);
  EXPECT_EQ(c->due_soon_obligations, 1u);
  EXPECT_EQ(c->raised_flags_by_type,
            (std::map<std::string, std::uint64_t>{{"DATA_QUALITY", 1}, {"DUE_SOON", 1},
                                                  {"INCOMPLETE", 1}}));
  EXPECT_EQ(c->raised_flags_by_area,
            (std::map<std::string, std::uint64_t>{{"", 1}, {"E1", 2}}));
}

TEST_F(ViewStoreTest, oldest_overdue_lists_each_late_thing_once_oldest_first) {
  const auto o1 = obligation("r1", "school-1", 300, R"({"transfer_id":"T-1"})");
  const auto o2 = obligation("r2", "health-1", 100);
  obligation("r3", "csc-1", 50);  // open: its tick has not come yet
  ASSERT_TRUE(*st_->close_obligation(o1, obligation_state::overdue, at(400)));
  ASSERT_TRUE(*st_->close_obligation(o2, obligation_state::overdue, at(400)));
  const auto f1 = flag("f1", "INCOMPLETE", "school-1", o1, 300);
  flag("f2", "CONCERNS_NOT_ADDRESSED", "csc-1", std::nullopt, 200);
  flag("f3", "HIGH_RISK_MISSING", "", std::nullopt, std::nullopt);  // no due time: not late
  flag("f4", "NO_FEEDBACK", "csc-1", std::nullopt, 5'000);          // due later
  auto items = st_->oldest_overdue(at(1000), 10);
  ASSERT_TRUE(items) << items.message();
  ASSERT_EQ(items->size(), 3u);
  EXPECT_EQ((*items)[0].obligation_id, o2);
  EXPECT_FALSE((*items)[0].flag_id.has_value()) << "no flag raised about it";
  EXPECT_EQ((*items)[1].flag_type, "CONCERNS_NOT_ADDRESSED");
  EXPECT_FALSE((*items)[1].obligation_id.has_value());
  EXPECT_EQ((*items)[1].owed_by, "csc-1");
  EXPECT_EQ((*items)[2].obligation_id, o1);
  EXPECT_EQ((*items)[2].flag_id, f1) << "the obligation with its flag, listed once";
  EXPECT_EQ((*items)[2].kind, "transfer_part");
  EXPECT_EQ((*items)[2].data, R"({"transfer_id":"T-1"})");
  EXPECT_EQ((*items)[2].due_at, at(300));
  EXPECT_EQ(st_->oldest_overdue(at(1000), 1)->size(), 1u);
}

TEST_F(ViewStoreTest, agency_activity_counts_and_nearest_rank_latencies) {
  for (int i = 1; i <= 10; ++i) {
    const std::string id = "m" + std::to_string(i);
    message(id, "school-1", {"csc-1"}, 0);
    auto acked = st_->record_ack(id, "csc-1", at(1000 * i), "ack");
    ASSERT_TRUE(acked);
    EXPECT_EQ(acked->received_at, at(0)) << "what ack latency is measured from";
  }
  message("m11", "school-1", {"csc-1", "police-1"}, 0);
  const auto late = obligation("r1", "csc-1", 0);
  ASSERT_TRUE(*st_->close_obligation(late, obligation_state::overdue, at(1)));
  flag("f1", "INCOMPLETE", "csc-1", late, 0);                         // the overdue one's flag
  flag("f2", "DUE_SOON", "csc-1", obligation("r2", "csc-1", 99), 99);  // only a warning
  flag("f3", "CONCERNS_NOT_ADDRESSED", "csc-1");                      // late on its own
  auto a = st_->activity_of("csc-1");
  ASSERT_TRUE(a) << a.message();
  EXPECT_EQ(a->sent, 0u);
  EXPECT_EQ(a->received, 11u);
  EXPECT_EQ(a->acknowledged, 10u);
  EXPECT_EQ(a->pending, 1u);
  EXPECT_EQ(a->overdue, 2u);
  EXPECT_EQ(a->ack_median_seconds, 5.0);
  EXPECT_EQ(a->ack_p90_seconds, 9.0);
  auto school = st_->activity_of("school-1");
  EXPECT_EQ(school->sent, 11u);
  EXPECT_EQ(school->received, 0u);
  EXPECT_FALSE(school->ack_median_seconds.has_value());
  auto one = st_->activity_of("police-1");
  EXPECT_EQ(one->pending, 1u);
  EXPECT_FALSE(one->ack_p90_seconds.has_value());
}

TEST_F(ViewStoreTest, one_acknowledgement_is_its_own_median_and_90th_percentile) {
  message("m1", "school-1", {"csc-1"}, 0);
  ASSERT_TRUE(st_->record_ack("m1", "csc-1", at(2500), "ack"));
  auto a = st_->activity_of("csc-1");
  EXPECT_EQ(a->ack_median_seconds, 2.5);
  EXPECT_EQ(a->ack_p90_seconds, 2.5);
}

// A database written before the operator views (schema version 4) gains them on open, and its
// subjects and messages are kept.
TEST_F(ViewStoreTest, VersionFourDatabaseMigrates) {
  const auto s = subject();
  const auto m1 = message("m1", "school-1", {"csc-1"});
  st_.reset();
  const std::string path = (dir_ / "mab.db").string();
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw,
                         "DROP TABLE subject_messages; DROP INDEX messages_sender; "
                         "DROP INDEX obligations_owed_by; DROP INDEX flags_type; "
                         "DROP INDEX flags_owed_by; DROP INDEX audit_log_seq; "
                         "PRAGMA user_version = 4",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  reopen();
  ASSERT_TRUE(st_->link_message(s, m1));
  EXPECT_EQ((*st_->latest_message_about(s))->message_id, "m1");
  EXPECT_TRUE(st_->activity_of("school-1"));
}

}  // namespace
}  // namespace mab::store

// Transfers in the ledger: who owes a part (policy and history), how parts progress piece by
// piece, INCOMPLETE when one is missed, completion, and moves noticed without a notice.
#include <algorithm>

#include "tests/ledger/fixture.h"

namespace mab::ledger {
namespace {

class transfers_test : public ledger_test {
 protected:
  mab::v1::Notification about(const std::string& id, const std::string& sender,
                              const std::string& area) {
    mab::v1::Notification n;
    n.set_message_id(id);
    n.set_sender(sender);
    n.mutable_subject()->set_area(area);
    if (sender != "health-a") n.mutable_subject()->set_upn("P207000016049");
    if (sender != "school-a") n.mutable_subject()->set_nhs_number("9434765919");
    n.mutable_attendance_concern();
    return n;
  }
  void history() {
    accept(about("h1", "school-a", "E1"), {"csc-a"});
    accept(about("h2", "health-a", "E1"), {"csc-a"});
  }
  void notice() {
    auto n = about("t1", "csc-a", "E2");
    auto* t = n.mutable_transfer_notice();
    t->set_transfer_id("T");
    t->set_from_area("E1");
    t->set_to_area("E2");
    accept(n, {"csc-b"});
  }
  effects part(const std::string& id, const std::string& sender, std::uint32_t seq,
               std::uint32_t total) {
    auto n = about(id, sender, "E2");
    auto* p = n.mutable_record_part();
    p->set_transfer_id("T");
    p->set_kind(mab::v1::RecordPart::CASE_SUMMARY);
    p->set_sequence(seq);
    p->set_total(total);
    return accept(n, {"csc-b"});
  }
  std::vector<std::string> owing() {
    std::vector<std::string> out;
    const auto parts = st->parts("T");  // keep the result alive while iterating
    for (const auto& p : *parts) out.push_back(p.owed_by + ":" + p.kind);
    std::sort(out.begin(), out.end());
    return out;
  }
  store::part_record part_of(const std::string& agency) {
    const auto parts = st->parts("T");
    for (const auto& p : *parts) {
      if (p.owed_by == agency) return p;
    }
    ADD_FAILURE() << "no part for " << agency;
    return {};
  }
};

TEST_F(transfers_test, every_agency_involved_in_the_old_area_owes_a_part) {
  history();
  notice();
  // health by policy (HEALTH_RECORD), the school and the front door by history.
  EXPECT_EQ(owing(), (std::vector<std::string>{"csc-a:ANY", "health-a:HEALTH_RECORD",
                                               "school-a:ANY"}));
  EXPECT_NE(part_of("school-a").why.find("history"), std::string::npos);
  const auto t = st->find_transfer("T");
  ASSERT_TRUE(t && t->has_value());
  EXPECT_EQ((*t)->subject_key.rfind("sk_", 0), 0u);
}

TEST_F(transfers_test, a_missed_part_is_incomplete_naming_the_agency_to_both_front_doors) {
  history();
  notice();
  part("p1", "school-a", 1, 1);
  clk.advance(25h);
  auto fx = tick();
  std::vector<std::string> late;
  for (const auto& f : fx.raised) {
    if (f.flag_type != "INCOMPLETE") continue;
    late.push_back(f.owed_by);
    EXPECT_TRUE(std::count(f.recipients.begin(), f.recipients.end(), "csc-a"));
    EXPECT_TRUE(std::count(f.recipients.begin(), f.recipients.end(), "csc-b"));
  }
  std::sort(late.begin(), late.end());
  EXPECT_EQ(late, (std::vector<std::string>{"csc-a", "health-a"}));
}

TEST_F(transfers_test, parts_progress_piece_by_piece_and_the_transfer_completes) {
  history();
  notice();
  part("p1", "school-a", 1, 2);
  EXPECT_EQ(part_of("school-a").state, "sent");
  part("p2", "school-a", 2, 2);
  ASSERT_TRUE(l->on_delivered("p1", "csc-b", clk.now()));
  EXPECT_EQ(part_of("school-a").state, "delivered");
  ASSERT_TRUE(l->on_acked("p1", "csc-b", clk.now()));
  EXPECT_EQ(part_of("school-a").state, "delivered") << "one piece of two is not the part";
  ASSERT_TRUE(l->on_acked("p2", "csc-b", clk.now()));
  EXPECT_EQ(part_of("school-a").state, "acknowledged");
  EXPECT_EQ((*st->find_transfer("T"))->state, store::transfer_state::open);
  for (const auto& [id, who] : {std::pair{"p3", "health-a"}, std::pair{"p4", "csc-a"}}) {
    auto n = about(id, who, "E2");
    auto* p = n.mutable_record_part();
    p->set_transfer_id("T");
    p->set_kind(std::string(who) == "health-a" ? mab::v1::RecordPart::HEALTH_RECORD
                                               : mab::v1::RecordPart::CASE_SUMMARY);
    p->set_total(1);
    accept(n, {"csc-b"});
    ASSERT_TRUE(l->on_acked(id, "csc-b", clk.now()));
  }
  EXPECT_EQ((*st->find_transfer("T"))->state, store::transfer_state::complete);
}

TEST_F(transfers_test, a_late_part_clears_incomplete) {
  history();
  notice();
  clk.advance(25h);
  tick();
  auto fx = part("p1", "school-a", 1, 1);
  ASSERT_EQ(fx.cleared.size(), 1u);
  EXPECT_EQ(fx.cleared[0].flag_type, "INCOMPLETE");
  EXPECT_EQ(fx.cleared[0].owed_by, "school-a");
}

TEST_F(transfers_test, a_housing_move_opens_a_transfer_by_itself) {
  history();
  auto move = about("m1", "housing-b", "E2");
  move.mutable_housing_change()->set_new_area("E2");
  accept(move, {"csc-b"});
  const auto ts = st->list_transfers(std::nullopt, 10);
  ASSERT_EQ(ts->size(), 1u);
  EXPECT_EQ((*ts)[0].reason, "area_change");
  EXPECT_EQ((*ts)[0].from_area, "E1");
  EXPECT_EQ((*ts)[0].to_area, "E2");
}

TEST_F(transfers_test, a_housing_move_of_a_child_never_seen_uses_the_previous_area_housing_gives) {
  auto move = about("m1", "housing-b", "E2");
  move.mutable_housing_change()->set_kind(mab::v1::HousingChange::MOVE);
  move.mutable_housing_change()->set_previous_area("E1");
  move.mutable_housing_change()->set_new_area("E2");
  accept(move, {"csc-b"});
  const auto ts = st->list_transfers(std::nullopt, 10);
  ASSERT_EQ(ts->size(), 1u);
  EXPECT_EQ((*ts)[0].from_area, "E1");
  EXPECT_EQ((*ts)[0].to_area, "E2");
  // A move within one area is not a transfer.
  auto local = about("m2", "housing-b", "E2");
  local.mutable_subject()->set_upn("A801200005001");
  local.mutable_subject()->clear_nhs_number();
  local.mutable_housing_change()->set_kind(mab::v1::HousingChange::MOVE);
  local.mutable_housing_change()->set_previous_area("E2");
  local.mutable_housing_change()->set_new_area("E2");
  accept(local, {"csc-b"});
  EXPECT_EQ(st->list_transfers(std::nullopt, 10)->size(), 1u);
}

TEST_F(transfers_test, an_old_area_agency_writing_the_old_area_is_not_a_move) {
  history();
  notice();
  accept(about("late", "school-a", "E1"), {"csc-a"});
  EXPECT_EQ(st->list_transfers(std::nullopt, 10)->size(), 1u);
}

TEST_F(transfers_test, conflicting_date_of_birth_is_a_data_quality_flag) {
  auto a = about("d1", "school-a", "E1");
  a.mutable_subject()->set_date_of_birth("2015-05-17");
  accept(a, {"csc-a"});
  auto b = about("d2", "police-a", "E1");
  b.mutable_subject()->set_date_of_birth("2015-07-15");
  auto fx = accept(b, {"csc-a"});
  ASSERT_EQ(fx.raised.size(), 1u);
  EXPECT_EQ(fx.raised[0].flag_type, "DATA_QUALITY");
  EXPECT_EQ(fx.raised[0].detail.find("2015"), std::string::npos) << "values never leave";
}

}  // namespace
}  // namespace mab::ledger

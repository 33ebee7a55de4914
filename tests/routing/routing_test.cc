#include "daemon/routing/routing.h"

#include <gtest/gtest.h>

#include "tests/fakes/test_config.h"

namespace mab::routing {
namespace {

using testing::test_config;

config::config make() {
  return test_config()
      .agency("school-a", "school", "E1", {"attendance_concern", "referral"})
      .agency("csc-a", "csc", "E1", {"referral_outcome"})
      .agency("mash-a", "mash", "E1", {})
      .agency("csc-b", "csc", "E2", {})
      .agency("police-a", "police", "E1", {})
      .routes(R"(
[[route]]
bodies = ["attendance_concern"]
to_kinds = ["csc", "mash"]

[[route]]
bodies = ["referral"]
areas = ["E1"]
to = ["police-a"]
to_kinds = ["csc"]
allow_explicit = true

[[route]]
bodies = ["referral_outcome"]
allow_explicit = true
)")
      .build();
}

mab::v1::Notification note(const std::string& area) {
  mab::v1::Notification n;
  n.mutable_subject()->set_area(area);
  n.mutable_attendance_concern();
  return n;
}

std::vector<std::string> recipients(const outcome& o) {
  if (auto* r = std::get_if<validate::rejection>(&o)) {
    ADD_FAILURE() << "rejected: " << r->detail;
    return {};
  }
  return std::get<std::vector<std::string>>(o);
}

TEST(routing, routes_by_kind_to_agencies_of_that_kind_in_the_subjects_area) {
  auto cfg = make();
  EXPECT_EQ(recipients(route(cfg, *cfg.find_agency("school-a"), note("E1"))),
            (std::vector<std::string>{"csc-a", "mash-a"}));
  EXPECT_EQ(recipients(route(cfg, *cfg.find_agency("school-a"), note("E2"))),
            (std::vector<std::string>{"csc-b"}));
}

TEST(routing, subject_without_area_uses_the_senders_area) {
  auto cfg = make();
  EXPECT_EQ(recipients(route(cfg, *cfg.find_agency("school-a"), note(""))),
            (std::vector<std::string>{"csc-a", "mash-a"}));
}

TEST(routing, body_kind_not_in_may_send_is_refused) {
  auto cfg = make();
  auto o = route(cfg, *cfg.find_agency("csc-a"), note("E1"));
  auto* r = std::get_if<validate::rejection>(&o);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->reason, mab::v1::BODY_KIND_NOT_ALLOWED);
  EXPECT_EQ(r->field, "attendance_concern");
}

TEST(routing, explicit_recipients_only_where_a_rule_allows) {
  auto cfg = make();
  auto n = note("E1");
  n.add_recipients("police-a");
  auto o = route(cfg, *cfg.find_agency("school-a"), n);
  auto* r = std::get_if<validate::rejection>(&o);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->reason, mab::v1::RECIPIENT_NOT_ALLOWED);
  EXPECT_EQ(r->field, "recipients[0]");

  mab::v1::Notification ref;
  ref.mutable_subject()->set_area("E1");
  ref.mutable_referral();
  ref.add_recipients("csc-b");
  EXPECT_EQ(recipients(route(cfg, *cfg.find_agency("school-a"), ref)),
            (std::vector<std::string>{"csc-a", "csc-b", "police-a"}));
}

TEST(routing, unknown_or_self_explicit_recipient_is_refused) {
  auto cfg = make();
  mab::v1::Notification out;
  out.mutable_referral_outcome();
  out.add_recipients("school-a");
  out.add_recipients("nobody");
  auto o = route(cfg, *cfg.find_agency("csc-a"), out);
  auto* r = std::get_if<validate::rejection>(&o);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->field, "recipients[1]");
  out.set_recipients(1, "csc-a");
  o = route(cfg, *cfg.find_agency("csc-a"), out);
  r = std::get_if<validate::rejection>(&o);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->field, "recipients[1]");
}

TEST(routing, explicit_only_rule_delivers_to_the_named_agency) {
  auto cfg = make();
  mab::v1::Notification out;
  out.mutable_referral_outcome();
  out.add_recipients("school-a");
  EXPECT_EQ(recipients(route(cfg, *cfg.find_agency("csc-a"), out)),
            (std::vector<std::string>{"school-a"}));
}

TEST(routing, nobody_to_deliver_to_is_no_route) {
  auto cfg = make();
  auto o = route(cfg, *cfg.find_agency("school-a"), note("E9"));
  auto* r = std::get_if<validate::rejection>(&o);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->reason, mab::v1::NO_ROUTE);
}

}  // namespace
}  // namespace mab::routing

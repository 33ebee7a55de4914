// One child across agencies: identifiers become pseudonymous keys, keys that arrive together are
// linked into one subject, and facts that agencies disagree on are flagged to the front door
// (Child J's ethnicity was recorded differently by nearly every agency).
#include <algorithm>

#include "daemon/ledger/ledger_impl.h"

namespace mab::ledger {

result<std::uint64_t> ledger::impl::link_subject(const mab::v1::Notification& n, time_point now) {
  const auto keys = subjects::identifier_keys(keyer, n.subject());
  if (keys.empty()) return std::uint64_t{0};
  subjects::key_mapping mapping;
  for (const auto& k : keys) {
    auto s = st.subject_for_key(k);
    if (!s) return s.err();
    mapping.emplace_back(k, *s);
  }
  // plan_link numbers a new subject `next_id`; the store numbers it for real, so ask first.
  const bool any_known = std::any_of(mapping.begin(), mapping.end(),
                                     [](const auto& m) { return m.second.has_value(); });
  std::uint64_t next = 0;
  if (!any_known) {
    auto created = st.new_subject(now);
    if (!created) return created.err();
    next = *created;
  }
  const auto plan = subjects::plan_link(mapping, next);
  for (const auto from : plan.merged_away) {
    if (auto s = st.merge_subjects(plan.subject, from); !s) return s.err();
  }
  for (const auto& k : plan.new_keys) {
    if (auto s = st.map_key(k, plan.subject); !s) return s.err();
  }
  for (const auto& [k, old] : mapping) {
    if (old && *old != plan.subject) {
      if (auto s = st.map_key(k, plan.subject); !s) return s.err();
    }
  }
  return plan.subject;
}

status ledger::impl::check_facts(std::uint64_t subject, const std::string& sk,
                                 const mab::v1::Notification& n, time_point now, effects& fx) {
  auto known = st.facts(subject);
  if (!known) return known.err();
  for (const auto& f : subjects::fact_keys(keyer, n.subject())) {
    for (const auto& k : *known) {
      if (k.name != f.name || k.value_key == f.value_key || k.agency == n.sender()) continue;
      const auto [a, b] = std::minmax(k.value_key, f.value_key);
      store::flag_record flag;
      flag.flag_type = flag_type::data_quality;
      flag.dedupe_key = "dq/" + std::to_string(subject) + "/" + f.name + "/" + a + "/" + b;
      flag.subject_key = sk;
      flag.recipients = told(area_of(n), {});
      flag.detail = f.name + " differs between " + k.agency + " and " + n.sender() +
                    ": the records disagree about this child; check which is right";
      if (auto s = raise(std::move(flag), now, fx); !s) return s;
      break;
    }
    if (auto s = st.add_fact(subject, {f.name, f.value_key, n.sender(), now}); !s) return s;
  }
  return ok_status();
}

}  // namespace mab::ledger

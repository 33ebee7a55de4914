// What auditors and the operator API read of the audit trail, and the one way to a child's
// identity: a reveal that is itself audited before anything is shown.
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "daemon/broker/broker_impl.h"

namespace mab::broker {

result<audit::report> broker::verify_audit() {
  auto& st = impl_->st;
  std::vector<audit::entry> entries;
  std::uint64_t pos = 0;
  for (;;) {
    auto page = st.audit_entries(pos, 10000, pos);
    if (!page) return page.err();
    if (page->empty()) break;
    for (auto& r : *page) {
      entries.push_back({r.seq, r.at_ms, std::move(r.kind), std::move(r.subject_key),
                         std::move(r.data), std::move(r.prev_hash), std::move(r.hash)});
    }
  }
  auto stored = st.checkpoints();
  if (!stored) return stored.err();
  std::vector<audit::checkpoint> seals;
  for (auto& c : *stored) {
    seals.push_back({c.seq, c.at_ms, std::move(c.head_hash), std::move(c.key_id),
                     std::move(c.signature)});
  }
  return audit::verify(entries, seals, impl_->signer.public_key());
}

result<std::vector<store::audit_record>> broker::audit_entries(std::uint64_t after_seq,
                                                               std::size_t limit) {
  return impl_->st.audit_after(after_seq, limit);
}

result<std::uint64_t> broker::audit_head_seq() {
  auto head = impl_->st.audit_head();
  if (!head) return head.err();
  return head->has_value() ? (*head)->seq : std::uint64_t{0};
}

result<std::optional<broker::subject_identity>> broker::reveal_subject(
    const std::string& subject_key, const std::string& by, const std::string& reason) {
  auto& m = *impl_;
  if (by.empty() || reason.empty()) {
    return make_error("revealing a subject needs who (by) and a reason");
  }
  auto subject = m.st.subject_for_key(subject_key);
  if (!subject) return subject.err();
  if (!subject->has_value()) return std::optional<subject_identity>();
  auto message = m.st.latest_message_about(**subject);
  if (!message) return message.err();
  if (!message->has_value()) return std::optional<subject_identity>();
  const auto& stored = **message;
  mab::v1::SignedEnvelope env;
  mab::v1::Notification n;
  if (!env.ParseFromString(stored.envelope) || !n.ParseFromString(env.notification())) {
    return make_error("the stored notification '" + stored.message_id + "' does not parse");
  }
  subject_identity id;
  id.subject_key = subject_key;
  id.subject = n.subject();
  id.message_id = stored.message_id;
  id.sender = stored.sender;
  id.received_at = stored.received_at;
  // Committed before the caller sees anything: an identity shown is always an identity audited.
  auto s = m.transact([&](mab::error& failure) {
    if (!m.record("subject.revealed", subject_key,
                  nlohmann::json{{"by", by}, {"reason", reason}, {"message_id", stored.message_id}},
                  failure)) {
      return false;
    }
    id.audit_seq = m.chain->last_seq();
    return true;
  });
  if (!s) return s.err();
  spdlog::info("subject {} revealed to '{}' (audit entry {})", subject_key, by, id.audit_seq);
  return std::optional<subject_identity>(std::move(id));
}

}  // namespace mab::broker

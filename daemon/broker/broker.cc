#include "daemon/broker/broker.h"

#include <algorithm>
#include <chrono>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "daemon/broker/broker_impl.h"

namespace mab::broker {

broker::broker(const config::config& cfg, store::store& st, const clock& clk,
               const crypto::signer& signer, const subjects::keyer& keyer,
               const calendar::calendar& cal)
    : impl_(std::make_unique<impl>(cfg, st, clk, signer, keyer, cal)) {}

broker::~broker() = default;

histogram::histogram(std::vector<double> upper_bounds)
    : bounds(std::move(upper_bounds)), buckets(bounds.size() + 1, 0) {}

void histogram::observe(double value) {
  const auto it = std::lower_bound(bounds.begin(), bounds.end(), value);
  ++buckets[static_cast<std::size_t>(it - bounds.begin())];
  sum += value;
  ++count;
}

status broker::impl::commit_timed() {
  const auto start = std::chrono::steady_clock::now();
  auto s = st.commit();
  if (s) {
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    counters.store_commit_seconds.observe(took.count());
  }
  return s;
}

void broker::impl::send_receipt(const std::string& peer, std::string_view command,
                                mab::v1::Receipt receipt) {
  auto sealed = wire::seal(signer, wire::sealed_type::receipt, receipt);
  out.push_back({peer, wire::make_frames(command, wire::serialize(sealed))});
}

void broker::impl::reply_error(const std::string& peer, std::string_view command,
                               mab::v1::ReasonCode code, std::string field, std::string detail) {
  mab::v1::Receipt r;
  r.set_status(mab::v1::Receipt::REJECTED);
  r.set_reason(code);
  r.set_field(std::move(field));
  r.set_detail(std::move(detail));
  *r.mutable_received_at() = wire::to_timestamp(clk.now());
  ++counters.rejected;
  ++counters.rejected_by_reason[mab::v1::ReasonCode_Name(code)];
  send_receipt(peer, command, std::move(r));
}

void broker::on_message(const std::string& peer, const std::string& agency,
                        wire::frames frames) {
  auto& m = *impl_;
  if (frames.size() < 2) {
    m.reply_error(peer, wire::cmd::error, mab::v1::MALFORMED_FRAME, "frames",
                  "expected [MAB1, command, payload...]; got " + std::to_string(frames.size()) +
                      " frame(s)");
    return;
  }
  if (frames[0] != wire::protocol_tag) {
    m.reply_error(peer, wire::cmd::error, mab::v1::UNSUPPORTED_PROTOCOL, "frames[0]",
                  "protocol tag must be MAB1");
    return;
  }
  const std::string& command = frames[1];
  const auto expect = [&](std::size_t n, std::string_view reply_cmd) {
    if (frames.size() == n) return true;
    m.reply_error(peer, reply_cmd, mab::v1::MALFORMED_FRAME, "frames",
                  command + " takes " + std::to_string(n) + " frames; got " +
                      std::to_string(frames.size()));
    return false;
  };
  if (command == wire::cmd::submit) {
    if (expect(3, wire::cmd::receipt)) m.on_submit(peer, agency, std::move(frames[2]));
  } else if (command == wire::cmd::ready) {
    if (frames.size() == 2 || frames.size() == 3) {
      m.on_ready(peer, agency);
    } else {
      expect(2, wire::cmd::error);
    }
  } else if (command == wire::cmd::ack) {
    if (expect(3, wire::cmd::error)) m.on_ack(peer, agency, frames[2]);
  } else if (command == wire::cmd::refuse) {
    if (expect(3, wire::cmd::error)) m.on_refuse(peer, agency, frames[2]);
  } else if (command == wire::cmd::notice_ack) {
    if (!expect(3, wire::cmd::error)) return;
    try {
      std::size_t used = 0;
      const auto id = std::stoull(frames[2], &used);
      if (used != frames[2].size()) throw std::invalid_argument("trailing");
      m.notice_acks.push_back({agency, id});
    } catch (const std::exception&) {
      m.reply_error(peer, wire::cmd::error, mab::v1::MALFORMED_FRAME, "frames[2]",
                    "NOTICE_ACK takes a decimal notice id");
    }
  } else if (command == wire::cmd::ping) {
    if (frames.size() > 3) {
      expect(3, wire::cmd::error);
      return;
    }
    // A ping from a receiver is also its heartbeat.
    auto it = m.receivers.find(agency);
    if (it != m.receivers.end()) {
      for (auto& r : it->second) {
        if (r.peer == peer) r.last_seen = m.clk.now();
      }
    }
    m.out.push_back({peer, wire::make_frames(wire::cmd::pong,
                                             frames.size() == 3 ? frames[2] : std::string())});
  } else {
    m.reply_error(peer, wire::cmd::error, mab::v1::UNKNOWN_COMMAND, "frames[1]",
                  "unknown command '" + command.substr(0, 32) + "'");
  }
}

void broker::run_cycle() {
  auto& m = *impl_;
  m.expire_receivers(m.clk.now());
  const bool work = !m.submits.empty() || !m.acks.empty() || !m.refusals.empty() ||
                    !m.notice_acks.empty() || !m.receivers.empty() ||
                    m.clk.now() >= m.next_ledger_tick;
  if (!work) return;

  // Replies wait in `held` until the commit: nothing is promised before it is durable.
  std::vector<outgoing> before = std::move(m.out);
  m.out.clear();
  std::vector<std::pair<std::string, mab::v1::Receipt>> receipts;
  mab::error failure;
  bool ok = static_cast<bool>(m.st.begin());
  if (!ok) failure = mab::error{"could not begin a store transaction", 0};
  ok = ok && m.apply_submits(receipts, failure);
  ok = ok && m.apply_answers(failure);
  ok = ok && m.ledger_tick(failure);
  ok = ok && m.send_due_flags(failure);
  ok = ok && m.deliver_due(failure);
  ok = ok && m.maybe_checkpoint(false, failure);
  if (ok) {
    auto committed = m.commit_timed();
    if (!committed) {
      ok = false;
      failure = committed.err();
    }
  }
  if (ok) {
    m.after_commit();
    ++m.counters.commits;
    for (auto& [peer, receipt] : receipts) m.send_receipt(peer, wire::cmd::receipt, receipt);
    before.insert(before.end(), std::make_move_iterator(m.out.begin()),
                  std::make_move_iterator(m.out.end()));
    m.out = std::move(before);
    m.clear_pending();
    return;
  }

  m.st.rollback();
  m.after_rollback();
  m.out = std::move(before);
  const bool full = failure.code == store::store_error::full;
  spdlog::error("store transaction failed ({}): {}; refusing {} submission(s)",
                full ? "store full" : "store error", failure.message, m.submits.size());
  for (auto& s : m.submits) {
    s.receipt.set_status(mab::v1::Receipt::REJECTED);
    s.receipt.set_reason(full ? mab::v1::STORE_FULL : mab::v1::STORE_ERROR);
    s.receipt.set_detail(full ? "the broker's store is full; nothing was stored; retry later"
                              : "the broker could not store the message; retry later");
    ++m.counters.rejected;
    ++m.counters.rejected_by_reason[mab::v1::ReasonCode_Name(s.receipt.reason())];
    m.send_receipt(s.peer, wire::cmd::receipt, s.receipt);
  }
  // Deliveries marked in the failed transaction are retried from the store later; answers
  // (acks, refusals) are not recorded, so the deliveries they answer come round again.
  m.in_flight.clear();
  m.clear_pending();
}

std::vector<outgoing> broker::take_outgoing() {
  std::vector<outgoing> out;
  out.swap(impl_->out);
  return out;
}

result<std::vector<dead_letter_view>> broker::dead_letters(std::size_t limit) {
  auto rows = impl_->st.dead_letters(limit);
  if (!rows) return rows.err();
  std::vector<dead_letter_view> out;
  for (const auto& d : *rows) {
    out.push_back({d.delivery_id, d.message_id, d.sender, d.recipient, d.refusals,
                   d.last_refusal_reason});
  }
  return out;
}

status broker::impl::transact(const std::function<bool(mab::error&)>& body) {
  if (auto s = st.begin(); !s) return s;
  mab::error failure;
  if (!body(failure)) {
    st.rollback();
    after_rollback();
    return failure;
  }
  if (auto c = commit_timed(); !c) {
    after_rollback();
    return c;
  }
  after_commit();
  return ok_status();
}

result<bool> broker::replay_dead_letter(std::uint64_t delivery_id) {
  auto& m = *impl_;
  bool replayed = false;
  auto s = m.transact([&](mab::error& failure) {
    auto r = m.st.replay_dead_letter(delivery_id, m.clk.now());
    if (!r) {
      failure = r.err();
      return false;
    }
    replayed = *r;
    return !replayed ||
           m.record("delivery.replayed", "",
                    nlohmann::json{{"delivery_id", delivery_id}, {"by", "operator"}}, failure);
  });
  if (!s) return s.err();
  if (replayed) spdlog::info("dead letter {} replayed by an operator", delivery_id);
  return replayed;
}

status broker::seal_audit() {
  auto& m = *impl_;
  if (m.unsealed == 0) return ok_status();
  return m.transact([&](mab::error& failure) { return m.maybe_checkpoint(true, failure); });
}

void broker::on_peer_gone(const std::string& peer) {
  auto& m = *impl_;
  auto it = m.peer_agency.find(peer);
  if (it == m.peer_agency.end()) return;
  const std::string agency = it->second;
  m.peer_agency.erase(it);
  auto& list = m.receivers[agency];
  std::erase_if(list, [&](const receiver& r) { return r.peer == peer; });
  if (list.empty()) {
    m.receivers.erase(agency);
    m.in_flight.erase(agency);
    spdlog::info("agency '{}' has no receiver online", agency);
  }
}

const stats& broker::counters() const { return impl_->counters; }

std::size_t broker::online_receivers() const {
  std::size_t n = 0;
  for (const auto& [agency, list] : impl_->receivers) n += list.size();
  return n;
}

}  // namespace mab::broker

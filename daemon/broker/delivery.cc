// Deliveries and notices to receivers that are online. The store is the queue: a delivery is
// handed out oldest first, marked with its next retry time, and handed out again at that time
// unless it was answered. Memory holds only who is online and what is in flight, so it does
// not grow with the backlog.
#include <algorithm>
#include <cmath>

#include <spdlog/spdlog.h>

#include "daemon/broker/broker_impl.h"

namespace mab::broker {

std::chrono::milliseconds broker::impl::backoff(std::uint32_t attempts) const {
  const double exponent = attempts == 0 ? 0.0 : static_cast<double>(attempts - 1);
  const double seconds = std::min(cfg.broker.retry_max_seconds,
                                  cfg.broker.retry_initial_seconds * std::pow(2.0, std::min(exponent, 30.0)));
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0));
}

void broker::impl::forget_in_flight(const std::string& agency, std::uint64_t delivery_id) {
  auto it = in_flight.find(agency);
  if (it != in_flight.end()) it->second.erase(delivery_id);
}

void broker::impl::on_ready(const std::string& peer, const std::string& agency) {
  auto& list = receivers[agency];
  const auto now = clk.now();
  for (auto& r : list) {
    if (r.peer == peer) {
      r.last_seen = now;
      return;
    }
  }
  if (list.empty()) {
    // Back online: whatever was in flight to a lost connection is due again now, rather
    // than at its backoff time.
    rescheduled.insert(agency);
    in_flight.erase(agency);
    spdlog::info("agency '{}' is online", agency);
  }
  list.push_back({peer, now});
  peer_agency[peer] = agency;
}

void broker::impl::expire_receivers(time_point now) {
  const auto timeout = std::chrono::milliseconds(
      static_cast<std::int64_t>(cfg.broker.consumer_timeout_seconds * 1000.0));
  std::vector<std::string> gone;
  for (const auto& [agency, list] : receivers) {
    for (const auto& r : list) {
      if (now - r.last_seen > timeout) gone.push_back(r.peer);
    }
  }
  for (const auto& peer : gone) {
    spdlog::info("receiver of '{}' silent for {}s; treating it as offline",
                 peer_agency.count(peer) ? peer_agency[peer] : std::string("?"),
                 cfg.broker.consumer_timeout_seconds);
    auto it = peer_agency.find(peer);
    if (it == peer_agency.end()) continue;
    const std::string agency = it->second;
    peer_agency.erase(it);
    auto& list = receivers[agency];
    std::erase_if(list, [&](const receiver& r) { return r.peer == peer; });
    if (list.empty()) {
      receivers.erase(agency);
      in_flight.erase(agency);
    }
  }
}

const mab::v1::Sealed& broker::impl::attestation_for(const std::string& key_id) {
  auto it = attestations.find(key_id);
  if (it != attestations.end()) return it->second;
  mab::v1::KeyAttestation a;
  const config::signing_key* key = nullptr;
  if (key_id == signer.key_id()) {
    // Flags come from the broker itself.
    a.set_agency(config::broker_agency_id);
    a.set_key_id(signer.key_id());
    a.set_public_key(signer.public_key());
  } else if (const auto* owner = cfg.agency_for_key(key_id, &key)) {
    a.set_agency(owner->id);
    a.set_key_id(key->key_id);
    a.set_public_key(key->public_key);
  }
  return attestations.emplace(key_id, wire::seal(signer, wire::sealed_type::key_attestation, a))
      .first->second;
}

bool broker::impl::deliver_due(mab::error& failure) {
  const auto now = clk.now();
  const std::size_t window = cfg.broker.delivery_window;
  for (auto& [agency, list] : receivers) {
    if (list.empty()) continue;
    if (rescheduled.count(agency) > 0) {
      if (auto r = st.reschedule_pending(agency, now); !r) {
        failure = r.err();
        return false;
      }
    }
    auto& flight = in_flight[agency];
    std::erase_if(flight, [&](const auto& entry) { return entry.second <= now; });
    auto& turn = next_receiver[agency];
    if (flight.size() < window) {
      auto due = st.due_deliveries(agency, now, window);
      if (!due) {
        failure = due.err();
        return false;
      }
      for (const auto& row : *due) {
        if (flight.size() >= window) break;
        mab::v1::Delivery d;
        d.set_delivery_id(row.delivery_id);
        d.set_attempt(row.attempts + 1);
        d.set_store_seq(row.seq);
        if (!d.mutable_envelope()->ParseFromString(row.envelope)) {
          spdlog::error("stored envelope of delivery {} does not parse", row.delivery_id);
        }
        *d.mutable_sender_key() = attestation_for(d.envelope().key_id());
        const auto next = now + backoff(row.attempts + 1);
        if (auto m = st.mark_attempted(row.delivery_id, next); !m) {
          failure = m.err();
          return false;
        }
        flight[row.delivery_id] = next;
        if (row.attempts == 0) {
          auto fx = ledger.on_delivered(row.message_id, agency, now);
          if (!fx) {
            failure = fx.err();
            return false;
          }
          if (!apply_effects(std::move(*fx), failure)) return false;
        }
        const auto& to = list[turn++ % list.size()];
        out.push_back({to.peer, wire::make_frames(wire::cmd::deliver, wire::serialize(d))});
        ++counters.deliveries_sent;
        if (row.attempts > 0) ++counters.redeliveries;
      }
    }
    auto notices = st.due_notices(agency, now, window);
    if (!notices) {
      failure = notices.err();
      return false;
    }
    for (const auto& n : *notices) {
      mab::v1::Notice notice;
      notice.set_notice_id(n.notice_id);
      if (!notice.mutable_notice()->ParseFromString(n.payload)) continue;
      if (auto m = st.mark_notice_attempted(n.notice_id, now + backoff(n.attempts + 1)); !m) {
        failure = m.err();
        return false;
      }
      const auto& to = list[turn++ % list.size()];
      out.push_back({to.peer, wire::make_frames(wire::cmd::notice, wire::serialize(notice))});
    }
  }
  rescheduled.clear();
  return true;
}

}  // namespace mab::broker

// The broker's core: turns frames from authenticated peers into receipts, deliveries and
// notices, with everything durable before it is promised. It knows nothing of ZeroMQ sockets:
// the transport hands it frames with the peer's routing id and authenticated agency, calls
// run_cycle(), and sends what take_outgoing() returns. That keeps every rule testable in-process
// with a fake clock.
//
// Threading: one broker is driven from one thread (the event loop).
//
// A cycle: every SUBMIT/ACK/REFUSE/NOTICE_ACK gathered since the last cycle, plus the deliveries
// and notices now due to online receivers, is applied in ONE store transaction (one fsync: group
// commit). Receipts leave only after that commit succeeds; if it fails, every submit in the
// cycle is REJECTED with STORE_FULL or STORE_ERROR and nothing else is sent.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "daemon/calendar/calendar.h"
#include "daemon/common/clock.h"
#include "daemon/config/config.h"
#include "daemon/crypto/crypto.h"
#include "daemon/store/store.h"
#include "daemon/subjects/subjects.h"
#include "daemon/wire/wire.h"

namespace mab::broker {

struct outgoing {
  std::string peer;     // routing id
  wire::frames frames;  // [tag, command, payload]
};

// Counters for logs now and metrics later. Monotonic since start.
struct stats {
  std::uint64_t accepted = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t rejected = 0;
  std::map<std::string, std::uint64_t> rejected_by_reason;
  std::uint64_t deliveries_sent = 0;
  std::uint64_t redeliveries = 0;
  std::uint64_t acks = 0;
  std::uint64_t refusals = 0;
  std::uint64_t dead_letters = 0;
  std::uint64_t commits = 0;
  std::uint64_t flags_sent = 0;
};

struct dead_letter_view {
  std::uint64_t delivery_id = 0;
  std::string message_id;
  std::string sender;
  std::string recipient;
  std::uint32_t refusals = 0;
  std::string last_reason;
};

class broker {
 public:
  // All references must outlive the broker. `signer` is the broker's own key (receipts,
  // notices, attestations, audit checkpoints); `keyer` makes pseudonymous subject keys.
  broker(const config::config& cfg, store::store& st, const clock& clk,
         const crypto::signer& signer, const subjects::keyer& keyer,
         const calendar::calendar& cal);
  ~broker();

  // One multipart message from `peer`, whose connection authenticated as `agency`.
  void on_message(const std::string& peer, const std::string& agency, wire::frames frames);
  // The transport could not reach `peer` (disconnected): stop delivering to it.
  void on_peer_gone(const std::string& peer);
  // Applies gathered work and due deliveries in one transaction; queues replies.
  void run_cycle();
  std::vector<outgoing> take_outgoing();

  // Seals the audit chain now if anything is unsealed (at shutdown, so the trail's tail is
  // covered by a checkpoint).
  status seal_audit();

  // Operator functions (control socket).
  result<std::vector<dead_letter_view>> dead_letters(std::size_t limit);
  result<bool> replay_dead_letter(std::uint64_t delivery_id);

  // The ledger, for operators.
  result<std::vector<store::obligation_record>> obligations(std::optional<store::obligation_state> state,
                                                            std::size_t limit);
  result<std::vector<store::flag_record>> flags(std::optional<store::flag_state> state,
                                                std::size_t limit);
  // Transfers, newest first; `flag` keeps those with a raised flag of that type; `area` those
  // from or to it.
  result<std::vector<store::transfer_record>> transfers(std::optional<store::transfer_state> state,
                                                        const std::string& flag,
                                                        const std::string& area,
                                                        std::size_t limit);
  struct transfer_view {
    store::transfer_record transfer;
    std::vector<store::part_record> parts;
    std::vector<store::timeline_entry> timeline;
    std::vector<store::flag_record> flags;
  };
  result<std::optional<transfer_view>> transfer(const std::string& transfer_id);

  // An operator acknowledges a flag: who, and a note saying what they did. Audited.
  result<bool> acknowledge_flag(std::uint64_t flag_id, const std::string& by, const std::string& note);

  const stats& counters() const;
  std::size_t online_receivers() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace mab::broker

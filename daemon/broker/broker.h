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

#include "daemon/audit/audit.h"
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

// A fixed-bucket histogram in the shape Prometheus exposes: per-bucket counts (the last bucket
// is +Inf), the sum and the count of every observation.
struct histogram {
  explicit histogram(std::vector<double> upper_bounds);
  void observe(double value);

  std::vector<double> bounds;          // ascending upper bounds (inclusive, "le")
  std::vector<std::uint64_t> buckets;  // bounds.size() + 1 counts, not cumulative
  double sum = 0;
  std::uint64_t count = 0;
};

// Counters and histograms for logs and metrics. Monotonic since start.
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
  // Seconds from mab's receipt of a message to a recipient's ack of it, observed once the ack is
  // committed: a minute to two days.
  histogram ack_latency_seconds{{1, 5, 15, 60, 300, 900, 3600, 14400, 86400, 172800}};
  // Wall time (a steady clock) of each successful store commit: half a millisecond to a second.
  histogram store_commit_seconds{
      {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1}};
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

  // Operator functions (control socket, HTTP API). Reads run outside the cycle's transaction, on
  // the broker's thread, between cycles.
  result<std::vector<dead_letter_view>> dead_letters(std::size_t limit);
  result<bool> replay_dead_letter(std::uint64_t delivery_id);

  // The ledger, for operators. Lists are newest first; a page skips `offset` rows and returns at
  // most `limit`.
  result<std::vector<store::obligation_record>> obligations(std::optional<store::obligation_state> state,
                                                            std::size_t limit);
  result<std::vector<store::obligation_record>> obligations(
      std::optional<store::obligation_state> state, store::page p);
  result<std::vector<store::flag_record>> flags(std::optional<store::flag_state> state,
                                                std::size_t limit);
  result<std::vector<store::flag_record>> flags(const store::flag_filter& f, store::page p);
  result<std::optional<store::flag_record>> flag(std::uint64_t flag_id);
  // Transfers, newest first; `flag` keeps those with a raised flag of that type; `area` those
  // from or to it.
  result<std::vector<store::transfer_record>> transfers(std::optional<store::transfer_state> state,
                                                        const std::string& flag,
                                                        const std::string& area,
                                                        std::size_t limit);
  struct transfer_query {
    std::optional<store::transfer_state> state;
    std::string flag;    // has a raised flag of this type
    std::string area;    // from or to this area
    // Involves this agency: it owes a part, a part went to it, or it is the front door (or on
    // the escalation list) of the area the transfer goes to.
    std::string agency;
  };
  result<std::vector<store::transfer_record>> transfers(const transfer_query& q, store::page p);
  struct transfer_view {
    store::transfer_record transfer;
    std::vector<store::part_record> parts;
    std::vector<store::timeline_entry> timeline;
    std::vector<store::flag_record> flags;
  };
  result<std::optional<transfer_view>> transfer(const std::string& transfer_id);

  // An operator acknowledges a flag: who, and a note saying what they did. Audited.
  result<bool> acknowledge_flag(std::uint64_t flag_id, const std::string& by, const std::string& note);

  // The front page: counts, and the `oldest` late items, oldest first. `transfer_id` is the
  // transfer an item belongs to ("" for none).
  struct overdue_view {
    store::overdue_item item;
    std::string transfer_id;
  };
  struct overview {
    time_point at;
    store::ledger_counts counts;
    std::vector<overdue_view> oldest_overdue;
  };
  result<overview> ledger_overview(std::size_t oldest = 10);

  // One agency's scorecard (see store::agency_activity for what each number counts).
  result<store::agency_activity> scorecard(const std::string& agency);
  // Pending deliveries (queue depth) of every configured agency, by agency id.
  result<std::map<std::string, std::uint64_t>> queue_depths();

  // Reads the whole audit trail and every checkpoint from the store and verifies them with the
  // broker's own public key.
  result<audit::report> verify_audit();
  // Up to `limit` audit entries with seq above `after_seq`, by seq.
  result<std::vector<store::audit_record>> audit_entries(std::uint64_t after_seq,
                                                         std::size_t limit);
  // The seq of the last stored audit entry (0 for an empty trail).
  result<std::uint64_t> audit_head_seq();

  // The identity behind a pseudonymous subject key, from the most recent stored notification
  // about the subject. The audit entry "subject.revealed" {by, reason} is committed before the
  // identity is returned; when it cannot be, nothing is revealed (an error). nullopt when the key
  // is unknown or no stored notification about the subject is linked to it (one stored before
  // links existed); nothing is audited then, since nothing was revealed.
  struct subject_identity {
    std::string subject_key;     // as asked
    mab::v1::Subject subject;    // as the sender wrote it
    std::string message_id;      // where it came from
    std::string sender;
    time_point received_at;
    std::uint64_t audit_seq = 0; // the "subject.revealed" entry
  };
  result<std::optional<subject_identity>> reveal_subject(const std::string& subject_key,
                                                         const std::string& by,
                                                         const std::string& reason);

  // A cheap read of the store, for readiness probes: ok when the store answers.
  status probe_store();

  const stats& counters() const;
  std::size_t online_receivers() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace mab::broker

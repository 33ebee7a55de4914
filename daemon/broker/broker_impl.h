// Private to the broker module: the state behind broker::broker, shared by its .cc files.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "daemon/audit/audit.h"
#include "daemon/broker/broker.h"
#include "daemon/ledger/ledger.h"
#include "daemon/subjects/subjects.h"
#include "daemon/validate/validate.h"

namespace mab::broker {

// A SUBMIT that passed every stateless check and waits for the cycle's transaction.
struct pending_submit {
  std::string peer;
  std::string envelope;            // the SUBMIT payload, stored byte for byte
  store::new_message message;
  std::vector<std::string> subject_keys;  // pseudonymous keys of the subject's identifiers
  mab::v1::Notification notification;     // parsed, for the ledger
  mab::v1::Receipt receipt;        // filled in as far as known
};

struct pending_ack {
  std::string peer;
  std::string agency;
  std::string message_id;
  std::string sealed;              // serialized Sealed(Ack), kept as the proof
  mab::v1::Sealed sealed_msg;
  time_point acked_at;
};

struct pending_refusal {
  std::string peer;
  std::string agency;
  std::string message_id;
  std::string reason;
};

struct pending_notice_ack {
  std::string agency;
  std::uint64_t notice_id = 0;
};

struct receiver {
  std::string peer;
  time_point last_seen;
};

struct broker::impl {
  impl(const config::config& c, store::store& s, const clock& k, const crypto::signer& g,
       const subjects::keyer& y, const calendar::calendar& cal)
      : cfg(c), st(s), clk(k), signer(g), keyer(y), ledger(c, cal, s, y), last_checkpoint(k.now()),
        next_ledger_tick(k.now()) {}

  const config::config& cfg;
  store::store& st;
  const clock& clk;
  const crypto::signer& signer;
  const subjects::keyer& keyer;
  mab::ledger::ledger ledger;

  // The audit chain's head as of the open transaction; reloaded from the store when unsure.
  std::optional<audit::chain> chain;
  std::uint64_t unsealed = 0;       // entries since the last committed checkpoint
  time_point last_checkpoint;
  bool pending_seal = false;        // a checkpoint is written in the open transaction
  time_point next_ledger_tick;      // deadlines are checked about once a second

  std::vector<pending_submit> submits;
  std::vector<pending_ack> acks;
  std::vector<pending_refusal> refusals;
  std::vector<pending_notice_ack> notice_acks;
  std::vector<outgoing> out;

  std::map<std::string, std::vector<receiver>> receivers;      // agency -> live connections
  std::map<std::string, std::string> peer_agency;              // routing id -> agency
  std::map<std::string, std::size_t> next_receiver;            // round robin
  // Deliveries handed out and not yet answered, per agency, until their retry time.
  std::map<std::string, std::map<std::uint64_t, time_point>> in_flight;
  std::set<std::string> rescheduled;                           // agencies back online
  std::map<std::string, mab::v1::Sealed> attestations;         // key id -> signed attestation
  stats counters;
  // Ack latencies (seconds) recorded in the open transaction; they reach the histogram only
  // when it commits, so a rolled-back ack is never counted.
  std::vector<double> ack_latencies;

  // dispatch (broker.cc)
  void reply_error(const std::string& peer, std::string_view command, mab::v1::ReasonCode code,
                   std::string field, std::string detail);
  void send_receipt(const std::string& peer, std::string_view command,
                    mab::v1::Receipt receipt);

  // Runs `body` in a transaction of its own (operator actions, outside the cycle); rolls back
  // and resets the audit chain when it fails.
  status transact(const std::function<bool(mab::error&)>& body);
  // Commits the open transaction, timing a successful commit for the commit histogram.
  status commit_timed();

  void clear_pending() {
    submits.clear();
    acks.clear();
    refusals.clear();
    notice_acks.clear();
  }

  // audit_trail.cc: write inside the cycle's transaction; false (with `failure`) on a store error.
  bool record(std::string_view kind, const std::string& subject_key, const nlohmann::json& data,
              mab::error& failure);
  bool maybe_checkpoint(bool force, mab::error& failure);
  void after_commit();
  void after_rollback();
  std::string subject_key_of(const mab::v1::Notification& n) const;
  nlohmann::json accepted_entry(const store::new_message& m, std::uint64_t seq,
                                const std::vector<std::string>& subject_keys) const;

  // flags.cc: the ledger's effects, and flags as broker-signed notifications.
  bool apply_effects(mab::ledger::effects&& fx, mab::error& failure);
  bool ledger_tick(mab::error& failure);
  bool send_due_flags(mab::error& failure);
  bool emit_flag(const store::flag_record& f, mab::error& failure);

  // submit.cc
  void on_submit(const std::string& peer, const std::string& agency, std::string payload);
  std::optional<validate::rejection> check_submit(const std::string& agency,
                                                  const mab::v1::SignedEnvelope& env,
                                                  mab::v1::Notification& n,
                                                  std::vector<std::string>& recipients);
  bool is_stored_copy(const mab::v1::Notification& n, const mab::v1::SignedEnvelope& env);
  void reject(const std::string& peer, mab::v1::Receipt receipt, const validate::rejection& r);
  // Links stored message `seq` to the subject its identifiers now belong to, so an audited
  // reveal can find what the agencies sent about a child.
  bool link_subject(const std::vector<std::string>& subject_keys, std::uint64_t seq,
                    mab::error& failure);
  // Applies the submits inside the cycle's transaction; false when the store failed.
  bool apply_submits(std::vector<std::pair<std::string, mab::v1::Receipt>>& receipts,
                     mab::error& failure);

  // acks.cc
  void on_ack(const std::string& peer, const std::string& agency, const std::string& payload);
  void on_refuse(const std::string& peer, const std::string& agency, const std::string& payload);
  bool apply_answers(mab::error& failure);

  // delivery.cc
  void on_ready(const std::string& peer, const std::string& agency);
  void expire_receivers(time_point now);
  bool deliver_due(mab::error& failure);
  const mab::v1::Sealed& attestation_for(const std::string& key_id);
  std::chrono::milliseconds backoff(std::uint32_t attempts) const;
  void forget_in_flight(const std::string& agency, std::uint64_t delivery_id);
};

}  // namespace mab::broker

#include "adapters/sdk/client.h"

#include <algorithm>
#include <deque>
#include <functional>

#include "adapters/sdk/channel.h"
#include "adapters/sdk/inbound.h"
#include "daemon/crypto/crypto.h"
#include "daemon/wire/wire.h"

namespace mab::sdk {
namespace {

using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

// ack/refuse/confirm have no timeout of their own; this bounds how long they wait for a
// connection to exist. The broker redelivers anything whose ack is lost, so failing is safe.
constexpr milliseconds control_send_timeout{5000};

milliseconds until(steady::time_point deadline) {
  return std::max(milliseconds(0),
                  std::chrono::duration_cast<milliseconds>(deadline - steady::now()));
}

bool well_formed(const wire::frames& f) {
  return f.size() >= 2 && f[0] == wire::protocol_tag;
}

const std::string& payload_of(const wire::frames& f) {
  static const std::string none;
  return f.size() >= 3 ? f[2] : none;
}

bool is_inbound(const wire::frames& f) {
  return f[1] == wire::cmd::deliver || f[1] == wire::cmd::notice;
}

result<crypto::signer> load_identity(const options& opts, detail::channel_keys& keys) {
  if (opts.broker_signing_key.size() != 32) {
    return make_error("broker_signing_key: must be a 32-byte Ed25519 public key");
  }
  if (!crypto::is_z85_key(opts.broker_curve_key)) {
    return make_error("broker_curve_key: must be a 40-character Z85 Curve public key");
  }
  auto signer = crypto::load_signer(opts.signing_key_file);
  if (!signer) return signer.err();
  auto secret = crypto::load_curve_secret(opts.curve_secret_key_file);
  if (!secret) return secret.err();
  auto pub = crypto::curve_public_from_secret(*secret);
  if (!pub) return make_error(opts.curve_secret_key_file + ": not a valid Curve secret key");
  keys = detail::channel_keys{opts.broker_curve_key, *pub, *secret};
  return std::move(signer).value();
}

}  // namespace

struct client::impl {
  options opts;
  crypto::signer signer;
  std::unique_ptr<detail::channel> chan;
  // DELIVER/NOTICE frames that arrived while submit() or ping() waited for their answer; they
  // are handed out by receive() in arrival order, never dropped.
  std::deque<wire::frames> inbox;
  std::optional<steady::time_point> last_ready;

  // Reads until `match` accepts a frame (returning its value or error), or the deadline.
  // Inbound frames seen on the way are queued.
  template <class T>
  using matcher = std::function<std::optional<result<T>>(const wire::frames&)>;
  template <class T>
  result<std::optional<T>> await(steady::time_point deadline, const matcher<T>& match);

  status send_sealed(std::string_view command, std::string_view type,
                     const google::protobuf::MessageLite& body);
  status send_refusal(const std::string& message_id, const std::string& reason);
  status keep_ready(bool& blocked);
  result<std::optional<event>> handle(const wire::frames& f);
  result<mab::v1::Receipt> submit(const mab::v1::SignedEnvelope& env, milliseconds timeout);
};

template <class T>
result<std::optional<T>> client::impl::await(steady::time_point deadline,
                                              const matcher<T>& match) {
  for (;;) {
    auto got = chan->recv(until(deadline));
    if (!got) return got.err();
    if (!*got) {
      if (steady::now() >= deadline) return std::optional<T>{};
      continue;
    }
    wire::frames& f = **got;
    if (!well_formed(f)) continue;
    if (is_inbound(f)) {
      inbox.push_back(std::move(f));
      continue;
    }
    if (auto r = match(f)) {
      if (!*r) return r->err();
      return std::optional<T>(std::move(*r).value());
    }
  }
}

status client::impl::send_sealed(std::string_view command, std::string_view type,
                                 const google::protobuf::MessageLite& body) {
  const auto sealed = wire::seal(signer, type, body);
  return chan->send(wire::make_frames(command, wire::serialize(sealed)), control_send_timeout);
}

status client::impl::send_refusal(const std::string& message_id, const std::string& reason) {
  mab::v1::Refusal r;
  r.set_message_id(message_id);
  r.set_recipient(opts.agency);
  r.set_reason(reason);
  *r.mutable_refused_at() = wire::to_timestamp(std::chrono::system_clock::now());
  return send_sealed(wire::cmd::refuse, wire::sealed_type::refusal, r);
}

// Sends READY when it is due. `blocked` reports that it could not be sent yet (no connection),
// so the caller also waits for the socket to become writable.
status client::impl::keep_ready(bool& blocked) {
  blocked = false;
  const auto now = steady::now();
  if (last_ready && now - *last_ready < opts.heartbeat) return ok_status();
  auto sent = chan->try_send(wire::make_frames(wire::cmd::ready));
  if (!sent) return sent.err();
  if (*sent) {
    last_ready = now;
  } else {
    blocked = true;
  }
  return ok_status();
}

result<std::optional<event>> client::impl::handle(const wire::frames& f) {
  if (f[1] == wire::cmd::notice) {
    auto n = detail::open_notice(payload_of(f), opts.broker_signing_key);
    if (!n) return n.err();
    return std::optional<event>(std::move(n).value());
  }
  auto checked = detail::check_delivery(payload_of(f), opts.broker_signing_key);
  if (auto* d = std::get_if<delivery>(&checked)) return std::optional<event>(std::move(*d));
  auto& rejected = std::get<rejected_delivery>(checked);
  // Refusing makes the broker count it towards dead-lettering instead of redelivering it
  // forever. Without a message_id there is nothing a refusal could name.
  if (!rejected.message_id.empty()) {
    auto sent = send_refusal(rejected.message_id, rejected.reason);
    if (!sent) rejected.reason += " (refusal not sent: " + sent.message() + ")";
  }
  return std::optional<event>(std::move(rejected));
}

result<mab::v1::Receipt> client::impl::submit(const mab::v1::SignedEnvelope& env,
                                              milliseconds timeout) {
  const auto deadline = steady::now() + timeout;
  const std::string payload = wire::serialize(env);
  const std::string digest = crypto::sha256(payload);
  mab::v1::Notification n;
  const std::string message_id = n.ParseFromString(env.notification()) ? n.message_id() : "";

  auto sent = chan->send(wire::make_frames(wire::cmd::submit, payload), timeout);
  if (!sent) return sent.err();

  const matcher<mab::v1::Receipt> match =
      [&](const wire::frames& f) -> std::optional<result<mab::v1::Receipt>> {
    if (f[1] != wire::cmd::receipt && f[1] != wire::cmd::error) return std::nullopt;
    mab::v1::Sealed sealed;
    mab::v1::Receipt receipt;
    if (!sealed.ParseFromString(payload_of(f)) ||
        !wire::open_sealed(sealed, wire::sealed_type::receipt, opts.broker_signing_key,
                           receipt)) {
      return result<mab::v1::Receipt>(
          make_error("receipt signature does not verify against broker_signing_key"));
    }
    const bool ours = receipt.envelope_sha256() == digest ||
                      (!message_id.empty() && receipt.message_id() == message_id);
    if (!ours) return std::nullopt;  // a late answer to an earlier submit
    return result<mab::v1::Receipt>(std::move(receipt));
  };
  auto got = await(deadline, match);
  if (!got) return got.err();
  if (!*got) {
    return make_error("no receipt from " + opts.endpoint + " within " +
                      std::to_string(timeout.count()) +
                      " ms: outcome unknown (sending the same envelope again is safe)");
  }
  return std::move(**got);
}

// ---- client ----

client::client(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
client::~client() = default;

result<std::unique_ptr<client>> client::connect(const options& opts) {
  detail::channel_keys keys;
  auto signer = load_identity(opts, keys);
  if (!signer) return signer.err();
  auto chan = detail::channel::open(opts.endpoint, keys);
  if (!chan) return chan.err();
  auto p = std::unique_ptr<impl>(
      new impl{opts, std::move(signer).value(), std::move(chan).value(), {}, std::nullopt});
  return std::unique_ptr<client>(new client(std::move(p)));
}

const options& client::opts() const { return impl_->opts; }

void client::complete(mab::v1::Notification& n) const {
  if (n.message_id().empty()) n.set_message_id(crypto::uuid_v4());
  if (n.sender().empty()) n.set_sender(impl_->opts.agency);
  if (!n.has_created_at()) {
    *n.mutable_created_at() = wire::to_timestamp(std::chrono::system_clock::now());
  }
}

mab::v1::SignedEnvelope client::sign(const mab::v1::Notification& n) const {
  return wire::sign_notification(impl_->signer, n);
}

result<mab::v1::Receipt> client::submit(const mab::v1::SignedEnvelope& env,
                                        milliseconds timeout) {
  return impl_->submit(env, timeout);
}

result<mab::v1::Receipt> client::send(mab::v1::Notification n, milliseconds timeout) {
  complete(n);
  return submit(sign(n), timeout);
}

result<std::optional<event>> client::receive(milliseconds timeout) {
  auto& s = *impl_;
  const auto deadline = steady::now() + timeout;
  for (;;) {
    while (!s.inbox.empty()) {
      const wire::frames f = std::move(s.inbox.front());
      s.inbox.pop_front();
      auto ev = s.handle(f);
      if (!ev || *ev) return ev;
    }
    bool blocked = false;
    if (auto st = s.keep_ready(blocked); !st) return st.err();
    // Wake for the next READY, unless READY is stuck: then writability is what wakes us.
    auto wait = until(deadline);
    if (!blocked) wait = std::min(wait, until(*s.last_ready + s.opts.heartbeat));
    auto ready = s.chan->wait(wait, blocked);
    if (!ready) return ready.err();
    if (ready->readable) {
      auto got = s.chan->take();
      if (!got) return got.err();
      // Receipts and pongs arriving now answer calls that already gave up: drop them.
      if (*got && well_formed(**got) && is_inbound(**got)) s.inbox.push_back(std::move(**got));
      continue;
    }
    if (steady::now() >= deadline) return std::optional<event>{};
  }
}

status client::ack(const delivery& d) {
  mab::v1::Ack a;
  a.set_message_id(d.notification.message_id());
  a.set_recipient(impl_->opts.agency);
  *a.mutable_acked_at() = wire::to_timestamp(std::chrono::system_clock::now());
  return impl_->send_sealed(wire::cmd::ack, wire::sealed_type::ack, a);
}

status client::refuse(const delivery& d, const std::string& reason) {
  return impl_->send_refusal(d.notification.message_id(), reason);
}

status client::confirm(const notice& n) {
  return impl_->chan->send(wire::make_frames(wire::cmd::notice_ack, std::to_string(n.notice_id)),
                           control_send_timeout);
}

result<std::chrono::microseconds> client::ping(milliseconds timeout) {
  auto& s = *impl_;
  const auto start = steady::now();
  const auto deadline = start + timeout;
  const std::string nonce = crypto::to_hex(crypto::random_bytes(16));
  if (auto sent = s.chan->send(wire::make_frames(wire::cmd::ping, nonce), timeout); !sent) {
    return sent.err();
  }
  const impl::matcher<bool> match = [&](const wire::frames& f) -> std::optional<result<bool>> {
    if (f[1] != wire::cmd::pong || payload_of(f) != nonce) return std::nullopt;
    return result<bool>(true);
  };
  auto got = s.await(deadline, match);
  if (!got) return got.err();
  if (!*got) {
    return make_error("no pong from " + s.opts.endpoint + " within " +
                      std::to_string(timeout.count()) + " ms");
  }
  return std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - start);
}

}  // namespace mab::sdk

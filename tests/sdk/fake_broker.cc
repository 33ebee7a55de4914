#include "tests/sdk/fake_broker.h"

#include <iterator>
#include <stdexcept>

#include <zmq_addon.hpp>

namespace mab::sdk::testing {
namespace {

crypto::signer new_signer() {
  auto s = crypto::signer::from_seed(crypto::generate_signing_key().seed);
  if (!s) throw std::runtime_error(s.message());
  return std::move(s).value();
}

}  // namespace

fake_broker::fake_broker() : curve_(crypto::generate_curve_key()), signer_(new_signer()) {
  sock_.set(zmq::sockopt::curve_server, true);
  sock_.set(zmq::sockopt::curve_secretkey, curve_.secret_z85);
  sock_.set(zmq::sockopt::linger, 0);
  sock_.bind("tcp://127.0.0.1:*");
  endpoint_ = sock_.get(zmq::sockopt::last_endpoint);
  thread_ = std::thread([this] { run(); });
}

fake_broker::~fake_broker() {
  stop_ = true;
  thread_.join();
}

void fake_broker::on_message(handler h) {
  std::lock_guard lock(mu_);
  handler_ = std::move(h);
}

void fake_broker::reply(const std::string& peer, std::string_view command, std::string payload) {
  std::vector<zmq::const_buffer> parts = {zmq::buffer(peer), zmq::buffer(wire::protocol_tag),
                                          zmq::buffer(command), zmq::buffer(payload)};
  zmq::send_multipart(sock_, parts);
}

void fake_broker::run() {
  while (!stop_) {
    zmq_pollitem_t item{sock_.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, std::chrono::milliseconds(20));
    if ((item.revents & ZMQ_POLLIN) == 0) continue;
    std::vector<zmq::message_t> parts;
    if (!zmq::recv_multipart(sock_, std::back_inserter(parts))) continue;
    if (parts.size() < 3) continue;
    peer_message m{parts[0].to_string(), {}};
    for (std::size_t i = 1; i < parts.size(); ++i) m.frames.push_back(parts[i].to_string());
    if (m.frames.size() < 3) m.frames.resize(3);  // READY has no payload frame
    handler h;
    {
      std::lock_guard lock(mu_);
      seen_.push_back(m);
      h = handler_;
    }
    cv_.notify_all();
    if (h) h(*this, m);
  }
}

std::optional<peer_message> fake_broker::take(std::string_view command,
                                              std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  std::optional<peer_message> found;
  cv_.wait_for(lock, timeout, [&] {
    for (auto it = seen_.begin(); it != seen_.end(); ++it) {
      if (it->command() == command) {
        found = std::move(*it);
        seen_.erase(it);
        return true;
      }
    }
    return false;
  });
  return found;
}

std::size_t fake_broker::count(std::string_view command) {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const auto& m : seen_) {
    if (m.command() == command) ++n;
  }
  return n;
}

test_agency::test_agency(std::string id, const fake_broker& broker)
    : dir_(std::filesystem::temp_directory_path() /
           ("mab_sdk_test_" + crypto::to_hex(crypto::random_bytes(6)))),
      seed_(crypto::generate_signing_key().seed),
      signer_(std::move(crypto::signer::from_seed(seed_)).value()) {
  std::filesystem::create_directories(dir_);
  const auto curve = crypto::generate_curve_key();
  opts_.agency = std::move(id);
  opts_.endpoint = broker.endpoint();
  opts_.broker_curve_key = broker.curve_public();
  opts_.broker_signing_key = broker.signer().public_key();
  opts_.signing_key_file = (dir_ / "agency.sign.key").string();
  opts_.curve_secret_key_file = (dir_ / "agency.curve.key").string();
  opts_.heartbeat = std::chrono::milliseconds(200);  // short, so tests can watch READY repeat
  if (!crypto::write_secret_file(opts_.signing_key_file, crypto::base64_encode(seed_), false) ||
      !crypto::write_secret_file(opts_.curve_secret_key_file, curve.secret_z85, false)) {
    throw std::runtime_error("cannot write test key files in " + dir_.string());
  }
}

test_agency::~test_agency() { std::filesystem::remove_all(dir_); }

std::string make_delivery(const fake_broker& broker, const crypto::signer& sender,
                          const std::string& sender_id, const mab::v1::Notification& n,
                          std::uint64_t delivery_id) {
  mab::v1::KeyAttestation att;
  att.set_agency(sender_id);
  att.set_key_id(sender.key_id());
  att.set_public_key(sender.public_key());
  mab::v1::Delivery d;
  d.set_delivery_id(delivery_id);
  d.set_attempt(1);
  d.set_store_seq(40 + delivery_id);
  *d.mutable_envelope() = wire::sign_notification(sender, n);
  *d.mutable_sender_key() = wire::seal(broker.signer(), wire::sealed_type::key_attestation, att);
  return wire::serialize(d);
}

}  // namespace mab::sdk::testing

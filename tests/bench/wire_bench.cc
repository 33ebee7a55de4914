// Envelope encode and decode without the signature, which crypto_bench.cc measures apart: what
// protobuf costs a sender building a SUBMIT payload and the broker taking one apart.
#include <benchmark/benchmark.h>

#include <string>

#include "daemon/crypto/crypto.h"
#include "daemon/wire/wire.h"
#include "tests/bench/sample.h"

namespace mab::bench {
namespace {

const std::string message_id = "0a13a904-0000-4000-8000-000000000001";

// The encode half of wire::sign_notification, with a signature made once up front.
void BM_envelope_encode(benchmark::State& state) {
  const auto n = sample_notification(message_id, "school-e09", "E09000001");
  const std::string key_id(24, 'k');
  const std::string signature(64, 's');
  std::size_t bytes = 0;
  for (auto _ : state) {
    mab::v1::SignedEnvelope env;
    env.set_notification(wire::serialize(n));
    env.set_key_id(key_id);
    env.set_signature(signature);
    std::string payload = wire::serialize(env);
    bytes = payload.size();
    benchmark::DoNotOptimize(payload);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["envelope_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_envelope_encode);

// What the broker does with a SUBMIT payload before verifying: envelope, then notification.
void BM_envelope_decode(benchmark::State& state) {
  auto made = crypto::signer::from_seed(crypto::generate_signing_key().seed);
  if (!made.ok()) {
    state.SkipWithError(made.message().c_str());
    return;
  }
  const auto env =
      wire::sign_notification(made.value(), sample_notification(message_id, "school-e09", "E09000001"));
  const std::string payload = wire::serialize(env);
  for (auto _ : state) {
    mab::v1::SignedEnvelope in;
    mab::v1::Notification n;
    if (!in.ParseFromString(payload) || !n.ParseFromString(in.notification()) ||
        n.message_id() != message_id) {
      state.SkipWithError("the encoded envelope did not decode");
      break;
    }
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(payload.size()));
}
BENCHMARK(BM_envelope_decode);

}  // namespace
}  // namespace mab::bench

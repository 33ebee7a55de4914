// Ed25519 sign and verify over the bytes a sender really signs: one serialized notification.
// Comparable with `openssl speed ed25519` (README.md), which signs a short fixed message.
#include <benchmark/benchmark.h>

#include <string>

#include "daemon/crypto/crypto.h"
#include "daemon/wire/wire.h"
#include "tests/bench/sample.h"

namespace mab::bench {
namespace {

std::string sample_bytes() {
  return wire::serialize(sample_notification("0a13a904-0000-4000-8000-000000000001",
                                             "school-e09", "E09000001"));
}

void BM_ed25519_sign(benchmark::State& state) {
  auto made = crypto::signer::from_seed(crypto::generate_signing_key().seed);
  if (!made.ok()) {
    state.SkipWithError(made.message().c_str());
    return;
  }
  const crypto::signer signer = std::move(made).value();
  const std::string message = sample_bytes();
  for (auto _ : state) {
    std::string sig = signer.sign(message);
    benchmark::DoNotOptimize(sig);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(message.size()));
}
BENCHMARK(BM_ed25519_sign);

void BM_ed25519_verify(benchmark::State& state) {
  auto made = crypto::signer::from_seed(crypto::generate_signing_key().seed);
  if (!made.ok()) {
    state.SkipWithError(made.message().c_str());
    return;
  }
  const crypto::signer signer = std::move(made).value();
  const std::string message = sample_bytes();
  const std::string sig = signer.sign(message);
  // A verifier that said no would be timing the cheap rejection path, not the real work.
  if (!crypto::verify(signer.public_key(), message, sig)) {
    state.SkipWithError("a fresh signature did not verify");
    return;
  }
  for (auto _ : state) {
    bool ok = crypto::verify(signer.public_key(), message, sig);
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(message.size()));
}
BENCHMARK(BM_ed25519_verify);

// The broker hashes every notification it accepts (duplicate detection, receipts).
void BM_sha256_notification(benchmark::State& state) {
  const std::string message = sample_bytes();
  for (auto _ : state) {
    std::string digest = crypto::sha256(message);
    benchmark::DoNotOptimize(digest);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(message.size()));
}
BENCHMARK(BM_sha256_notification);

}  // namespace
}  // namespace mab::bench

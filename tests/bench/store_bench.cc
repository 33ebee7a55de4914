// Appending accepted messages to the embedded SQLite store, durable as in production
// (full_sync: WAL with synchronous=FULL, one fsync per commit). The argument is rows per
// commit: 1 is a broker answering one sender at a time, 100 is group commit. A row is one
// message with one pending delivery, the envelope being a real signed notification.
//
// The database lives in a fresh temp dir under $TMPDIR (or /tmp) per run, removed afterwards;
// point TMPDIR at the disk you want measured, since a tmpfs makes fsync free.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "daemon/crypto/crypto.h"
#include "daemon/store/store.h"
#include "daemon/wire/wire.h"
#include "tests/bench/sample.h"

namespace mab::bench {
namespace {

namespace fs = std::filesystem;

class temp_store {
 public:
  temp_store() {
    std::error_code ec;
    const fs::path tmp = fs::temp_directory_path(ec);
    if (ec) {
      error_ = "no temp directory: " + ec.message();
      return;
    }
    std::string tmpl = (tmp / "mab_bench_XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) {
      error_ = "cannot create a directory in " + tmp.string();
      return;
    }
    dir_ = tmpl;
    store::sqlite_options o;
    o.path = (dir_ / "mab.db").string();
    o.full_sync = true;
    auto opened = store::open_sqlite(o);
    if (!opened.ok()) {
      error_ = "open_sqlite: " + opened.message();
      return;
    }
    store_ = std::move(opened).value();
  }
  ~temp_store() {
    store_.reset();  // close before removing the files under it
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  temp_store(const temp_store&) = delete;
  temp_store& operator=(const temp_store&) = delete;

  const std::string& error() const { return error_; }
  store::store& get() { return *store_; }

 private:
  fs::path dir_;
  std::unique_ptr<store::store> store_;
  std::string error_;
};

void BM_store_append(benchmark::State& state) {
  const auto rows_per_commit = state.range(0);
  temp_store ts;
  if (!ts.error().empty()) {
    state.SkipWithError(ts.error().c_str());
    return;
  }
  auto signer = crypto::signer::from_seed(crypto::generate_signing_key().seed);
  if (!signer.ok()) {
    state.SkipWithError(signer.message().c_str());
    return;
  }
  const auto env = wire::sign_notification(
      signer.value(), sample_notification("template", "school-e09", "E09000001"));

  store::new_message m;
  m.sender = "school-e09";
  m.body_kind = "attendance_concern";
  m.envelope = wire::serialize(env);
  m.notification_sha256 = crypto::sha256(env.notification());
  m.received_at = from_unix_ms(1'795'000'000'000);
  m.recipients = {"csc-e09"};

  std::uint64_t next_id = 0;
  std::string failure;
  for (auto _ : state) {
    if (auto st = ts.get().begin(); !st.ok()) {
      failure = "begin: " + st.message();
      break;
    }
    for (std::int64_t i = 0; i < rows_per_commit; ++i) {
      // Ids must be unique: a repeated id would be a duplicate, not an append.
      m.message_id = "bench-" + std::to_string(++next_id);
      auto seq = ts.get().append_message(m);
      if (!seq.ok()) {
        failure = "append_message: " + seq.message();
        break;
      }
    }
    if (!failure.empty()) {
      ts.get().rollback();
      break;
    }
    if (auto st = ts.get().commit(); !st.ok()) {
      failure = "commit: " + st.message();
      break;
    }
  }
  if (!failure.empty()) {
    state.SkipWithError(failure.c_str());
    return;
  }
  state.SetItemsProcessed(state.iterations() * rows_per_commit);
  state.counters["rows_per_commit"] = static_cast<double>(rows_per_commit);
}
BENCHMARK(BM_store_append)->ArgName("rows_per_commit")->Arg(1)->Arg(100)->UseRealTime();

}  // namespace
}  // namespace mab::bench

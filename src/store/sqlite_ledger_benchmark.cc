// Benchmarks of the ledger in the real SQLite store (README.md, "## Ledger"; targets in
// design.md §6):
//   BM_DurableAppend        entries/s through Store::Submit with synchronous=FULL, one entry per
//                           unit of work, range(0) units in flight, batches of at most range(1)
//                           units per transaction (group commit).
//   BM_InclusionProof       one inclusion proof (O(log n) node lookups) in a store of range(0)
//                           entries, plus its verification.
//   BM_ConsistencyProof     the same for consistency proofs.
//   BM_FullCheck            LedgerReader::Check of a store of range(0) entries: every entry
//                           rehashed, every node, checkpoint and signature compared.
// The large stores are built once (synchronous=OFF; 1,024 entries per transaction, as full group
// commits would write them, so a checkpoint every 1,024 entries; 10,000 per transaction for the
// 10,000,000-entry store, which only serves proofs) under $TMPDIR/deconflict_ledger_bench_<n>
// and reused by later runs.
#include <unistd.h>

#include <filesystem>
#include <future>

#include "benchmark/benchmark.h"
#include "ledger/entry.h"
#include "store/sqlite_ledger.h"
#include "store/store.h"

namespace deconflict::store {
namespace {

std::string BenchEntry(uint64_t i) {
  return ledger::EncodeEntry(
      ledger::Entry{.party = "party-bench",
                    .action = "bench.append",
                    .object_id = "6f1c2e7a-0000-4000-8000-" + std::to_string(i),
                    .content_digest = std::string(32, 'c'),
                    .server_time = Timestamp(std::chrono::microseconds(i))});
}

std::filesystem::path FreshDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir;
}

// A store holding `n` entries, built once and kept for later runs.
std::unique_ptr<Store> LargeStore(uint64_t n) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("deconflict_ledger_bench_" + std::to_string(n));
  auto store = Store::Open(dir.string(), StoreOptions{.synchronous_full = false});
  if (!store.ok()) std::abort();
  uint64_t size = *(*store)->WithReader([](Database& db) { return LedgerReader(db).Size(); });
  while (size < n) {
    const uint64_t batch = std::min<uint64_t>(n >= 10'000'000 ? 10000 : 1024, n - size);
    absl::Status s = (*store)->Write([&](Txn& txn) -> absl::Status {
      for (uint64_t i = 0; i < batch; ++i) {
        absl::StatusOr<uint64_t> index = txn.AppendLedger(BenchEntry(size + i));
        if (!index.ok()) return index.status();
      }
      return absl::OkStatus();
    });
    if (!s.ok()) std::abort();
    size += batch;
  }
  return std::move(*store);
}

void BM_DurableAppend(benchmark::State& state) {
  const auto dir = FreshDir("deconflict_ledger_bench_append");
  auto store = Store::Open(
      dir.string(),
      StoreOptions{.synchronous_full = true, .max_batch = static_cast<size_t>(state.range(1))});
  if (!store.ok()) std::abort();
  const int in_flight = static_cast<int>(state.range(0));
  uint64_t i = 0;
  for (auto _ : state) {
    std::vector<std::future<absl::Status>> results;
    results.reserve(in_flight);
    for (int unit = 0; unit < in_flight; ++unit) {
      auto p = std::make_shared<std::promise<absl::Status>>();
      results.push_back(p->get_future());
      (*store)->Submit([e = BenchEntry(i++)](Txn& txn) { return txn.AppendLedger(e).status(); },
                       [p](absl::Status s) { p->set_value(std::move(s)); });
    }
    for (auto& r : results) {
      if (!r.get().ok()) std::abort();
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(i));
  store->reset();
  std::filesystem::remove_all(dir);
}
// Args: units in flight, StoreOptions::max_batch (1024 is the store's default).
BENCHMARK(BM_DurableAppend)
    ->Args({1024, 1024})
    ->Args({16384, 1024})
    ->Args({16384, 16384})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// The ledger's own cost without the per-unit savepoint: units of range(1) entries each (as a
// write that records several changes), range(0) units in flight.
void BM_DurableAppendManyPerUnit(benchmark::State& state) {
  const auto dir = FreshDir("deconflict_ledger_bench_append_many");
  auto store = Store::Open(dir.string(), StoreOptions{.synchronous_full = true});
  if (!store.ok()) std::abort();
  const int in_flight = static_cast<int>(state.range(0));
  const int per_unit = static_cast<int>(state.range(1));
  uint64_t i = 0;
  for (auto _ : state) {
    std::vector<std::future<absl::Status>> results;
    for (int unit = 0; unit < in_flight; ++unit) {
      std::vector<std::string> entries;
      for (int k = 0; k < per_unit; ++k) entries.push_back(BenchEntry(i++));
      auto p = std::make_shared<std::promise<absl::Status>>();
      results.push_back(p->get_future());
      (*store)->Submit(
          [entries = std::move(entries)](Txn& txn) -> absl::Status {
            for (const std::string& e : entries) {
              absl::StatusOr<uint64_t> index = txn.AppendLedger(e);
              if (!index.ok()) return index.status();
            }
            return absl::OkStatus();
          },
          [p](absl::Status s) { p->set_value(std::move(s)); });
    }
    for (auto& r : results) {
      if (!r.get().ok()) std::abort();
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(i));
  store->reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_DurableAppendManyPerUnit)
    ->Args({16, 1024})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_InclusionProof(benchmark::State& state) {
  const uint64_t n = static_cast<uint64_t>(state.range(0));
  auto store = LargeStore(n);
  (*store).WithReader([&](Database& db) {
    LedgerReader reader(db);
    auto cp = reader.LatestCheckpoint();
    if (!cp.ok() || cp->size != n) std::abort();
    uint64_t index = 12345;
    for (auto _ : state) {
      index = (index * 6364136223846793005ULL + 1442695040888963407ULL) % n;
      ReadSnapshot snapshot(db);  // as the API does per request
      auto proof = ledger::InclusionProof(reader, index, n);
      if (!proof.ok()) std::abort();
      benchmark::DoNotOptimize(proof);
    }
    // Outside the timing: the proofs verify.
    auto proof = ledger::InclusionProof(reader, index, n);
    if (!ledger::VerifyInclusion(ledger::HashBytes(ledger::LeafHash(BenchEntry(index))), index, n,
                                 ledger::ProofBytes(*proof), ledger::HashBytes(cp->root))
             .ok()) {
      std::abort();
    }
  });
}
BENCHMARK(BM_InclusionProof)->Arg(10'000'000)->Unit(benchmark::kMicrosecond);

void BM_ConsistencyProof(benchmark::State& state) {
  const uint64_t n = static_cast<uint64_t>(state.range(0));
  auto store = LargeStore(n);
  (*store).WithReader([&](Database& db) {
    LedgerReader reader(db);
    uint64_t from = 777;
    for (auto _ : state) {
      from = 1 + (from * 6364136223846793005ULL + 1442695040888963407ULL) % (n - 1);
      ReadSnapshot snapshot(db);
      auto proof = ledger::ConsistencyProof(reader, from, n);
      if (!proof.ok()) std::abort();
      benchmark::DoNotOptimize(proof);
    }
  });
}
BENCHMARK(BM_ConsistencyProof)->Arg(10'000'000)->Unit(benchmark::kMicrosecond);

void BM_FullCheck(benchmark::State& state) {
  const uint64_t n = static_cast<uint64_t>(state.range(0));
  auto store = LargeStore(n);
  for (auto _ : state) {
    auto report = store->WithReader(
        [&](Database& db) { return LedgerReader(db).Check(store->ledger().signer().verifier()); });
    if (!report.ok() || report->entries != n) std::abort();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
}
BENCHMARK(BM_FullCheck)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace deconflict::store

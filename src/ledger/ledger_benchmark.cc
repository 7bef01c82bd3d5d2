// Benchmarks of the Merkle core in memory (the store-level ones are in
// store/sqlite_ledger_benchmark.cc).
#include "benchmark/benchmark.h"
#include "ledger/merkle.h"

namespace deconflict::ledger {
namespace {

void BM_LeafHash(benchmark::State& state) {
  const std::string entry(180, 'e');
  for (auto _ : state) benchmark::DoNotOptimize(LeafHash(entry));
}
BENCHMARK(BM_LeafHash);

void BM_FrontierAppend(benchmark::State& state) {
  Frontier frontier;
  const Hash leaf = LeafHash("x");
  for (auto _ : state) frontier.Append(leaf, nullptr);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FrontierAppend);

void BM_InclusionProofInMemory(benchmark::State& state) {
  MemoryTree tree;
  const uint64_t n = static_cast<uint64_t>(state.range(0));
  for (uint64_t i = 0; i < n; ++i) tree.Append(LeafHash(std::to_string(i)));
  uint64_t index = 0;
  for (auto _ : state) {
    index = (index * 6364136223846793005ULL + 1442695040888963407ULL) % n;
    benchmark::DoNotOptimize(InclusionProof(tree, index, n));
  }
}
BENCHMARK(BM_InclusionProofInMemory)->Arg(1 << 20);

}  // namespace
}  // namespace deconflict::ledger

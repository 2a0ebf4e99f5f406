// Adam step on an embedding table: lazy (touched rows only) versus dense (every row).
// Table [V, 16] with V = 2^20 rows; one batch touches 4096·8 ids (at most that many rows).
// BENCH_QUICK_FILTER: BM_AdamStep
#include <benchmark/benchmark.h>

#include <vector>

#include "llactr/nn/optimizer.h"
#include "llactr/tensor/ops.h"
#include "llactr/tensor/rng.h"

using namespace llactr;

static void BM_AdamStep(benchmark::State& state) {
  const bool lazy = state.range(0) == 1;
  const int64_t V = 1 << 20, D = 16, n_ids = 4096 * 8;
  Var table = embedding_table(Tensor({V, D}, 0.01f), "E");
  AdamOptions o;
  o.sparse = lazy ? SparseUpdate::Lazy : SparseUpdate::Dense;
  Adam opt({table}, o);
  Rng rng(5);
  std::vector<int32_t> ids(n_ids);
  for (auto& id : ids) id = static_cast<int32_t>(rng.below(V));
  backward(sum_all(gather_rows(table, ids.data(), n_ids)));  // fills grad and touched rows once
  const int64_t rows = lazy ? static_cast<int64_t>(table.node()->touched_rows.size()) : V;
  for (auto _ : state) opt.step();
  // Bytes moved per step: read g, read+write p, m, v.
  state.SetBytesProcessed(state.iterations() * rows * D * 7 * int64_t(sizeof(float)));
  state.SetLabel(lazy ? "lazy" : "dense");
}
BENCHMARK(BM_AdamStep)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();

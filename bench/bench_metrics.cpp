// AUC and gAUC over a validation-sized set: the per-epoch cost of evaluation.
// BENCH_QUICK_FILTER: BM_Auc/1000000
#include <benchmark/benchmark.h>

#include <vector>

#include "llactr/nn/metrics.h"
#include "llactr/tensor/rng.h"

using namespace llactr;

namespace {
struct Data {
  std::vector<float> scores, labels;
  std::vector<int32_t> groups;
};

// Scores rounded to 1e-4, so ties occur as with sigmoid outputs of a trained model.
Data make_data(int64_t n, int32_t groups) {
  Rng rng(123);
  Data d;
  for (int64_t i = 0; i < n; ++i) {
    float s = static_cast<float>(rng.below(10000)) / 10000.0f;
    d.scores.push_back(s);
    d.labels.push_back(rng.uniform() < s ? 1.0f : 0.0f);
    d.groups.push_back(static_cast<int32_t>(rng.below(static_cast<uint64_t>(groups))));
  }
  return d;
}
}  // namespace

static void BM_Auc(benchmark::State& state) {
  Data d = make_data(state.range(0), 1);
  for (auto _ : state) benchmark::DoNotOptimize(auc(d.scores, d.labels));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Auc)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond);

static void BM_Gauc(benchmark::State& state) {
  Data d = make_data(state.range(0), 6000);
  for (auto _ : state) benchmark::DoNotOptimize(gauc(d.scores, d.labels, d.groups));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Gauc)->Arg(1000000)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();

// One whole training step per backbone, as train() runs it (train_step in trainer.h): embed,
// logit, BCE, backward, gradient clipping at 10, Adam with dense embedding updates, zeroed
// gradients. The shapes are ml-1m-u2999's (8 fields with its train vocabulary sizes, D = 32,
// batch 4096), the same workload as bench/torch_backbones.py, so items/s here is comparable to
// the samples/s PyTorch reaches there and to the epochs of `./run_experiment --dataset ml1m`.
// Ids are drawn uniformly per field: the cost depends on shapes, not on which ids. Threads: all
// cores (OMP_NUM_THREADS to change), idle threads sleeping as in ./run_experiment.
//
// BENCH_QUICK_FILTER: TrainStep/(FM|FinalMLP|WuKong)/
#include <benchmark/benchmark.h>

#include <numeric>
#include <string>
#include <vector>

#include "llactr/apps/thread_wait_policy.h"
#include "llactr/ctr/trainer.h"
#include "llactr/tensor/rng.h"

using namespace llactr;

namespace {

const std::vector<int64_t> kVocab = {2761, 3, 8, 22, 3526, 3526, 302, 140625};  // ml-1m-u2999, incl. OOV 0
constexpr int64_t kBatch = 4096;

// A batch of kBatch rows: field f's id uniform in its slice of the global vocabulary.
data::Batch random_batch(uint64_t seed) {
  Rng rng(seed);
  data::Batch b;
  b.num_fields = int(kVocab.size());
  b.size = size_t(kBatch);
  for (int64_t r = 0; r < kBatch; ++r) {
    int64_t offset = 0;
    for (int64_t v : kVocab) {
      b.ids.push_back(int32_t(offset + int64_t(rng.below(uint64_t(v)))));
      offset += v;
    }
    b.labels.push_back(rng.uniform() < 0.4f ? 1.0f : 0.0f);
  }
  return b;
}

void train_steps(benchmark::State& state, const std::string& name) {
  BackboneConfig cfg;
  cfg.num_fields = int(kVocab.size());
  cfg.vocab_size = std::accumulate(kVocab.begin(), kVocab.end(), int64_t(0));
  Rng init(2024), dropout(2025);
  auto model = make_backbone(name, cfg, init);
  const std::vector<Var>& params = model->parameters();
  Adam opt(params, AdamOptions{});  // lr 1e-3, every table row updated each step as torch.optim.Adam
  const ForwardContext ctx{true, &dropout};
  // Four batches in turn, so the gathered rows change from step to step as in an epoch.
  std::vector<data::Batch> batches;
  for (uint64_t s = 0; s < 4; ++s) batches.push_back(random_batch(s));
  // Untimed: the first step allocates every gradient and optimiser moment.
  train_step(*model, batches[0], ctx, opt, params, 10.0f);
  size_t i = 0;
  for (auto _ : state) train_step(*model, batches[++i % batches.size()], ctx, opt, params, 10.0f);
  state.SetItemsProcessed(state.iterations() * kBatch);  // samples
}

}  // namespace

int main(int argc, char** argv) {
  ensure_sleeping_idle_threads(argv);  // as ./run_experiment trains
  benchmark::Initialize(&argc, argv);
  for (const char* name : {"LR", "FM", "DeepFM", "FwFM", "FmFM", "FinalMLP", "WuKong"})
    benchmark::RegisterBenchmark((std::string("TrainStep/") + name).c_str(), train_steps, std::string(name))
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}

// ELEC's LLM cost on real data: stories260K over ML-100K's instance texts. Cases report an error
// (and are skipped) when ml-100k or stories260K is not in $LLACTR_DATA_MIRROR, data/ or
// ../shared/data.
//   ElecCacheForward   stage 2's inference forward (forward_packed + mean pooling), 2048 train
//                      rows in batches of 16: tokens/s and rows/s (counters)
//   ElecStage1Step     one stage-1 LoRA step (forward, backward, AdamW) on 16 texts
//   ElecPrepareMl100k  the whole prepare_elec (stage 1 with the defaults + the vectors of all
//                      ML-100K rows, no cache): the once-per-dataset cost of --method elec
// BENCH_QUICK_FILTER: ElecCacheForward|ElecStage1Step
#include <benchmark/benchmark.h>

#include <filesystem>

#include "llactr/llm/train/trainable_transformer.h"
#include "llactr/methods/common/instance_text.h"
#include "llactr/methods/elec/elec_llm.h"
#include "llactr/nn/optimizer.h"
#include "llactr/tensor/ops.h"
#include "real_data.h"

using namespace llactr;
namespace fs = std::filesystem;

namespace {

using bench::RealData;
using bench::real_data;

void ElecCacheForward(benchmark::State& state) {
  const RealData* d = real_data();
  if (!d) return state.SkipWithError("ml-100k or stories260K not found (make data or LLACTR_DATA_MIRROR)");
  data::Split rows = d->dataset.train;
  rows.ids.resize(2048 * size_t(rows.num_fields));
  rows.labels.resize(2048);
  int64_t truncated = 0;
  const auto seqs = methods::tokenize_rows(rows, methods::instance_row_text(d->dataset), d->lm.tokenizer, d->lm.model.config.n_ctx, truncated);
  methods::PoolStats st;
  for (auto _ : state) benchmark::DoNotOptimize(methods::pool_mean(d->lm.model, seqs, 16, "", st).data());
  state.counters["tokens_per_s"] = double(st.tokens) / st.seconds;
  state.counters["rows_per_s"] = double(seqs.size() * state.iterations()) / st.seconds;
  state.counters["tokens_per_row"] = double(st.tokens) / double(seqs.size() * state.iterations());
}
BENCHMARK(ElecCacheForward)->Unit(benchmark::kMillisecond)->UseRealTime();

void ElecStage1Step(benchmark::State& state) {
  const RealData* d = real_data();
  if (!d) return state.SkipWithError("ml-100k or stories260K not found (make data or LLACTR_DATA_MIRROR)");
  llm::TrainableTransformer tt(d->lm.model, llm::LoraOptions{});
  Rng rng(1);
  methods::ElecTower tower(d->lm.model.config.n_embd, 32, 256, rng);
  std::vector<Var> params = tt.lora_parameters();
  for (const Var& p : tower.parameters()) params.push_back(p);
  AdamW opt(params, AdamOptions{});
  std::vector<std::vector<int32_t>> seqs;
  std::vector<float> y;
  for (size_t i = 0; i < 16; ++i) {
    seqs.push_back(d->lm.tokenizer.encode(methods::instance_text(d->dataset, d->dataset.train, i)));
    y.push_back(d->dataset.train.labels[i]);
  }
  const llm::PackedBatch b = llm::pack_sequences(seqs);
  Rng drop(2);
  for (auto _ : state) {
    Var p = llm::mean_rows(tt.forward(b, {true, &drop}).hidden, b);  // [16, d]
    Var loss = bce_with_logits(tower.logit(p), Tensor({16}, y));
    backward(loss);
    opt.step();
    opt.zero_grad();
  }
  state.counters["tokens_per_s"] = benchmark::Counter(double(b.rows()), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(ElecStage1Step)->Unit(benchmark::kMillisecond)->UseRealTime();

void ElecPrepareMl100k(benchmark::State& state) {
  const RealData* d = real_data();
  if (!d) return state.SkipWithError("ml-100k or stories260K not found (make data or LLACTR_DATA_MIRROR)");
  methods::ElecOptions o;
  o.model_path = d->model_path;
  o.out_dir = (fs::temp_directory_path() / "llactr-bench-elec").string();
  o.use_cache = false;
  o.progress = false;
  methods::ElecPrepared prep;
  for (auto _ : state) prep = methods::prepare_elec(d->dataset, 32, o);
  fs::remove_all(o.out_dir);
  state.counters["stage1_s"] = prep.stage1_seconds;
  state.counters["stage1_tokens"] = double(prep.stage1_tokens);
  state.counters["cache_s"] = prep.vectors.seconds;
  state.counters["cache_tokens"] = double(prep.vectors.tokens);
  state.counters["truncated"] = double(prep.vectors.truncated);
  state.counters["llm_test_auc"] = prep.llm_test.auc;
  state.counters["llm_us_per_sample"] = prep.llm_us_per_sample;
}
BENCHMARK(ElecPrepareMl100k)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);

}  // namespace

BENCHMARK_MAIN();

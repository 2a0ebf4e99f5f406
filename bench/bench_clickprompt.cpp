// ClickPrompt's LLM cost on real data: stories260K over ML-100K's instance texts with a DeepFM
// backbone and the method's defaults (K 10 prefix keys/values, bidirectional, LoRA r 8 on q, v).
// Cases report an error (and are skipped) when ml-100k or stories260K is not in
// $LLACTR_DATA_MIRROR, data/ or ../shared/data.
//   ClickPromptMlm            PA-MLM (pa_mlm itself) over 512 train texts, batch:16 texts per step
//                             (the default) or 64, bidirectional:1 (the default) or 0 (causal)
//   ClickPromptFinetuneStep   one fused fine-tuning step of 64 texts: the backbone's logit,
//                             fuse_logit (prompted LLM, mean pooling, head), BCE, backward, AdamW
//                             (at lr 0, so every iteration is the same step)
//   ClickPromptEvalBatch      the same batch's fused logit under NoGrad (validation's forward)
// Counter tokens_per_s: text tokens (prompts not counted), as the method's progress line.
// BENCH_QUICK_FILTER: ClickPromptMlm/batch:16/bidirectional:1|ClickPromptFinetuneStep
#include <benchmark/benchmark.h>

#include <unordered_map>

#include "llactr/methods/clickprompt/clickprompt.h"
#include "llactr/methods/clickprompt/pa_mlm.h"
#include "llactr/methods/common/instance_text.h"
#include "llactr/nn/optimizer.h"
#include "llactr/tensor/ops.h"
#include "real_data.h"

using namespace llactr;

namespace {

using bench::RealData;
using bench::real_data;

BackboneConfig deepfm_config(const data::Dataset& d) {
  BackboneConfig bc;  // run_experiment's defaults
  bc.num_fields = d.schema.num_fields();
  bc.vocab_size = d.encoder.total_vocab();
  return bc;
}

// The first n train rows: their instance texts' tokens and their ids.
struct Rows {
  std::vector<std::vector<int32_t>> texts;
  std::vector<int32_t> ids;
};
Rows train_rows(const RealData& d, size_t n) {
  Rows r;
  const data::Split& s = d.dataset.train;
  for (size_t i = 0; i < n; ++i) {
    r.texts.push_back(d.lm.tokenizer.encode(methods::instance_text(d.dataset, s, i)));
    r.ids.insert(r.ids.end(), s.row(i), s.row(i) + s.num_fields);
  }
  return r;
}

void ClickPromptMlm(benchmark::State& state) {
  const RealData* d = real_data();
  if (!d) return state.SkipWithError("ml-100k or stories260K not found (make data or LLACTR_DATA_MIRROR)");
  const Rows rows = train_rows(*d, 512);
  methods::ClickPromptOptions o;
  o.mlm_batch = int(state.range(0));
  o.attention = state.range(1) ? methods::PromptAttention::Bidirectional : methods::PromptAttention::Causal;
  const methods::MlmVocab vocab = methods::mlm_vocab(d->lm.tokenizer.vocab());
  Rng init(o.seed);
  std::unique_ptr<Backbone> backbone = make_backbone("DeepFM", deepfm_config(d->dataset), init);
  methods::PromptedLlm llm(d->lm.model, backbone->hidden_dim(), o);
  // Untimed warm-up on 4 batches: the first step's fresh activation pages cost several later steps.
  const size_t warm = 4 * size_t(o.mlm_batch);
  const std::vector<int32_t> warm_ids(rows.ids.begin(), rows.ids.begin() + long(warm) * d->dataset.train.num_fields);
  methods::pa_mlm(*backbone, llm, {rows.texts.begin(), rows.texts.begin() + long(warm)}, warm_ids, vocab, o, false);
  int64_t tokens = 0;
  double seconds = 0;
  for (auto _ : state) {
    const methods::PaMlmResult r = methods::pa_mlm(*backbone, llm, rows.texts, rows.ids, vocab, o, false);
    tokens += r.tokens, seconds += r.seconds;
  }
  state.counters["tokens_per_s"] = double(tokens) / seconds;
}
BENCHMARK(ClickPromptMlm)
    ->ArgNames({"batch", "bidirectional"})
    ->ArgsProduct({{16, 64}, {1, 0}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The fused row's model on the first 64 train rows.
struct Finetune {
  methods::ClickPromptOptions o;
  std::unique_ptr<Backbone> backbone;
  methods::PromptedLlm llm;
  methods::ClickPromptHead head;
  std::unordered_map<std::string, std::vector<int32_t>> texts;
  methods::ClickPromptEnhancer enhancer;
  data::Batch batch;

  Finetune(const RealData& d, Rng&& init)
      : backbone(make_backbone("DeepFM", deepfm_config(d.dataset), init)),
        llm(d.lm.model, backbone->hidden_dim(), o),
        head(llm.width(), o.alpha, init),
        enhancer(d.dataset, d.lm.tokenizer, llm, head, false, texts) {
    const data::Split& s = d.dataset.train;
    batch.size = size_t(o.finetune_batch);
    batch.num_fields = s.num_fields;
    batch.ids.assign(s.row(0), s.row(0) + batch.size * size_t(s.num_fields));
    batch.labels.assign(s.labels.begin(), s.labels.begin() + long(batch.size));
  }
  Var logit(Rng& dropout) {
    const Var E = backbone->embed(batch.ids.data(), int64_t(batch.size));  // [B, N, D]
    const Var z_ctr = backbone->logit(E, batch.ids.data(), {grad_enabled(), &dropout});
    return enhancer.fuse_logit(z_ctr, backbone->hidden(), batch);  // [B]
  }
};

void ClickPromptFinetuneStep(benchmark::State& state) {
  const RealData* d = real_data();
  if (!d) return state.SkipWithError("ml-100k or stories260K not found (make data or LLACTR_DATA_MIRROR)");
  Finetune f(*d, Rng(2024));
  std::vector<Var> params = f.backbone->parameters();
  for (const Var& p : f.enhancer.parameters()) params.push_back(p);
  // lr 0: the optimizer's full cost, but the weights stay put (trained on the same batch again and
  // again, a step took 6x longer after a few dozen iterations; the cause was not looked into).
  AdamOptions ao;
  ao.lr = 0.0f;
  AdamW opt(params, ao);
  Rng dropout(1);
  const Tensor y({int64_t(f.batch.size)}, f.batch.labels);
  for (auto _ : state) {
    backward(bce_with_logits(f.logit(dropout), y));
    opt.step();
    opt.zero_grad();
  }
  state.counters["tokens_per_s"] =
      benchmark::Counter(double(f.enhancer.tokens()) / double(state.iterations()), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(ClickPromptFinetuneStep)->Unit(benchmark::kMillisecond)->UseRealTime();

void ClickPromptEvalBatch(benchmark::State& state) {
  const RealData* d = real_data();
  if (!d) return state.SkipWithError("ml-100k or stories260K not found (make data or LLACTR_DATA_MIRROR)");
  Finetune f(*d, Rng(2024));
  Rng dropout(1);
  NoGrad no_grad;
  for (auto _ : state) benchmark::DoNotOptimize(f.logit(dropout).value().data());
  state.counters["tokens_per_s"] =
      benchmark::Counter(double(f.enhancer.tokens()) / double(state.iterations()), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(ClickPromptEvalBatch)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

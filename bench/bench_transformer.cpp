// Transformer speed on a random model with SmolLM2-135M's shapes (hidden 576, 9 heads, 3 KV heads,
// FFN 1536, vocab 49152; 30 layers, or 2 for the quick run), F32 and Q8_0 files, and on the real
// stories260K (skipped when absent):
//   PromptProcessing: one forward over 64 sequences x 64 tokens (logits of each last token);
//   Decode: 64-token prompt, then 32 tokens one at a time with the KV cache;
//   BatchInference: forward_packed over 64 rows of mixed length (50..150 tokens, mean ~100), no logits;
//   LoraTrain: TrainableTransformer forward + backward (LoRA r 8 on q, v) on the same batch;
//   (both after one untimed step: the first touches every activation page for the first time and
//   took 5x a later one)
//   PretrainStep: one step of llactr pretrain at its default shape (dim 256, 6 layers, 8 heads,
//   ffn 768, context 128, vocab 4096: 6.16M parameters), 16 sequences of 128 tokens: forward,
//   cross-entropy, backward of every weight, clipping, AdamW (pretrain_step, the loop's own step);
//   GemmRoofline: a 2048^3 GEMM, the machine's practical f32 peak (bench_common.h).
// Counters: tokens/s, achieved GFLOP/s (formulas at batch_flops) and roofline_frac, the fraction
// of the roofline measured in the same run.
// BENCH_QUICK_FILTER: GemmRoofline|/layers:2/|model:[02]|PretrainStep
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <random>

#include "bench_common.h"
#include "llactr/llm/model/generate.h"
#include "../tests/support/random_model.h"
#include "llactr/llm/model/transformer.h"
#include "llactr/llm/train/pretrain.h"
#include "llactr/llm/train/trainable_transformer.h"
#include "llactr/tensor/ops.h"
#include "../tests/test_data.h"

namespace {

using namespace llactr;

const llm::Model& smollm_shaped(gguf::GgmlType type, int n_layer) {
  static std::map<std::pair<int, int>, std::unique_ptr<llm::Model>> cache;
  auto& slot = cache[{int(type), n_layer}];
  if (!slot) {
    llm::RandomModelSpec s;
    s.n_embd = 576, s.n_layer = n_layer, s.n_head = 9, s.n_head_kv = 3, s.n_ff = 1536, s.n_vocab = 49152;
    s.n_ctx = 2048, s.rms_eps = 1e-5f, s.rope_freq_base = 100000.0f, s.tied_output = true, s.type = type;
    slot = std::make_unique<llm::Model>(llm::load_model(gguf::GgufFile::from_memory(llm::random_model_writer(s).to_bytes())));
  }
  return *slot;
}

// Flops of one token at position p (0-based): the projections and FFN, plus q.k and p.v.
double token_flops(const llm::TransformerConfig& c, int p) {
  const double d = c.n_embd, q = c.q_dim(), kv = c.kv_dim(), ff = c.n_ff;
  const double matmul = 2 * (d * q + 2 * d * kv + q * d + 3 * d * ff);
  const double attention = 4.0 * c.n_head * c.head_dim * (p + 1);
  return c.n_layer * (matmul + attention);
}

void PromptProcessing(benchmark::State& state) {
  const auto type = gguf::GgmlType(state.range(0));
  const llm::Model& model = smollm_shaped(type, int(state.range(1)));
  const int B = 64, T = 64;
  std::mt19937 rng(1);
  std::vector<std::vector<int32_t>> batch(B, std::vector<int32_t>(T));
  for (auto& seq : batch)
    for (auto& t : seq) t = int32_t(rng() % model.config.n_vocab);
  llm::ForwardOptions opt;
  opt.logits = llm::LogitsMode::Last;
  double flops = 2.0 * B * model.config.n_embd * model.config.n_vocab;  // LM head on the last tokens
  for (int p = 0; p < T; ++p) flops += B * token_flops(model.config, p);
  const double peak = bench::gemm_roofline_gflops();
  for (auto _ : state) benchmark::DoNotOptimize(llm::forward(model, batch, opt).logits.data());
  state.counters["tokens/s"] = benchmark::Counter(double(B) * T, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GFLOP/s"] = benchmark::Counter(flops / 1e9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["roofline_GFLOP/s"] = peak;
}

void Decode(benchmark::State& state) {
  const auto type = gguf::GgmlType(state.range(0));
  const llm::Model& model = smollm_shaped(type, int(state.range(1)));
  const int prompt_len = 64, n_new = 32;
  std::vector<int32_t> prompt(prompt_len);
  for (int i = 0; i < prompt_len; ++i) prompt[i] = 100 + i;
  double seconds = 0;
  for (auto _ : state) {
    // Time only the token-by-token steps: prompt in one pass, then decode.
    llm::KvCache cache(model.config, 1, prompt_len + n_new);
    llm::Workspace ws;
    llm::forward_packed(model, prompt.data(), {{0, 0, prompt_len}}, &cache, llm::LogitsMode::Last, ws);
    llm::Sampler greedy({}, model.config.n_vocab);
    const std::vector<llm::SeqSpan> step = {{0, 0, 1}};
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n_new; ++i) {
      const int32_t token = greedy.sample(ws.logits.data());
      llm::forward_packed(model, &token, step, &cache, llm::LogitsMode::Last, ws);
    }
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  state.counters["decode_tokens/s"] = double(state.iterations()) * n_new / seconds;
}

// ---- batched inference and LoRA training on 64 prompts of mixed length

// model 0: stories260K (data/ or LLACTR_DATA_MIRROR); model 1: SmolLM2-135M shapes, 30 layers, F32;
// model 2: the same with 2 layers (every layer has the same shapes, so the same share of the
// roofline; 15x quicker to run).
const llm::Model* bench_model(int which) {
  if (which == 1) return &smollm_shaped(gguf::GgmlType::F32, 30);
  if (which == 2) return &smollm_shaped(gguf::GgmlType::F32, 2);
  static std::unique_ptr<llm::Model> stories;
  if (!stories) {
    const std::string dir = llactr::testing::find_data("stories260K");
    if (dir.empty()) return nullptr;
    stories = std::make_unique<llm::Model>(llm::load_model(gguf::GgufFile::open(dir + "/stories260K.gguf")));
  }
  return stories.get();
}

// 64 rows, lengths uniform in [50, 150] (mean ~100, capped by the context), random tokens.
llm::PackedBatch mixed_batch(const llm::TransformerConfig& c) {
  std::mt19937 rng(7);
  std::vector<std::vector<int32_t>> rows(64);
  for (auto& r : rows) {
    r.resize(std::min<int>(c.n_ctx, 50 + int(rng() % 101)));
    for (auto& t : r) t = int32_t(rng() % c.n_vocab);
  }
  return llm::pack_sequences(rows);
}

// FLOPs of the batch. Per token at position p, per layer (multiply-add = 2):
//   projections  M = 2 (d q + 2 d kv + q d + 3 d ff)
//   attention    A = 4 n_head hd (p + 1)            (q.k and p.v over the p + 1 visible keys)
//   LoRA         R = 2 r (in + out) per adapted projection (q: d -> q, v: d -> kv)
// Forward = M + A + R. Training adds the backward: M (only dx: the base weights are frozen),
// 2.5 A (scores recomputed, then do.v, dv, dq, dk: 5 products where the forward has 2) and 2 R
// (dA, dB and dx of both skinny products). Norms, RoPE, SwiGLU and the LM head are not counted.
double batch_flops(const llm::TransformerConfig& c, const llm::PackedBatch& b, bool training, int rank) {
  const double d = c.n_embd, q = c.q_dim(), kv = c.kv_dim(), ff = c.n_ff;
  const double M = 2 * (d * q + 2 * d * kv + q * d + 3 * d * ff);
  const double R = 2.0 * rank * ((d + q) + (d + kv));
  double total = 0;
  for (int r = 0; r < b.rows(); ++r) {
    const double A = 4.0 * c.n_head * c.head_dim * (b.pos[size_t(r)] + 1);
    total += training ? 2 * M + 3.5 * A + 3 * R : M + A;
  }
  return total * c.n_layer;
}

void report_batch(benchmark::State& state, double tokens, double flops) {
  const double peak = bench::gemm_roofline_gflops();
  state.counters["tokens/s"] = benchmark::Counter(tokens, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GFLOP/s"] = benchmark::Counter(flops / 1e9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["roofline_GFLOP/s"] = peak;
  // roofline_frac = GFLOP/s / roofline (a rate, so Google Benchmark divides by the time per iteration)
  state.counters["roofline_frac"] = benchmark::Counter(flops / 1e9 / peak, benchmark::Counter::kIsIterationInvariantRate);
}

void BatchInference(benchmark::State& state) {
  const llm::Model* model = bench_model(int(state.range(0)));
  if (!model) return state.SkipWithError("stories260K not found: run `make data` or set LLACTR_DATA_MIRROR");
  const llm::PackedBatch b = mixed_batch(model->config);
  llm::Workspace ws;  // reused between iterations, as a caller running batch after batch would
  llm::forward_packed(*model, b.tokens.data(), b.spans, nullptr, llm::LogitsMode::None, ws);  // warm-up
  for (auto _ : state) {
    llm::forward_packed(*model, b.tokens.data(), b.spans, nullptr, llm::LogitsMode::None, ws);
    benchmark::DoNotOptimize(ws.hidden.data());
  }
  report_batch(state, b.rows(), batch_flops(model->config, b, false, 0));
}

void LoraTrain(benchmark::State& state) {
  const llm::Model* model = bench_model(int(state.range(0)));
  if (!model) return state.SkipWithError("stories260K not found: run `make data` or set LLACTR_DATA_MIRROR");
  const llm::PackedBatch b = mixed_batch(model->config);
  const llm::TrainableTransformer t(*model, llm::LoraOptions{});
  Rng rng(3);
  // A fixed random projection of every hidden row: every row's gradient is non-zero.
  const Var probe = constant(bench::random_tensor({b.rows(), int64_t(model->config.n_embd)}, 5));
  auto step = [&] { backward(sum_all(mul(t.forward(b, {true, &rng}).hidden, probe))); };
  step();  // warm-up
  for (auto _ : state) step();
  report_batch(state, b.rows(), batch_flops(model->config, b, true, t.lora().rank));
}

// ---- one pretraining step at llactr pretrain's default shape

// FLOPs of a full training step on B sequences of T tokens: 6 · parameters · tokens (forward 2,
// backward 4: dx and dW of every matrix; the tied head counts once through token_embd, and the
// embedding lookup is free but the head's product is not, so 6·N is the product count) plus
// attention, 3.5 A per token as batch_flops counts it (A = 4 n_head hd (p + 1)).
double pretrain_step_flops(const llm::TransformerConfig& c, int B, int T) {
  double attention = 0;
  for (int p = 0; p < T; ++p) attention += 4.0 * c.n_head * c.head_dim * (p + 1);
  return 6.0 * double(llm::parameter_count(c)) * B * T + 3.5 * attention * B * c.n_layer;
}

void PretrainStep(benchmark::State& state) {
  const llm::PretrainShape shape;  // the command's defaults
  const llm::TransformerConfig c = llm::pretrain_config(shape, 4096);
  const int B = 16, T = shape.context;
  llm::PackedSequences seqs;
  seqs.len = T + 1;
  std::mt19937 rng(11);
  for (int i = 0; i < B * seqs.len; ++i) seqs.tokens.push_back(int32_t(rng() % c.n_vocab));
  std::vector<int64_t> order(B);
  for (int i = 0; i < B; ++i) order[size_t(i)] = i;
  const llm::LmBatch batch = llm::make_lm_batch(seqs, order, 0, B);
  const llm::TrainableTransformer model(llm::init_model(c, 1), {}, llm::TuneMode::Full);
  llm::PretrainOptions o;
  o.lr = 1e-4f;
  const auto opt = llm::pretrain_optimizer(model.parameters(), o);
  int64_t step = 0;
  llm::pretrain_step(model, *opt, batch, o.clip, ++step);  // warm-up
  for (auto _ : state) llm::pretrain_step(model, *opt, batch, o.clip, ++step);
  report_batch(state, double(B) * T, pretrain_step_flops(c, B, T));
  state.counters["params_M"] = double(llm::parameter_count(c)) / 1e6;
}

void Args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"type", "layers"});
  for (int layers : {2, 30})
    for (auto t : {gguf::GgmlType::F32, gguf::GgmlType::Q8_0}) b->Args({int64_t(t), layers});
  b->Unit(benchmark::kMillisecond)->UseRealTime();
}

}  // namespace

BENCHMARK(bench::BM_GemmRoofline)->Name("GemmRoofline")->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(PromptProcessing)->Apply(Args);
BENCHMARK(Decode)->Apply(Args);
BENCHMARK(BatchInference)->ArgName("model")->DenseRange(0, 2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(LoraTrain)->ArgName("model")->DenseRange(0, 2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(PretrainStep)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK_MAIN();

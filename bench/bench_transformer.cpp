// Transformer speed on a random model with SmolLM2-135M's shapes (hidden 576, 9 heads, 3 KV heads,
// FFN 1536, vocab 49152; 30 layers, or 2 for the quick run), F32 and Q8_0 files:
//   PromptProcessing: one forward over 64 sequences x 64 tokens (logits of each last token);
//   Decode: 64-token prompt, then 32 tokens one at a time with the KV cache;
//   GemmRoofline: a 2048^3 GEMM, the machine's practical f32 peak (bench_common.h).
// Counters: tokens/s, achieved GFLOP/s (matmul + attention flops) and the fraction of the
// roofline measured in the same run.
// BENCH_QUICK_FILTER: GemmRoofline|/layers:2/
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
BENCHMARK_MAIN();

// The trainable (autodiff) transformer: every piece gradient-checked against finite differences
// on a tiny random GQA model (d = 16, 2 layers, 4 query heads, 2 key/value heads), and the whole
// forward compared with the inference forward: with LoRA B = 0, with LoRA applied vs merged
// weights, vs a merged GGUF written to disk, and with bidirectional attention and soft prompts;
// and full tuning, whose parameters are every tensor of the file.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "data_fixtures.h"
#include "gradcheck_util.h"
#include "test_data.h"
#include "llactr/llm/model/language_model.h"
#include "llactr/llm/gguf/gguf.h"
#include "llactr/llm/train/lora_file.h"
#include "support/random_model.h"
#include "llactr/llm/train/trainable_transformer.h"
#include "llactr/llm/model/transformer.h"
#include "llactr/tensor/ops.h"

namespace llactr::llm {
namespace {

using llactr::testing::expect_grads_match;

RandomModelSpec tiny_spec(const std::string& arch = "llama") {
  RandomModelSpec s;
  s.arch = arch;
  s.n_embd = 16, s.n_layer = 2, s.n_head = 4, s.n_head_kv = 2, s.n_ff = 24, s.n_vocab = 40, s.n_ctx = 64;
  s.seed = 11;
  return s;
}

gguf::GgufFile tiny_file(const RandomModelSpec& s) { return gguf::GgufFile::from_memory(random_model_writer(s).to_bytes()); }
Model tiny_model(const std::string& arch = "llama") { return load_model(tiny_file(tiny_spec(arch))); }

const std::vector<std::vector<int32_t>> kSeqs = {{1, 5, 9, 3, 7}, {2, 8}, {4, 4, 6, 11, 12, 13, 30}};

// Sets every LoRA B to small random values (A stays as initialised), so the adapters matter.
void randomise_lora_b(const TrainableTransformer& t, uint64_t seed) {
  Rng rng(seed);
  for (Var p : t.lora_parameters())
    if (p.name().find("lora_b") != std::string::npos)
      for (int64_t i = 0; i < p.numel(); ++i) p.value()[i] = rng.normal(0.0f, 0.3f);
}

// What the whole-forward gradient checks compare: the last-token hidden states and the LM logits
// of every row, flattened.
Var last_and_logits(const TrainableTransformer& t, const PackedBatch& b) {
  const TrainableOutput out = t.forward(b);
  return concat({reshape(out.last, {-1}), reshape(t.lm_logits(out.hidden), {-1})}, 0);
}

// max |a - b| / max |b|
double relative_error(const float* a, const float* b, size_t n) {
  double diff = 0, scale = 0;
  for (size_t i = 0; i < n; ++i) diff = std::max(diff, double(std::abs(a[i] - b[i]))), scale = std::max(scale, double(std::abs(b[i])));
  return diff / scale;
}

// The packed trainable hidden states [N, d] against the inference forward's padded [B, T, d].
double error_vs_inference(const Var& hidden, const Model& inference_model, const PackedBatch& batch) {
  const ForwardOutput ref = forward(inference_model, kSeqs, {LogitsMode::None, false});
  const int d = inference_model.config.n_embd;
  std::vector<float> packed_ref;
  for (const SeqSpan& sp : batch.spans) {
    const float* row0 = ref.hidden.data() + size_t(sp.seq) * ref.max_len * d;
    packed_ref.insert(packed_ref.end(), row0, row0 + size_t(sp.n) * d);
  }
  return relative_error(hidden.value().data(), packed_ref.data(), packed_ref.size());
}

TEST(TrainableOps, PackSequencesRowsAndPositions) {
  const PackedBatch b = pack_sequences(kSeqs);
  EXPECT_EQ(b.rows(), 14);
  EXPECT_EQ(b.size(), 3);
  EXPECT_EQ(b.spans[2].row0, 7);
  EXPECT_EQ(b.pos[7], 0);
  EXPECT_EQ(b.pos[13], 6);
  EXPECT_THROW(pack_sequences({{1}, {}}), std::invalid_argument);
}

TEST(TrainableOps, RopeGradCheckBothStyles) {
  for (RopeStyle style : {RopeStyle::Normal, RopeStyle::Neox}) {
    TransformerConfig c = tiny_model().config;
    c.rope = style;
    c.n_rot = 2;  // partial rotation: dims >= n_rot pass through
    const PackedBatch b = pack_sequences(kSeqs);
    const auto angles = rope_angles_for(b, c);
    Var x = random_param({b.rows(), c.q_dim()}, 3);
    expect_grads_match([&](const std::vector<Var>& in) { return rope_op(in[0], angles, c.n_head, c); }, {x});
  }
}

TEST(TrainableOps, CausalAttentionGradCheckWithGqaAndSpans) {
  const TransformerConfig c = tiny_model().config;
  ASSERT_LT(c.n_head_kv, c.n_head);
  const PackedBatch b = pack_sequences(kSeqs);
  Var q = random_param({b.rows(), c.q_dim()}, 4), k = random_param({b.rows(), c.kv_dim()}, 5),
      v = random_param({b.rows(), c.kv_dim()}, 6);
  expect_grads_match([&](const std::vector<Var>& in) { return attention_op(in[0], in[1], in[2], b, c); },
                     {q, k, v});
}

// Changing the last key/value of sequence 0 (row 4) moves only rows of sequence 0: in the causal
// mask none before it, in the bidirectional mask all of them; no row of another sequence.
TEST(TrainableOps, AttentionMaskDecidesWhichRowsSeeAKey) {
  const TransformerConfig c = tiny_model().config;
  const PackedBatch b = pack_sequences(kSeqs);
  NoGrad no_grad;
  for (AttentionMask mask : {AttentionMask::Causal, AttentionMask::Bidirectional}) {
    Var q = random_param({b.rows(), c.q_dim()}, 4), k = random_param({b.rows(), c.kv_dim()}, 5),
        v = random_param({b.rows(), c.kv_dim()}, 6);
    const Tensor before = attention_op(q, k, v, b, c, mask).value();
    for (int i = 0; i < c.kv_dim(); ++i) k.value()[4 * c.kv_dim() + i] += 1.0f, v.value()[4 * c.kv_dim() + i] -= 2.0f;
    const Tensor after = attention_op(q, k, v, b, c, mask).value();
    for (int r = 0; r < b.rows(); ++r) {
      if (r == 4) continue;
      const bool sees_row_4 = mask == AttentionMask::Bidirectional && r < 4;
      for (int i = 0; i < c.q_dim(); ++i) {
        const int64_t e = int64_t(r) * c.q_dim() + i;
        if (sees_row_4)
          EXPECT_NE(before[e], after[e]) << "row " << r;
        else
          EXPECT_EQ(before[e], after[e]) << "row " << r;
      }
    }
  }
}

// Bidirectional attention, and prefix keys/values of one layer (the op gives the prefix the
// gradient of that layer's slices only), in both masks.
TEST(TrainableOps, AttentionGradCheckBidirectionalAndPrefix) {
  const TransformerConfig c = tiny_model().config;
  const PackedBatch b = pack_sequences(kSeqs);
  for (AttentionMask mask : {AttentionMask::Causal, AttentionMask::Bidirectional})
    for (int n_prefix : {0, 2}) {
      if (mask == AttentionMask::Causal && n_prefix == 0) continue;  // CausalAttentionGradCheckWithGqaAndSpans
      SCOPED_TRACE("prefix " + std::to_string(n_prefix) + (mask == AttentionMask::Causal ? " causal" : " bidirectional"));
      std::vector<Var> in = {random_param({b.rows(), c.q_dim()}, 4), random_param({b.rows(), c.kv_dim()}, 5),
                             random_param({b.rows(), c.kv_dim()}, 6)};
      if (n_prefix) in.push_back(random_param({b.size(), n_prefix * c.n_layer * 2 * c.kv_dim()}, 7));
      expect_grads_match(
          [&](const std::vector<Var>& x) { return attention_op(x[0], x[1], x[2], b, c, mask, n_prefix ? x[3] : Var(), 1); },
          in);
    }
}

TEST(TrainableOps, LoraLinearGradCheck) {
  // Every input at once: x, W, b, the adapter A, B, and the residual, with a dropout mask.
  Var x = random_param({7, 5}, 40), W = random_param({6, 5}, 41, 0.5f), b = random_param({6}, 42),
      A = random_param({3, 5}, 43, 0.5f), B = random_param({6, 3}, 44, 0.5f), res = random_param({7, 6}, 45);
  Rng rng(2);
  const Tensor mask = dropout_mask(x.shape(), 0.3f, rng);
  expect_grads_match(
      [&](const std::vector<Var>& in) { return lora_linear(in[0], in[1], in[2], in[3], in[4], 1.5f, mask, in[5]); },
      {x, W, b, A, B, res});
  // Without the optional parts.
  expect_grads_match([&](const std::vector<Var>& in) { return lora_linear(in[0], in[1], {}, {}, {}, 1.0f, {}, {}); },
                     {x, W});
  EXPECT_THROW(lora_linear(x, W, b, A, {}, 1.0f, {}, {}), std::invalid_argument);
  EXPECT_THROW(lora_linear(x, W, b, {}, {}, 1.0f, {}, random_param({7, 5}, 46)), std::invalid_argument);
}

TEST(TrainableOps, LoraLinearComputesWhatTheUnfusedOpsCompute) {
  // residual + linear(x, W, b) + scale · linear(linear(dropout(x), A), B), values and gradients.
  Var x = random_param({9, 8}, 50), W = random_param({5, 8}, 51), b = random_param({5}, 52),
      A = random_param({2, 8}, 53), B = random_param({5, 2}, 54), res = random_param({9, 5}, 55);
  const Var probe = constant(random_param({9, 5}, 56).value());
  auto run = [&](bool fused) {
    for (Var v : {x, W, b, A, B, res}) v.grad().fill(0.0f);
    Rng rng(4);
    Var y;
    if (fused) {
      y = lora_linear(x, W, b, A, B, 2.0f, dropout_mask(x.shape(), 0.25f, rng), res);
    } else {
      const Var lora = mul_scalar(linear(linear(dropout(x, 0.25f, rng, true), A), B), 2.0f);
      y = add(res, add(linear(x, W, b), lora));
    }
    backward(sum_all(mul(y, probe)));
    return std::vector<Tensor>{y.value(), x.grad(), W.grad(), b.grad(), A.grad(), B.grad(), res.grad()};
  };
  const std::vector<Tensor> fused = run(true), separate = run(false);
  for (size_t k = 0; k < fused.size(); ++k)
    for (int64_t i = 0; i < fused[k].numel(); ++i)
      EXPECT_NEAR(fused[k][i], separate[k][i], 1e-6 * (1.0 + std::abs(separate[k][i]))) << k << " " << i;
}

TEST(TrainablePieces, TokenEmbeddingGradCheck) {
  const PackedBatch b = pack_sequences(kSeqs);
  Var table = random_param({40, 16}, 7);
  expect_grads_match([&](const std::vector<Var>& in) { return embed_tokens(in[0], b); }, {table});
}

// A layer whose every weight is a random parameter (so gradients of all of them are checked).
TrainableLayer random_layer(const TransformerConfig& c, bool lora, uint64_t seed) {
  auto W = [&](int64_t out, int64_t in) { return random_param({out, in}, seed++, 1.0f / std::sqrt(float(in))); };
  auto proj = [&](int64_t out, int64_t in) {
    Projection p{W(out, in), {}, {}, {}};
    if (lora) p.lora_a = W(2, in), p.lora_b = random_param({out, 2}, seed++, 0.3f);
    return p;
  };
  TrainableLayer L;
  L.attn_norm = random_param({c.n_embd}, seed++, 0.2f);
  L.ffn_norm = random_param({c.n_embd}, seed++, 0.2f);
  for (int i = 0; i < c.n_embd; ++i) L.attn_norm.value()[i] += 1.0f, L.ffn_norm.value()[i] += 1.0f;
  L.q = proj(c.q_dim(), c.n_embd), L.k = proj(c.kv_dim(), c.n_embd), L.v = proj(c.kv_dim(), c.n_embd);
  L.o = proj(c.n_embd, c.q_dim());
  L.gate = proj(c.n_ff, c.n_embd), L.up = proj(c.n_ff, c.n_embd), L.down = proj(c.n_embd, c.n_ff);
  return L;
}

std::vector<Var> all_weights(const TrainableLayer& L, bool attention) {
  std::vector<Var> v = {attention ? L.attn_norm : L.ffn_norm};
  for (const Projection* p : attention ? std::vector<const Projection*>{&L.q, &L.k, &L.v, &L.o}
                                       : std::vector<const Projection*>{&L.gate, &L.up, &L.down}) {
    v.push_back(p->W);
    if (p->lora_a) v.push_back(p->lora_a), v.push_back(p->lora_b);
  }
  return v;
}

TEST(TrainablePieces, AttentionBlockGradCheck) {
  // RMSNorm, q/k/v/o projections with LoRA, RoPE, causal GQA attention over 3 sequences, residual.
  const TransformerConfig c = tiny_model().config;
  const PackedBatch b = pack_sequences(kSeqs);
  const auto angles = rope_angles_for(b, c);
  const TrainableLayer L = random_layer(c, true, 20);
  LoraOptions lora;
  lora.rank = 2, lora.alpha = 2;  // scale 1: a larger one saturates the softmax, and finite differences with it
  std::vector<Var> inputs = all_weights(L, true);
  inputs.insert(inputs.begin(), random_param({b.rows(), c.n_embd}, 8));
  expect_grads_match(
      [&](const std::vector<Var>& in) { return attention_block(in[0], L, b, angles, c, lora, {}); }, inputs);
}

TEST(TrainablePieces, FfnBlockGradCheck) {
  // RMSNorm, SwiGLU with LoRA on gate/up/down, residual.
  const TransformerConfig c = tiny_model().config;
  const TrainableLayer L = random_layer(c, true, 40);
  LoraOptions lora;
  lora.rank = 2, lora.alpha = 2;  // scale 1: a larger one saturates the softmax, and finite differences with it
  std::vector<Var> inputs = all_weights(L, false);
  inputs.insert(inputs.begin(), random_param({6, c.n_embd}, 9));
  expect_grads_match([&](const std::vector<Var>& in) { return ffn_block(in[0], L, c, lora, {}); }, inputs);
}

TEST(TrainablePieces, LmHeadAndPoolingGradCheck) {
  const PackedBatch b = pack_sequences(kSeqs);
  Var hidden = random_param({b.rows(), 16}, 10), head = random_param({40, 16}, 11, 0.25f);
  expect_grads_match([&](const std::vector<Var>& in) { return linear(last_rows(in[0], b), in[1]); }, {hidden, head});
  expect_grads_match([&](const std::vector<Var>& in) { return mean_rows(in[0], b); }, {hidden});
}

TEST(TrainablePieces, MeanRowsAveragesEachSequence) {
  const PackedBatch b = pack_sequences({{1, 2}, {3}});
  Var h = constant(Tensor({3, 2}, {1, 2, 3, 4, 10, 20}));
  const Tensor m = mean_rows(h, b).value();
  EXPECT_EQ(m.shape(), (Shape{2, 2}));
  EXPECT_FLOAT_EQ(m[0], 2.0f);
  EXPECT_FLOAT_EQ(m[1], 3.0f);
  EXPECT_FLOAT_EQ(m[2], 10.0f);
  EXPECT_FLOAT_EQ(m[3], 20.0f);
}

TEST(TrainableTransformer, MatchesInferenceForwardWithZeroLoraB) {
  for (const std::string arch : {"llama", "qwen2"}) {
    const Model m = tiny_model(arch);
    const TrainableTransformer t(m, {});
    const PackedBatch b = pack_sequences(kSeqs);
    NoGrad no_grad;
    EXPECT_LT(error_vs_inference(t.forward(b).hidden, m, b), 1e-5) << arch;
  }
}

// llama's optional biases and rope_freqs, qwen2's output.bias (tied head): the trainable forward
// and its LM head agree with the inference forward, and merging adapters keeps the biases.
TEST(TrainableTransformer, OptionalTensorsMatchInferenceForward) {
  RandomModelSpec llama = tiny_spec("llama");
  llama.qkv_bias = llama.attn_output_bias = llama.ffn_bias = llama.rope_freqs = true;
  RandomModelSpec qwen2 = tiny_spec("qwen2");
  qwen2.output_bias = qwen2.tied_output = true;
  for (const RandomModelSpec& spec : {llama, qwen2}) {
    const Model m = load_model(tiny_file(spec));
    LoraOptions lora;
    lora.targets = {"o", "gate", "down"};
    const TrainableTransformer t(m, lora);
    const PackedBatch b = pack_sequences(kSeqs);
    NoGrad no_grad;
    const TrainableOutput out = t.forward(b);
    EXPECT_LT(error_vs_inference(out.hidden, m, b), 1e-5) << spec.arch;
    const ForwardOutput ref = forward(m, kSeqs, {LogitsMode::All, false});
    std::vector<float> packed_ref;
    for (const SeqSpan& sp : b.spans) {
      const float* row0 = ref.logits.data() + size_t(sp.seq) * ref.max_len * m.config.n_vocab;
      packed_ref.insert(packed_ref.end(), row0, row0 + size_t(sp.n) * m.config.n_vocab);
    }
    EXPECT_LT(relative_error(t.lm_logits(out.hidden).value().data(), packed_ref.data(), packed_ref.size()), 1e-5)
        << spec.arch;
    randomise_lora_b(t, 9);
    EXPECT_LT(error_vs_inference(t.forward(b).hidden, t.merged_model(), b), 1e-5) << spec.arch;
  }
}

// Random prompts for a batch of S sequences: n_prefix prefix slots and n_soft soft tokens each.
PromptVars random_prompts(const TransformerConfig& c, int S, int n_prefix, int n_soft, AttentionMask mask, uint64_t seed) {
  PromptVars p;
  p.attention = mask;
  if (n_prefix) p.prefix = constant(random_param({S, n_prefix * c.n_layer * 2 * c.kv_dim()}, seed).value());
  if (n_soft) p.soft = constant(random_param({S, n_soft * c.n_embd}, seed + 1).value());
  return p;
}

// The trainable forward with prompts agrees with the inference forward with the same prompts
// (which agrees with the scalar reference, test_transformer.cpp).
TEST(TrainableTransformer, BidirectionalAndPromptsMatchInferenceForward) {
  for (const std::string arch : {"llama", "qwen2"})
    for (AttentionMask mask : {AttentionMask::Causal, AttentionMask::Bidirectional})
      for (auto [n_prefix, n_soft] : std::vector<std::pair<int, int>>{{0, 0}, {3, 0}, {0, 2}, {3, 2}}) {
        SCOPED_TRACE(arch + " prefix " + std::to_string(n_prefix) + " soft " + std::to_string(n_soft) +
                     (mask == AttentionMask::Causal ? " causal" : " bidirectional"));
        const Model m = tiny_model(arch);
        const TrainableTransformer t(m, {});
        randomise_lora_b(t, 3);
        const PackedBatch b = pack_sequences(kSeqs);
        const PromptVars p = random_prompts(m.config, b.size(), n_prefix, n_soft, mask, 12);
        NoGrad no_grad;
        const TrainableOutput out = t.forward(b, {}, p);
        const Prompts same = {mask, n_prefix, n_prefix ? p.prefix.value().data() : nullptr, n_soft,
                              n_soft ? p.soft.value().data() : nullptr};
        const ForwardOutput ref = forward(t.merged_model(), kSeqs, {LogitsMode::None, false}, same);
        const int d = m.config.n_embd;
        ASSERT_EQ(out.hidden.shape(), (Shape{b.rows(), d}));
        for (const SeqSpan& sp : b.spans) {
          EXPECT_LT(relative_error(out.hidden.value().data() + size_t(sp.row0) * d,
                                   ref.hidden.data() + size_t(sp.seq) * ref.max_len * d, size_t(sp.n) * d),
                    1e-5);
          EXPECT_LT(relative_error(out.last.value().data() + size_t(sp.seq) * d,
                                   ref.hidden.data() + (size_t(sp.seq) * ref.max_len + sp.n - 1) * d, d),
                    1e-5);
        }
      }
}

// Prompts of no prefix slots and no soft tokens are the plain forward, bit for bit.
TEST(TrainableTransformer, EmptyPromptsAreThePlainForwardBitForBit) {
  const TrainableTransformer t(tiny_model(), {});
  randomise_lora_b(t, 4);
  const PackedBatch b = pack_sequences(kSeqs);
  NoGrad no_grad;
  const Tensor plain = t.forward(b).hidden.value();
  const Tensor empty =
      t.forward(b, {}, {AttentionMask::Causal, constant(Tensor({b.size(), 0})), constant(Tensor({b.size(), 0}))})
          .hidden.value();
  ASSERT_EQ(plain.shape(), empty.shape());
  for (int64_t i = 0; i < plain.numel(); ++i) ASSERT_EQ(plain[i], empty[i]) << i;
}

// ClickPrompt's chain: h -> generator -> prefix keys/values and soft tokens -> bidirectional
// LLM with LoRA -> last hidden state and LM logits. Gradients reach the generator and h.
TEST(TrainableTransformer, GradCheckThroughPromptsIntoGeneratorAndInput) {
  LoraOptions lora;
  lora.rank = 2, lora.alpha = 2;  // scale 1 (see WholeForwardGradCheckWrtLora)
  const TrainableTransformer t(tiny_model(), lora);
  randomise_lora_b(t, 6);
  const TransformerConfig& c = t.config();
  const PackedBatch b = pack_sequences(kSeqs);
  const int n_prefix = 2, n_soft = 1, H = 8;
  Var h = random_param({b.size(), 6}, 21), W1 = random_param({H, 6}, 22, 0.4f),
      Wp = random_param({n_prefix * c.n_layer * 2 * c.kv_dim(), H}, 23, 0.5f),
      Ws = random_param({n_soft * c.n_embd, H}, 24, 0.5f);
  std::vector<Var> inputs = {h, W1, Wp, Ws};
  for (const Var& p : t.lora_parameters()) inputs.push_back(p);
  for (AttentionMask mask : {AttentionMask::Causal, AttentionMask::Bidirectional}) {
    SCOPED_TRACE(mask == AttentionMask::Causal ? "causal" : "bidirectional");
    expect_grads_match(
        [&](const std::vector<Var>& in) {
          const Var g = tanh(linear(in[0], in[1]));  // [B, H]
          const TrainableOutput out = t.forward(b, {}, {mask, linear(g, in[2]), linear(g, in[3])});
          return concat({reshape(out.last, {-1}), reshape(t.lm_logits(out.hidden), {-1})}, 0);
        },
        inputs);
  }
}

// 0 sequences, a sequence of 0 tokens and one longer than the context are errors that say so.
TEST(TrainableBatch, RejectsEmptyBatchEmptyRowAndRowPastTheContext) {
  const Model m = tiny_model();  // n_ctx 64
  const TrainableTransformer t(m, {});
  EXPECT_THROW(t.forward(pack_sequences({})), std::invalid_argument);
  EXPECT_THROW(pack_sequences({{1, 2}, {}}), std::invalid_argument);
  PackedBatch bad = pack_sequences({{1, 2}});
  bad.spans[0].n = 3;  // past the packed rows
  EXPECT_THROW(t.forward(bad), std::invalid_argument);
  EXPECT_NO_THROW(t.forward(pack_sequences({std::vector<int32_t>(64, 3)})));
  EXPECT_THROW(t.forward(pack_sequences({{1}, std::vector<int32_t>(65, 3)})), std::out_of_range);
}

// Mixed-length batches big enough for the threaded attention op.
std::vector<std::vector<int32_t>> mixed_sequences(int n_vocab) {
  std::vector<std::vector<int32_t>> seqs;
  for (int b = 0; b < 24; ++b) {
    seqs.emplace_back(size_t(40 + (b * 5) % 24));
    for (size_t i = 0; i < seqs.back().size(); ++i) seqs.back()[i] = int32_t((b * 3 + i * 7) % n_vocab);
  }
  return seqs;
}

// The attention op's output and its q, k, v gradients are the same bits on 1 and 2 threads.
TEST(TrainableBatch, AttentionSameOnOneAndTwoThreads) {
  const TransformerConfig c = tiny_model().config;  // 4 heads, 2 kv heads, head size 4
  const PackedBatch batch = pack_sequences(mixed_sequences(c.n_vocab));
  const int64_t N = batch.rows();
  testing::expect_same_on_1_and_2_threads([&] {
    Rng rng(8);
    auto random = [&](int64_t cols) {
      Tensor t({N, cols});
      for (int64_t i = 0; i < t.numel(); ++i) t[i] = rng.normal(0.0f, 1.0f);
      return parameter(std::move(t));
    };
    const Var q = random(c.q_dim()), k = random(c.kv_dim()), v = random(c.kv_dim());
    const Var out = attention_op(q, k, v, batch, c);
    Tensor probe(out.shape());
    for (int64_t i = 0; i < probe.numel(); ++i) probe[i] = rng.normal(0.0f, 1.0f);
    backward(sum_all(mul(out, constant(probe))));
    return std::vector<Tensor>{out.value(), q.node()->grad, k.node()->grad, v.node()->grad};
  });
}

// The whole trainable forward: the same bits on 1 and 2 threads, and each row's hidden states
// those of the row alone (1e-5 relative).
TEST(TrainableBatch, MixedLengthsSameOnOneAndTwoThreadsAndAsEachRowAlone) {
  const Model m = tiny_model("qwen2");
  const TrainableTransformer t(m, {});
  randomise_lora_b(t, 9);
  const std::vector<std::vector<int32_t>> seqs = mixed_sequences(m.config.n_vocab);
  const PackedBatch batch = pack_sequences(seqs);
  NoGrad no_grad;
  const std::vector<Tensor> out =
      testing::expect_same_on_1_and_2_threads([&] { return std::vector<Tensor>{t.forward(batch).hidden.value()}; });
  const int d = m.config.n_embd;
  for (const SeqSpan& sp : batch.spans) {
    const Var alone = t.forward(pack_sequences({seqs[size_t(sp.seq)]})).hidden;
    EXPECT_LT(relative_error(out[0].data() + size_t(sp.row0) * d, alone.value().data(), size_t(sp.n) * d), 1e-5)
        << "sequence " << sp.seq;
  }
}

// With bidirectional attention, a prefix and soft tokens: the attention op's output and its q, k,
// v and prefix gradients, and the whole forward, are the same bits on 1 and 2 threads, and each
// row's hidden states those of the row alone with its own prompts (1e-5 relative).
TEST(TrainableBatch, BidirectionalAndPromptsSameOnOneAndTwoThreadsAndAsEachRowAlone) {
  RandomModelSpec spec = tiny_spec("qwen2");
  spec.n_ctx = 128;  // room for the prompts
  const Model m = load_model(tiny_file(spec));
  const TransformerConfig& c = m.config;
  const std::vector<std::vector<int32_t>> seqs = mixed_sequences(c.n_vocab);
  const PackedBatch batch = pack_sequences(seqs);
  const int64_t N = batch.rows(), S = batch.size(), n_prefix = 4, n_soft = 3;
  testing::expect_same_on_1_and_2_threads([&] {
    Rng rng(8);
    auto random = [&](int64_t rows, int64_t cols) {
      Tensor t({rows, cols});
      for (int64_t i = 0; i < t.numel(); ++i) t[i] = rng.normal(0.0f, 1.0f);
      return parameter(std::move(t));
    };
    const Var q = random(N, c.q_dim()), k = random(N, c.kv_dim()), v = random(N, c.kv_dim()),
              prefix = random(S, n_prefix * c.n_layer * 2 * c.kv_dim());
    const Var out = attention_op(q, k, v, batch, c, AttentionMask::Bidirectional, prefix, 1);
    Tensor probe(out.shape());
    for (int64_t i = 0; i < probe.numel(); ++i) probe[i] = rng.normal(0.0f, 1.0f);
    backward(sum_all(mul(out, constant(probe))));
    return std::vector<Tensor>{out.value(), q.node()->grad, k.node()->grad, v.node()->grad, prefix.node()->grad};
  });

  const TrainableTransformer t(m, {});
  randomise_lora_b(t, 9);
  const PromptVars p = random_prompts(c, int(S), int(n_prefix), int(n_soft), AttentionMask::Bidirectional, 13);
  NoGrad no_grad;
  const std::vector<Tensor> out =
      testing::expect_same_on_1_and_2_threads([&] { return std::vector<Tensor>{t.forward(batch, {}, p).hidden.value()}; });
  const int d = c.n_embd;
  for (const SeqSpan& sp : batch.spans) {
    const PromptVars own = {p.attention, slice(p.prefix, 0, sp.seq, 1), slice(p.soft, 0, sp.seq, 1)};
    const Var alone = t.forward(pack_sequences({seqs[size_t(sp.seq)]}), {}, own).hidden;
    EXPECT_LT(relative_error(out[0].data() + size_t(sp.row0) * d, alone.value().data(), size_t(sp.n) * d), 1e-5)
        << "sequence " << sp.seq;
  }
}

// Prompts of the wrong shape, a sequence whose prompts and tokens exceed the context, and soft
// tokens with spans that do not tile the rows are errors before any work.
TEST(TrainableBatch, RejectsBadPrompts) {
  const Model m = tiny_model();  // n_ctx 64, 2 layers, kv_dim 8, d 16
  const TrainableTransformer t(m, {});
  const PackedBatch b = pack_sequences(kSeqs);
  const Var prefix = constant(Tensor({3, 2 * 2 * 2 * 8})), soft = constant(Tensor({3, 2 * 16}));
  using M = AttentionMask;
  EXPECT_NO_THROW(t.forward(b, {}, {M::Bidirectional, prefix, soft}));
  EXPECT_THROW(t.forward(b, {}, {M::Causal, constant(Tensor({3, 7})), Var()}), std::invalid_argument);
  EXPECT_THROW(t.forward(b, {}, {M::Causal, constant(Tensor({2, 32})), Var()}), std::invalid_argument);
  EXPECT_THROW(t.forward(b, {}, {M::Causal, Var(), constant(Tensor({3, 17}))}), std::invalid_argument);
  EXPECT_THROW(t.forward(b, {}, {M::Causal, Var(), constant(Tensor({3 * 2, 16}))}), std::invalid_argument);
  // 60 tokens + 2 prefix slots + 2 soft tokens = 64 fit; 61 do not
  const Var prefix1 = constant(Tensor({1, 2 * 2 * 2 * 8})), soft1 = constant(Tensor({1, 2 * 16}));
  EXPECT_NO_THROW(t.forward(pack_sequences({std::vector<int32_t>(60, 3)}), {}, {M::Causal, prefix1, soft1}));
  try {
    t.forward(pack_sequences({std::vector<int32_t>(61, 3)}), {}, {M::Causal, prefix1, soft1});
    ADD_FAILURE() << "61 tokens and 4 prompt rows passed a context of 64";
  } catch (const std::out_of_range& e) {
    EXPECT_NE(std::string(e.what()).find("sequence 0 needs 65 positions"), std::string::npos) << e.what();
  }
  PackedBatch reordered = pack_sequences({{1, 2}, {3}});
  std::swap(reordered.spans[0], reordered.spans[1]);
  EXPECT_THROW(t.forward(reordered, {}, {M::Causal, Var(), constant(Tensor({2, 16}))}), std::invalid_argument);
}

TEST(TrainableTransformer, LoraForwardMatchesMergedInferenceForward) {
  LoraOptions lora;
  lora.targets = {"q", "k", "v", "o", "gate", "up", "down"};
  const Model m = tiny_model();
  const TrainableTransformer t(m, lora);
  randomise_lora_b(t, 5);
  const PackedBatch b = pack_sequences(kSeqs);
  NoGrad no_grad;
  const Var hidden = t.forward(b).hidden;
  EXPECT_GT(error_vs_inference(hidden, m, b), 1e-3);  // the adapters change the output
  EXPECT_LT(error_vs_inference(hidden, t.merged_model(), b), 1e-5);
}

TEST(TrainableTransformer, WholeForwardGradCheckWrtLora) {
  LoraOptions lora;
  lora.rank = 2, lora.alpha = 2;  // scale 1: a larger one saturates the softmax, and finite differences with it
  lora.targets = {"q", "v", "down"};
  const TrainableTransformer t(tiny_model(), lora);
  randomise_lora_b(t, 6);
  const PackedBatch b = pack_sequences(kSeqs);
  expect_grads_match([&](const std::vector<Var>&) { return last_and_logits(t, b); }, t.lora_parameters());
}

// Full tuning: every tensor of the GGUF is a parameter under its own name (a llama file with its
// head tied to the token table; qwen2 with its biases, a head and a head bias), there are no
// adapters, the forward is the inference forward, and after a change to the weights
// merged_model() is the trained model.
TEST(TrainableTransformer, FullTuningMakesEveryTensorOfTheFileAParameter) {
  for (const std::string arch : {"llama", "qwen2"}) {
    SCOPED_TRACE(arch);
    RandomModelSpec spec = tiny_spec(arch);
    spec.tied_output = arch == "llama";
    spec.output_bias = arch == "qwen2";
    const gguf::GgufFile f = tiny_file(spec);
    const Model m = load_model(f);
    const TrainableTransformer t(m, LoraOptions{}, TuneMode::Full);
    EXPECT_TRUE(t.lora_parameters().empty());
    std::set<std::string> names, file_names;
    for (const Var& p : t.parameters()) names.insert(p.name());
    for (const gguf::TensorInfo& ti : f.tensors()) file_names.insert(ti.name);
    EXPECT_EQ(names, file_names);
    const PackedBatch b = pack_sequences(kSeqs);
    NoGrad no_grad;
    EXPECT_LT(error_vs_inference(t.forward(b).hidden, m, b), 1e-5);
    for (Var p : t.parameters())
      if (p.name() == "blk.1.ffn_up.weight" || p.name() == "token_embd.weight")
        for (int64_t i = 0; i < p.numel(); ++i) p.value()[i] *= 1.5f;
    const Var trained = t.forward(b).hidden;
    EXPECT_GT(error_vs_inference(trained, m, b), 1e-3);
    EXPECT_LT(error_vs_inference(trained, t.merged_model(), b), 1e-5);
  }
}

// The whole forward's gradient reaches every weight, bias and norm of a qwen2 model (with biases).
TEST(TrainableTransformer, WholeForwardGradCheckWrtEveryWeightUnderFullTuning) {
  const TrainableTransformer t(tiny_model("qwen2"), LoraOptions{}, TuneMode::Full);
  const PackedBatch b = pack_sequences(kSeqs);
  expect_grads_match([&](const std::vector<Var>&) { return last_and_logits(t, b); }, t.parameters());
}

TEST(TrainableTransformer, DropoutOnlyInTraining) {
  LoraOptions lora;
  lora.dropout = 0.5f;
  const TrainableTransformer t(tiny_model(), lora);
  randomise_lora_b(t, 7);
  const PackedBatch b = pack_sequences(kSeqs);
  NoGrad no_grad;
  Rng r1(1), r2(1);
  const Tensor eval = t.forward(b).last.value();
  const Tensor train1 = t.forward(b, {true, &r1}).last.value();
  const Tensor train2 = t.forward(b, {true, &r2}).last.value();
  EXPECT_GT(relative_error(train1.data(), eval.data(), eval.numel()), 1e-4);
  EXPECT_EQ(relative_error(train1.data(), train2.data(), eval.numel()), 0.0);  // same seed, same masks
  EXPECT_THROW(t.forward(b, {true, nullptr}), std::invalid_argument);
}

TEST(TrainableTransformer, RejectsBadOptionsAndTokens) {
  LoraOptions bad;
  bad.targets = {"q", "w"};
  EXPECT_THROW(TrainableTransformer(tiny_model(), bad), std::invalid_argument);
  bad.targets = {"q"}, bad.rank = 0;
  EXPECT_THROW(TrainableTransformer(tiny_model(), bad), std::invalid_argument);
  const TrainableTransformer t(tiny_model(), {});
  EXPECT_THROW(t.forward(pack_sequences({{1, 40}})), std::out_of_range);
}

TEST(TrainableTransformer, MergedGgufMatchesBasePlusLora) {
  llactr::testing::TempDir dir;
  const RandomModelSpec spec = tiny_spec();
  random_model_writer(spec).write(dir.file("base.gguf"));
  const TrainableTransformer t(load_model(dir.file("base.gguf")), {});
  randomise_lora_b(t, 8);
  write_merged_gguf(dir.file("base.gguf"), t, dir.file("merged.gguf"));

  const gguf::GgufFile base = gguf::GgufFile::open(dir.file("base.gguf"));
  const gguf::GgufFile merged = gguf::GgufFile::open(dir.file("merged.gguf"));
  EXPECT_EQ(merged.metadata().size(), base.metadata().size());
  EXPECT_EQ(merged.tensors().size(), base.tensors().size());
  EXPECT_EQ(merged.dequantize(merged.tensor("blk.1.attn_k.weight")), base.dequantize(base.tensor("blk.1.attn_k.weight")));
  EXPECT_NE(merged.dequantize(merged.tensor("blk.1.attn_q.weight")), base.dequantize(base.tensor("blk.1.attn_q.weight")));

  const PackedBatch b = pack_sequences(kSeqs);
  NoGrad no_grad;
  EXPECT_LT(error_vs_inference(t.forward(b).hidden, load_model(merged), b), 1e-5);
}

TEST(TrainableTransformer, Stories260KMatchesInferenceForward) {
  LLACTR_REQUIRE_DATA(dir, "stories260K");
  const LanguageModel lm = open_language_model(dir + "/stories260K.gguf");
  const std::vector<std::vector<int32_t>> seqs = {lm.tokenizer.encode("Once upon a time, there was a cat."),
                                                  lm.tokenizer.encode("The feature is: Toy Story (1995).")};
  const TrainableTransformer t(lm.model, {});
  NoGrad no_grad;
  const PackedBatch b = pack_sequences(seqs);
  const Tensor hidden = t.forward(b).hidden.value();
  const ForwardOutput ref = forward(lm.model, seqs, {LogitsMode::None, false});
  const int d = lm.model.config.n_embd;
  for (const SeqSpan& sp : b.spans)
    EXPECT_LT(relative_error(hidden.data() + size_t(sp.row0) * d, ref.hidden.data() + size_t(sp.seq) * ref.max_len * d,
                             size_t(sp.n) * d),
              1e-5);
}

TEST(LoraCheckpoint, SavesAndLoadsAdapters) {
  llactr::testing::TempDir dir;
  const TrainableTransformer a(tiny_model(), {});
  randomise_lora_b(a, 9);
  save_lora_adapters(a, dir.file("lora.gguf"));
  LoraOptions other_seed;
  other_seed.seed = 99;
  TrainableTransformer b(tiny_model(), other_seed);
  load_lora_adapters(dir.file("lora.gguf"), b);
  const std::vector<Var> pa = a.lora_parameters(), pb = b.lora_parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (size_t i = 0; i < pa.size(); ++i)
    EXPECT_EQ(relative_error(pa[i].value().data(), pb[i].value().data(), pa[i].numel()), 0.0) << pa[i].name();
  const gguf::GgufFile f = gguf::GgufFile::open(dir.file("lora.gguf"));
  EXPECT_EQ(f.get_string("adapter.type"), "lora");
  EXPECT_EQ(f.tensor("blk.0.attn_q.weight.lora_a").ne, (std::vector<int64_t>{16, 8}));
  EXPECT_EQ(f.tensor("blk.0.attn_v.weight.lora_b").ne, (std::vector<int64_t>{8, 8}));
}

TEST(LoraCheckpoint, RejectsMismatchedAdapters) {
  llactr::testing::TempDir dir;
  const TrainableTransformer a(tiny_model(), {});
  save_lora_adapters(a, dir.file("lora.gguf"));
  LoraOptions rank4;
  rank4.rank = 4;
  TrainableTransformer b(tiny_model(), rank4);
  try {
    load_lora_adapters(dir.file("lora.gguf"), b);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("blk.0.attn_q.weight.lora_a' has shape [16, 8], expected [16, 4]"),
              std::string::npos)
        << e.what();
  }
  LoraOptions targets;
  targets.targets = {"q"};
  TrainableTransformer c(tiny_model(), targets);
  EXPECT_THROW(load_lora_adapters(dir.file("lora.gguf"), c), std::runtime_error);
  random_model_writer(tiny_spec()).write(dir.file("model.gguf"));
  EXPECT_THROW(load_lora_adapters(dir.file("model.gguf"), c), std::runtime_error);
}

}  // namespace
}  // namespace llactr::llm

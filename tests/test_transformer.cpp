// The batched forward pass against a slow scalar reference written from the model definitions
// (llama: RMSNorm, RoPE on consecutive pairs, GQA, SwiGLU; qwen2: + q/k/v biases, RoPE on halves;
// and every optional tensor llama.cpp accepts: biases, rope_freqs), on random-weight GGUF files
// written by GgufWriter; also with bidirectional attention and soft prompts (prefix keys/values,
// soft input tokens) as docs/LLM.md defines them.
#include <gtest/gtest.h>

#include <omp.h>

#include <cmath>
#include <random>
#include <string>

#include "llactr/llm/gguf/gguf.h"
#include "support/random_model.h"
#include "test_data.h"
#include "llactr/llm/model/transformer.h"

namespace llactr::llm {
namespace {

using Vec = std::vector<double>;

// One sequence's prompts for the reference, in the layout of docs/LLM.md.
struct RefPrompts {
  bool bidirectional = false;
  int n_prefix = 0;
  const float* prefix = nullptr;  // [n_prefix, n_layer, 2, kv_dim]: key (0) and value (1) of each slot and layer
  int n_soft = 0;
  const float* soft = nullptr;  // [n_soft, d] embeddings before the tokens
};

// The scalar reference reads the tensors straight from the file: ggml shape [in, out], so
// element (o, i) of a matrix is data[o * in + i].
struct Reference {
  const gguf::GgufFile& f;
  std::string arch;
  int d, n_layer, n_head, n_kv, ff, vocab, n_rot;
  double base, eps;

  explicit Reference(const gguf::GgufFile& file) : f(file) {
    arch = f.get_string("general.architecture");
    const std::string a = arch + ".";
    d = f.get_u32(a + "embedding_length");
    n_layer = f.get_u32(a + "block_count");
    n_head = f.get_u32(a + "attention.head_count");
    n_kv = f.get_u32(a + "attention.head_count_kv", n_head);
    ff = f.get_u32(a + "feed_forward_length");
    n_rot = f.get_u32(a + "rope.dimension_count", d / n_head);
    base = f.get_f32(a + "rope.freq_base", 10000.0f);  // llama.cpp's default (stories260K has no key)
    eps = f.get_f32(a + "attention.layer_norm_rms_epsilon");
    vocab = int(f.tensor("token_embd.weight").ne[1]);
  }
  std::vector<float> t(const std::string& name) const { return f.dequantize(f.tensor(name)); }

  // x W^T, plus the bias of the same name when the file has one.
  Vec linear(const std::string& name, const Vec& x, int out) const {
    const std::vector<float> w = t(name);
    const int in = int(x.size());
    Vec y(out, 0.0);
    for (int o = 0; o < out; ++o)
      for (int i = 0; i < in; ++i) y[o] += double(w[size_t(o) * in + i]) * x[i];
    if (const std::string b = name.substr(0, name.size() - 6) + "bias"; f.find_tensor(b)) {
      const std::vector<float> bias = t(b);
      for (int o = 0; o < out; ++o) y[o] += bias[o];
    }
    return y;
  }
  Vec rms_norm(const Vec& x, const std::string& weight) const {
    const std::vector<float> w = t(weight);
    double ss = 0;
    for (double v : x) ss += v * v;
    const double s = 1.0 / std::sqrt(ss / x.size() + eps);
    Vec y(x.size());
    for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] * s * w[i];
    return y;
  }
  // Rotates each head of x (n_heads * hd values) for position p.
  void rope(Vec& x, int n_heads, int p) const {
    const int hd = d / n_head;
    for (int h = 0; h < n_heads; ++h)
      for (int i = 0; i < n_rot / 2; ++i) {
        double theta = p * std::pow(base, -2.0 * i / n_rot);
        if (f.find_tensor("rope_freqs.weight")) theta /= t("rope_freqs.weight")[i];
        // llama (ggml "normal"): dims 2i and 2i+1; qwen2 (ggml "neox"): dims i and i + n_rot/2.
        const int a = h * hd + (arch == "llama" ? 2 * i : i);
        const int b = h * hd + (arch == "llama" ? 2 * i + 1 : i + n_rot / 2);
        const double x0 = x[a], x1 = x[b];
        x[a] = x0 * std::cos(theta) - x1 * std::sin(theta);
        x[b] = x0 * std::sin(theta) + x1 * std::cos(theta);
      }
  }

  // Final-norm hidden states [T][d], residual stream after each layer [L][T][d], logits [T][vocab]
  // of every row: the n_soft soft rows (positions 0..n_soft-1), then the tokens.
  void run(const std::vector<int32_t>& tokens, std::vector<Vec>& hidden, std::vector<std::vector<Vec>>& layers,
           std::vector<Vec>& logits, const RefPrompts& pr = {}) const {
    const int T = pr.n_soft + int(tokens.size()), hd = d / n_head, kv = n_kv * hd, P = pr.n_prefix;
    const std::vector<float> embd = t("token_embd.weight");
    std::vector<Vec> x(T);
    for (int p = 0; p < T; ++p) {
      const float* e = p < pr.n_soft ? pr.soft + size_t(p) * d : embd.data() + size_t(tokens[p - pr.n_soft]) * d;
      x[p].assign(e, e + d);
    }
    layers.clear();
    for (int l = 0; l < n_layer; ++l) {
      const std::string b = "blk." + std::to_string(l) + ".";
      // keys and values: the P prefix slots of this layer (not rotated), then the rows
      std::vector<Vec> q(T), k(P + T), v(P + T);
      for (int j = 0; j < P; ++j) {
        const float* slot = pr.prefix + (size_t(j) * n_layer + l) * 2 * kv;
        k[j].assign(slot, slot + kv);
        v[j].assign(slot + kv, slot + 2 * kv);
      }
      for (int p = 0; p < T; ++p) {
        const Vec xn = rms_norm(x[p], b + "attn_norm.weight");
        q[p] = linear(b + "attn_q.weight", xn, n_head * hd);
        k[P + p] = linear(b + "attn_k.weight", xn, kv);
        v[P + p] = linear(b + "attn_v.weight", xn, kv);
        rope(q[p], n_head, p);
        rope(k[P + p], n_kv, p);
      }
      for (int p = 0; p < T; ++p) {
        const int n_keys = P + (pr.bidirectional ? T : p + 1);  // the mask
        Vec att(n_head * hd, 0.0);
        for (int h = 0; h < n_head; ++h) {
          const int kh = h / (n_head / n_kv);  // the key/value head this query head shares
          Vec s(n_keys);
          double mx = -1e300, sum = 0;
          for (int j = 0; j < n_keys; ++j) {
            s[j] = 0;
            for (int i = 0; i < hd; ++i) s[j] += q[p][h * hd + i] * k[j][kh * hd + i];
            s[j] /= std::sqrt(double(hd));
            mx = std::max(mx, s[j]);
          }
          for (double& e : s) sum += e = std::exp(e - mx);
          for (int j = 0; j < n_keys; ++j)
            for (int i = 0; i < hd; ++i) att[h * hd + i] += s[j] / sum * v[j][kh * hd + i];
        }
        // (k and v hold every row already, so updating x[p] here is safe in both masks)
        const Vec o = linear(b + "attn_output.weight", att, d);
        for (int i = 0; i < d; ++i) x[p][i] += o[i];
        const Vec xn = rms_norm(x[p], b + "ffn_norm.weight");
        const Vec g = linear(b + "ffn_gate.weight", xn, ff), u = linear(b + "ffn_up.weight", xn, ff);
        Vec hgu(ff);
        for (int i = 0; i < ff; ++i) hgu[i] = g[i] / (1 + std::exp(-g[i])) * u[i];
        const Vec down = linear(b + "ffn_down.weight", hgu, d);
        for (int i = 0; i < d; ++i) x[p][i] += down[i];
      }
      layers.push_back(x);
    }
    const std::string head = f.find_tensor("output.weight") ? "output.weight" : "token_embd.weight";
    hidden.clear(), logits.clear();
    for (int p = 0; p < T; ++p) {
      hidden.push_back(rms_norm(x[p], "output_norm.weight"));
      logits.push_back(linear(head, hidden.back(), vocab));
      if (head == "token_embd.weight" && f.find_tensor("output.bias")) {  // a tied head keeps its bias
        const std::vector<float> b = t("output.bias");
        for (int i = 0; i < vocab; ++i) logits.back()[i] += b[i];
      }
    }
  }
};

// Every element of row `got` within tol * max|ref| of the reference row.
void expect_row_near(const float* got, const Vec& ref, double tol, const std::string& what) {
  double scale = 1e-30;
  for (double r : ref) scale = std::max(scale, std::abs(r));
  for (size_t i = 0; i < ref.size(); ++i)
    ASSERT_NEAR(got[i], ref[i], tol * scale) << what << " element " << i;
}

std::vector<std::vector<int32_t>> test_batch(int vocab) {
  return {{1, 5, 9, 2, 30 % vocab, 7, 11}, {3, 4, 5, 6}, {8}, {12, 12, 13, 40 % vocab, 2}};
}

struct Case {
  const char* name;
  RandomModelSpec spec;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

// Random prompts for each sequence of a batch: n_prefix prefix slots and n_soft soft tokens,
// N(0, 1) like the model's keys, values and embeddings.
struct BatchPrompts {
  AttentionMask mask;
  int n_prefix, n_soft;
  size_t prefix_size, soft_size;  // per sequence
  std::vector<float> prefix, soft;
  BatchPrompts(const TransformerConfig& c, size_t S, int n_prefix_, int n_soft_, AttentionMask mask_, uint64_t seed)
      : mask(mask_), n_prefix(n_prefix_), n_soft(n_soft_),
        prefix_size(size_t(n_prefix_) * c.n_layer * 2 * c.kv_dim()), soft_size(size_t(n_soft_) * c.n_embd),
        prefix(S * prefix_size), soft(S * soft_size) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (float& x : prefix) x = normal(rng);
    for (float& x : soft) x = normal(rng);
  }
  Prompts all() const { return {mask, n_prefix, prefix.data(), n_soft, soft.data()}; }
  // Sequence s's prompts alone, as a batch of one, and for the reference.
  Prompts one(size_t s) const { return {mask, n_prefix, prefix.data() + s * prefix_size, n_soft, soft.data() + s * soft_size}; }
  RefPrompts ref(size_t s) const {
    return {mask == AttentionMask::Bidirectional, n_prefix, prefix.data() + s * prefix_size, n_soft,
            soft.data() + s * soft_size};
  }
};

// forward() of the batch (with its prompts) against the scalar reference at every token row:
// hidden states, logits and every layer's residual stream within 1e-4; padding rows zero.
void expect_matches_reference(const gguf::GgufFile& file, const Model& model,
                              const std::vector<std::vector<int32_t>>& batch, const BatchPrompts& prompts) {
  const Reference ref(file);
  ForwardOptions opt;
  opt.layer_states = true;
  const ForwardOutput out = forward(model, batch, opt, prompts.all());
  const int T = out.max_len, d = model.config.n_embd, V = model.config.n_vocab, K = prompts.n_soft;
  for (size_t b = 0; b < batch.size(); ++b) {
    std::vector<Vec> hidden, logits;
    std::vector<std::vector<Vec>> layers;
    ref.run(batch[b], hidden, layers, logits, prompts.ref(b));
    for (int p = 0; p < T; ++p) {
      const std::string at = "seq " + std::to_string(b) + " pos " + std::to_string(p);
      const float* h = out.hidden.data() + (b * T + p) * d;
      if (p >= int(batch[b].size())) {  // padding rows are zero
        for (int i = 0; i < d; ++i) ASSERT_EQ(h[i], 0.0f) << at;
        continue;
      }
      expect_row_near(h, hidden[K + p], 1e-4, "hidden " + at);
      expect_row_near(out.logits.data() + (b * T + p) * V, logits[K + p], 1e-4, "logits " + at);
      for (int l = 0; l < model.config.n_layer; ++l)
        expect_row_near(out.layer_states[l].data() + (b * T + p) * d, layers[l][K + p], 1e-4,
                        "layer " + std::to_string(l) + " " + at);
    }
  }
}

class TransformerVsReference : public ::testing::TestWithParam<Case> {};

TEST_P(TransformerVsReference, EveryPositionMatchesScalarReference) {
  const RandomModelSpec& spec = GetParam().spec;
  const gguf::GgufFile file = gguf::GgufFile::from_memory(random_model_writer(spec).to_bytes());
  const Model model = load_model(file);
  EXPECT_EQ(model.weights.output.empty(), spec.tied_output);
  const auto batch = test_batch(spec.n_vocab);
  ASSERT_EQ(forward(model, batch).max_len, 7);
  expect_matches_reference(file, model, batch, BatchPrompts(model.config, batch.size(), 0, 0, AttentionMask::Causal, 1));
}

// Bidirectional attention, prefix keys/values and soft input tokens, alone and together.
TEST_P(TransformerVsReference, BidirectionalAndPromptsMatchScalarReference) {
  const RandomModelSpec& spec = GetParam().spec;
  const gguf::GgufFile file = gguf::GgufFile::from_memory(random_model_writer(spec).to_bytes());
  const Model model = load_model(file);
  const auto batch = test_batch(spec.n_vocab);
  for (AttentionMask mask : {AttentionMask::Causal, AttentionMask::Bidirectional})
    for (auto [n_prefix, n_soft] : std::vector<std::pair<int, int>>{{0, 0}, {3, 0}, {0, 2}, {3, 2}}) {
      if (mask == AttentionMask::Causal && n_prefix + n_soft == 0) continue;  // the test above
      SCOPED_TRACE(std::string(mask == AttentionMask::Causal ? "causal" : "bidirectional") + ", prefix " +
                   std::to_string(n_prefix) + ", soft " + std::to_string(n_soft));
      expect_matches_reference(file, model, batch,
                               BatchPrompts(model.config, batch.size(), n_prefix, n_soft, mask, 10 + n_prefix + n_soft));
    }
}

RandomModelSpec spec(const char* arch, int n_head, int n_kv, bool tied) {
  RandomModelSpec s;
  s.arch = arch, s.n_head = n_head, s.n_head_kv = n_kv, s.tied_output = tied;
  return s;
}

INSTANTIATE_TEST_SUITE_P(
    Architectures, TransformerVsReference,
    ::testing::Values(Case{"llama_gqa_untied", spec("llama", 4, 2, false)},
                      Case{"llama_mha_tied", [] { auto s = spec("llama", 2, 2, true); s.rope_freq_base = 500; s.seed = 2; return s; }()},
                      Case{"llama_partial_rope", [] { auto s = spec("llama", 2, 1, false); s.n_rot = 8; s.seed = 3; return s; }()},
                      Case{"qwen2_gqa_untied", [] { auto s = spec("qwen2", 4, 1, false); s.rms_eps = 1e-6f; s.rope_freq_base = 1e6f; s.seed = 4; return s; }()},
                      Case{"qwen2_tied", [] { auto s = spec("qwen2", 4, 2, true); s.seed = 5; return s; }()},
                      Case{"llama_optional_tensors", [] {
                             auto s = spec("llama", 4, 2, false);
                             s.qkv_bias = s.attn_output_bias = s.ffn_bias = s.rope_freqs = true;
                             s.seed = 6;
                             return s;
                           }()},
                      Case{"qwen2_output_bias", [] { auto s = spec("qwen2", 4, 2, false); s.output_bias = true; s.seed = 7; return s; }()},
                      Case{"qwen2_tied_output_bias", [] { auto s = spec("qwen2", 4, 2, true); s.output_bias = true; s.seed = 8; return s; }()}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

Model load(const RandomModelSpec& s) {
  return load_model(gguf::GgufFile::from_memory(random_model_writer(s).to_bytes()));
}

// A sequence's results do not depend on the other sequences of the batch (padding or not).
TEST(TransformerBatch, PaddingDoesNotChangeResults) {
  const Model model = load(spec("qwen2", 4, 2, false));
  const auto batch = test_batch(64);
  const ForwardOutput all = forward(model, batch);
  const int T = all.max_len, d = 32, V = 64;
  for (size_t b = 0; b < batch.size(); ++b) {
    const ForwardOutput one = forward(model, {batch[b]});
    for (size_t p = 0; p < batch[b].size(); ++p) {
      for (int i = 0; i < d; ++i) ASSERT_NEAR(all.hidden[(b * T + p) * d + i], one.hidden[p * d + i], 1e-5);
      for (int i = 0; i < V; ++i) ASSERT_NEAR(all.logits[(b * T + p) * V + i], one.logits[p * V + i], 1e-4);
    }
  }
  // LogitsMode::Last gives each sequence's last row of the full logits.
  ForwardOptions last;
  last.logits = LogitsMode::Last;
  const ForwardOutput lo = forward(model, batch, last);
  ASSERT_EQ(lo.logits.size(), batch.size() * V);
  for (size_t b = 0; b < batch.size(); ++b)
    for (int i = 0; i < V; ++i)
      ASSERT_NEAR(lo.logits[b * V + i], all.logits[(b * T + batch[b].size() - 1) * V + i], 1e-4);
}

TEST(TransformerBatch, RejectsBadInput) {
  const Model model = load(spec("llama", 4, 2, false));
  EXPECT_THROW(forward(model, {{1, 2}, {}}), std::invalid_argument);
  EXPECT_THROW(forward(model, {{1, 64}}), std::out_of_range);
  EXPECT_THROW(forward(model, {{-1}}), std::out_of_range);
}

// 0 sequences, a sequence of 0 tokens and one longer than the context are errors that say so.
TEST(TransformerBatch, RejectsEmptyBatchEmptyRowAndRowPastTheContext) {
  const Model model = load(spec("llama", 4, 2, false));  // n_ctx 128
  Workspace ws;
  const std::vector<int32_t> tokens(129, 3);
  EXPECT_THROW(forward(model, {}), std::invalid_argument);
  EXPECT_THROW(forward_packed(model, tokens.data(), {}, nullptr, LogitsMode::None, ws), std::invalid_argument);
  EXPECT_THROW(forward_packed(model, tokens.data(), {{0, 0, 2}, {1, 2, 0}}, nullptr, LogitsMode::None, ws),
               std::invalid_argument);
  EXPECT_NO_THROW(forward(model, {std::vector<int32_t>(128, 3)}));
  try {
    forward(model, {{1, 2}, tokens});
    ADD_FAILURE() << "a sequence of 129 tokens passed a context of 128";
  } catch (const std::out_of_range& e) {
    EXPECT_NE(std::string(e.what()).find("sequence 1 needs 129 positions, more than the model's context of 128"),
              std::string::npos) << e.what();
  }
  // With a cache, the limit counts the cached positions too.
  KvCache cache(model.config, 1, 200);
  forward_packed(model, tokens.data(), {{0, 0, 100}}, &cache, LogitsMode::None, ws);
  EXPECT_THROW(forward_packed(model, tokens.data(), {{0, 0, 29}}, &cache, LogitsMode::None, ws), std::out_of_range);
}

// A batch of 9 rows of 20..108 tokens: big enough for the threaded attention.
std::vector<std::vector<int32_t>> mixed_batch() {
  std::vector<std::vector<int32_t>> batch;
  for (int b = 0; b < 9; ++b) {
    batch.emplace_back(size_t(20 + 11 * b));
    for (size_t t = 0; t < batch.back().size(); ++t) batch.back()[t] = int32_t((b * 7 + t * 3) % 64);
  }
  return batch;
}

// The batch gives the same bits on 1 and 2 threads, and each of its rows the same values (1e-5)
// as that row alone (with its own prompts).
void expect_rows_as_alone_on_1_and_2_threads(const Model& model, const std::vector<std::vector<int32_t>>& batch,
                                             const BatchPrompts& prompts) {
  const int d = model.config.n_embd;
  auto run = [&] {
    return forward(model, batch, {LogitsMode::None, false}, prompts.all()).hidden;
  };
  omp_set_num_threads(1);
  const std::vector<float> one = run();
  omp_set_num_threads(2);
  const std::vector<float> two = run();
  ASSERT_EQ(one, two);
  size_t T = 0;
  for (const auto& row : batch) T = std::max(T, row.size());
  for (size_t b = 0; b < batch.size(); ++b) {
    const ForwardOutput alone = forward(model, {batch[b]}, {LogitsMode::None, false}, prompts.one(b));
    for (size_t i = 0; i < batch[b].size() * d; ++i) ASSERT_NEAR(one[b * T * d + i], alone.hidden[i], 1e-5) << b;
  }
}

TEST(TransformerBatch, MixedLengthsSameOnOneAndTwoThreadsAndAsEachRowAlone) {
  const Model model = load(spec("qwen2", 4, 2, false));
  expect_rows_as_alone_on_1_and_2_threads(model, mixed_batch(), BatchPrompts(model.config, 9, 0, 0, AttentionMask::Causal, 1));
}

// The same with bidirectional attention, and with prefix keys/values and soft tokens in both masks.
TEST(TransformerBatch, BidirectionalAndPromptsSameOnOneAndTwoThreadsAndAsEachRowAlone) {
  const Model model = load(spec("qwen2", 4, 2, false));
  for (AttentionMask mask : {AttentionMask::Causal, AttentionMask::Bidirectional})
    for (auto [n_prefix, n_soft] : std::vector<std::pair<int, int>>{{0, 0}, {5, 3}}) {
      if (mask == AttentionMask::Causal && n_prefix == 0) continue;  // the test above
      SCOPED_TRACE("prefix " + std::to_string(n_prefix) + (mask == AttentionMask::Causal ? " causal" : " bidirectional"));
      expect_rows_as_alone_on_1_and_2_threads(model, mixed_batch(),
                                              BatchPrompts(model.config, 9, n_prefix, n_soft, mask, 2));
    }
}

// Prompts of no prefix and no soft tokens are the plain forward, bit for bit.
TEST(TransformerBatch, EmptyPromptsAreThePlainForwardBitForBit) {
  const Model model = load(spec("llama", 4, 2, false));
  const auto batch = test_batch(64);
  const ForwardOutput plain = forward(model, batch);
  float unused = 1.0f;
  const ForwardOutput empty = forward(model, batch, {}, {AttentionMask::Causal, 0, &unused, 0, &unused});
  EXPECT_EQ(plain.hidden, empty.hidden);
  EXPECT_EQ(plain.logits, empty.logits);
}

// Bad prompts are errors before any work: negative counts, missing values, prompts with a KV
// cache, a span that is all soft rows, and a sequence whose prompts and tokens exceed the context.
TEST(TransformerBatch, RejectsBadPrompts) {
  const Model model = load(spec("llama", 4, 2, false));  // n_ctx 128, 2 layers, kv_dim 16
  const std::vector<float> values(1024, 0.5f);
  const float* p = values.data();
  auto run = [&](const std::vector<std::vector<int32_t>>& batch, Prompts prompts) {
    return forward(model, batch, {}, prompts);
  };
  using M = AttentionMask;
  EXPECT_THROW(run({{1, 2}}, {M::Causal, -1, p, 0, nullptr}), std::invalid_argument);
  EXPECT_THROW(run({{1, 2}}, {M::Causal, 0, nullptr, -2, p}), std::invalid_argument);
  EXPECT_THROW(run({{1, 2}}, {M::Causal, 2, nullptr, 0, nullptr}), std::invalid_argument);
  EXPECT_THROW(run({{1, 2}}, {M::Bidirectional, 0, nullptr, 2, nullptr}), std::invalid_argument);
  EXPECT_NO_THROW(run({std::vector<int32_t>(125, 3)}, {M::Causal, 3, p, 0, nullptr}));
  for (Prompts prompts : {Prompts{M::Causal, 3, p, 0, nullptr}, Prompts{M::Bidirectional, 1, p, 2, p}}) {
    try {
      run({{1}, std::vector<int32_t>(126, 3)}, prompts);
      ADD_FAILURE() << "126 tokens and 3 prompt rows passed a context of 128";
    } catch (const std::out_of_range& e) {
      EXPECT_NE(std::string(e.what()).find("sequence 1 needs 129 positions, more than the model's context of 128"),
                std::string::npos) << e.what();
    }
  }
  Workspace ws;
  const std::vector<int32_t> tokens(4, 3);
  KvCache cache(model.config, 1, 16);
  EXPECT_THROW(forward_packed(model, tokens.data(), {{0, 0, 2}}, &cache, LogitsMode::None, ws, nullptr,
                              {M::Causal, 1, p, 0, nullptr}),
               std::invalid_argument);
  EXPECT_THROW(forward_packed(model, tokens.data(), {{0, 0, 2}}, nullptr, LogitsMode::None, ws, nullptr,
                              {M::Causal, 0, nullptr, 2, p}),
               std::invalid_argument);
}

// The real model: bidirectional attention and prompts against the scalar reference.
TEST(Stories260KVsReference, BidirectionalAndPromptsAtEveryPosition) {
  LLACTR_REQUIRE_DATA(dir, "stories260K");
  const gguf::GgufFile file = gguf::GgufFile::open(dir + "/stories260K.gguf");
  const Model model = load_model(file);
  const std::vector<std::vector<int32_t>> batch = {{1, 403, 29, 100, 7, 60, 300}, {1, 12, 480}};
  for (AttentionMask mask : {AttentionMask::Causal, AttentionMask::Bidirectional})
    for (auto [n_prefix, n_soft] : std::vector<std::pair<int, int>>{{0, 0}, {4, 2}}) {
      SCOPED_TRACE("prefix " + std::to_string(n_prefix) + (mask == AttentionMask::Causal ? " causal" : " bidirectional"));
      expect_matches_reference(file, model, batch, BatchPrompts(model.config, batch.size(), n_prefix, n_soft, mask, 3));
    }
}

// Prompt in one pass, then one token at a time, equals the full forward at every position.
TEST(TransformerKvCache, IncrementalDecodingEqualsFullForward) {
  for (const char* arch : {"llama", "qwen2"}) {
    const Model model = load(spec(arch, 4, 2, false));
    const std::vector<int32_t> seq = {1, 17, 4, 33, 9, 2, 50, 8, 8};
    const ForwardOutput full = forward(model, {seq});
    const int d = 32, V = 64;
    KvCache cache(model.config, 1, 16);
    Workspace ws;
    std::vector<SeqSpan> span = {{0, 0, 5}};
    forward_packed(model, seq.data(), span, &cache, LogitsMode::All, ws);
    for (int p = 0; p < 5; ++p)
      for (int i = 0; i < d; ++i) ASSERT_NEAR(ws.hidden[p * d + i], full.hidden[p * d + i], 1e-5) << arch;
    span[0].n = 1;
    for (int p = 5; p < int(seq.size()); ++p) {
      forward_packed(model, &seq[p], span, &cache, LogitsMode::Last, ws);
      for (int i = 0; i < d; ++i) ASSERT_NEAR(ws.hidden[i], full.hidden[p * d + i], 1e-5) << arch << " pos " << p;
      for (int i = 0; i < V; ++i) ASSERT_NEAR(ws.logits[i], full.logits[p * V + i], 1e-4) << arch << " pos " << p;
    }
    EXPECT_EQ(cache.length[0], int(seq.size()));
    EXPECT_THROW(forward_packed(model, seq.data(), {{0, 0, 8}}, &cache, LogitsMode::None, ws), std::out_of_range);
  }
}

// Two sequences decoding together in one cache, at different positions.
TEST(TransformerKvCache, SeveralSequencesStepTogether) {
  const Model model = load(spec("llama", 4, 1, true));
  const std::vector<int32_t> a = {1, 5, 6, 7, 8, 9}, b = {1, 40, 41};
  const ForwardOutput fa = forward(model, {a}), fb = forward(model, {b});
  const int d = 32;
  KvCache cache(model.config, 2, 8);
  Workspace ws;
  // prompts: a[0..4) in slot 0, b[0..2) in slot 1, packed in one batch
  std::vector<int32_t> tokens = {a[0], a[1], a[2], a[3], b[0], b[1]};
  forward_packed(model, tokens.data(), {{0, 0, 4}, {1, 4, 2}}, &cache, LogitsMode::Last, ws);
  // one step each: a[4] at position 4, b[2] at position 2
  tokens = {a[4], b[2]};
  forward_packed(model, tokens.data(), {{0, 0, 1}, {1, 1, 1}}, &cache, LogitsMode::Last, ws);
  for (int i = 0; i < d; ++i) {
    ASSERT_NEAR(ws.hidden[i], fa.hidden[4 * d + i], 1e-5);
    ASSERT_NEAR(ws.hidden[d + i], fb.hidden[2 * d + i], 1e-5);
  }
}

// Q8_0 weights load (dequantised once) and match the reference run on the same file.
TEST(TransformerLoad, Q8_0ModelRunsAndMatchesReference) {
  RandomModelSpec s = spec("llama", 4, 2, false);
  s.n_embd = 64, s.n_ff = 96, s.type = gguf::GgmlType::Q8_0;
  const gguf::GgufFile file = gguf::GgufFile::from_memory(random_model_writer(s).to_bytes());
  EXPECT_EQ(file.tensor("blk.0.attn_q.weight").type, gguf::GgmlType::Q8_0);
  const Model model = load_model(file);
  const std::vector<int32_t> seq = {1, 2, 3, 60, 61};
  const ForwardOutput out = forward(model, {seq});
  std::vector<Vec> hidden, logits;
  std::vector<std::vector<Vec>> layers;
  Reference(file).run(seq, hidden, layers, logits);
  for (size_t p = 0; p < seq.size(); ++p) expect_row_near(out.hidden.data() + p * 64, hidden[p], 1e-4, "q8_0");
  // And stays close to the unquantised model (Q8_0 keeps ~2-3 significant digits).
  s.type = gguf::GgmlType::F32;
  const ForwardOutput f32 = forward(load(s), {seq});
  double err = 0, norm = 0;
  for (size_t i = 0; i < out.hidden.size(); ++i) {
    err += std::pow(out.hidden[i] - f32.hidden[i], 2);
    norm += std::pow(f32.hidden[i], 2);
  }
  EXPECT_LT(std::sqrt(err / norm), 0.05);
}

std::string load_error(gguf::GgufWriter w) {
  try {
    load_model(gguf::GgufFile::from_memory(w.to_bytes(), "bad.gguf"));
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(TransformerLoad, ClearErrors) {
  gguf::GgufWriter w = random_model_writer(spec("llama", 4, 2, false));
  w.set_string("general.architecture", "gptneox");
  EXPECT_NE(load_error(w).find("architecture 'gptneox' is not supported"), std::string::npos) << load_error(w);

  RandomModelSpec s = spec("qwen2", 4, 2, false);
  gguf::GgufWriter w2 = random_model_writer(s);
  w2.set_string("general.architecture", "llama");  // qwen2 keys are absent under llama.*
  EXPECT_NE(load_error(w2).find("llama.embedding_length"), std::string::npos) << load_error(w2);

  gguf::GgufWriter w3 = random_model_writer(spec("llama", 4, 2, false));
  w3.set_u32("llama.attention.head_count_kv", 3);
  EXPECT_NE(load_error(w3).find("not a multiple of head_count_kv"), std::string::npos) << load_error(w3);

  gguf::GgufWriter w4 = random_model_writer(spec("llama", 4, 2, false));
  w4.set_u32("llama.feed_forward_length", 50);
  EXPECT_NE(load_error(w4).find("'blk.0.ffn_gate.weight' has shape [32, 48], expected [32, 50]"), std::string::npos)
      << load_error(w4);

  gguf::GgufWriter w5 = random_model_writer(spec("llama", 4, 2, false));
  w5.set_u32("llama.block_count", 3);
  EXPECT_NE(load_error(w5).find("missing tensor 'blk.2.attn_norm.weight'"), std::string::npos) << load_error(w5);

  EXPECT_NE(std::string([] {
              try {
                load_model(std::string("/nonexistent/model.gguf"));
              } catch (const std::exception& e) {
                return std::string(e.what());
              }
              return std::string();
            }()).find("make data"),
            std::string::npos);
}

// A tensor that no part of the model uses is an error naming it, as in llama.cpp: an
// architecture's optional tensors are not the other's.
TEST(TransformerLoad, RefusesTensorsTheModelDoesNotUse) {
  const std::vector<float> bias(32, 0.5f);
  gguf::GgufWriter qwen2 = random_model_writer(spec("qwen2", 4, 2, false));
  qwen2.add_tensor("blk.0.attn_output.bias", {32}, gguf::GgmlType::F32, bias.data());
  EXPECT_NE(load_error(qwen2).find("bad.gguf: tensor 'blk.0.attn_output.bias' is not used by a qwen2 model"),
            std::string::npos) << load_error(qwen2);

  RandomModelSpec s = spec("llama", 4, 2, false);
  s.attn_output_bias = s.ffn_bias = s.qkv_bias = s.rope_freqs = true;
  EXPECT_EQ(load_error(random_model_writer(s)), "");  // llama's optional tensors load
  gguf::GgufWriter llama = random_model_writer(s);
  const std::vector<float> vocab_bias(64, 0.5f);
  llama.add_tensor("output.bias", {64}, gguf::GgmlType::F32, vocab_bias.data());  // qwen2's, not llama's
  EXPECT_NE(load_error(llama).find("tensor 'output.bias' is not used by a llama model"), std::string::npos)
      << load_error(llama);

  gguf::GgufWriter extra_layer = random_model_writer(spec("llama", 4, 2, false));
  extra_layer.add_tensor("blk.2.attn_norm.weight", {32}, gguf::GgmlType::F32, bias.data());
  EXPECT_NE(load_error(extra_layer).find("tensor 'blk.2.attn_norm.weight' is not used"), std::string::npos)
      << load_error(extra_layer);

  // An optional tensor of the wrong shape is an error too, never skipped.
  gguf::GgufWriter bad_shape = random_model_writer(spec("qwen2", 4, 2, false));
  bad_shape.add_tensor("output.bias", {32}, gguf::GgmlType::F32, bias.data());
  EXPECT_NE(load_error(bad_shape).find("tensor 'output.bias' has shape [32], expected [64]"), std::string::npos)
      << load_error(bad_shape);
}

}  // namespace
}  // namespace llactr::llm

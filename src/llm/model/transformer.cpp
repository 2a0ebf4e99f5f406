#include "llactr/llm/model/transformer.h"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "llactr/llm/model/attention.h"
#include "llactr/llm/model/transformer_ops.h"

namespace llactr::llm {

KvCache::KvCache(const TransformerConfig& c, int n_seq_, int capacity_)
    : n_layer(c.n_layer), n_seq(n_seq_), capacity(capacity_), kv_dim(c.kv_dim()), length(n_seq_, 0) {
  if (n_seq <= 0 || capacity <= 0) throw std::invalid_argument("KvCache: n_seq and capacity must be positive");
  const size_t n = size_t(n_layer) * n_seq * capacity * kv_dim;
  k.assign(n, 0.0f);
  v.assign(n, 0.0f);
}

void check_context(const TransformerConfig& c, int seq, int n_positions) {
  if (c.n_ctx > 0 && n_positions > c.n_ctx)
    throw std::out_of_range("sequence " + std::to_string(seq) + " needs " + std::to_string(n_positions) +
                            " positions, more than the model's context of " + std::to_string(c.n_ctx) +
                            " (shorten or split it)");
}

namespace {

float* grow(std::vector<float>& buf, size_t n) {
  if (buf.size() < n) buf.resize(n);
  return buf.data();
}

const float* bias(const std::vector<float>& b) { return b.empty() ? nullptr : b.data(); }

// Checks the prompts before any work.
void check_prompts(const Prompts& p, const KvCache* cache) {
  if (p.n_prefix < 0 || p.n_soft < 0)
    throw std::invalid_argument("forward_packed: " + std::to_string(p.n_prefix) + " prefix keys and " +
                                std::to_string(p.n_soft) + " soft tokens per sequence (need >= 0)");
  if ((p.n_prefix > 0 && !p.prefix) || (p.n_soft > 0 && !p.soft))
    throw std::invalid_argument("forward_packed: prefix or soft tokens asked for without their values");
  if ((p.n_prefix > 0 || p.n_soft > 0) && cache)
    throw std::invalid_argument("forward_packed: prefix and soft tokens need a forward without a KV cache");
}

// Checks the batch, sizes the scratch buffers and fills each row's position and span.
void prepare(const Model& model, const int32_t* tokens, const std::vector<SeqSpan>& spans,
             const KvCache* cache, const Prompts& prompts, int N, Workspace& ws) {
  const TransformerConfig& c = model.config;
  int max_keys = 0;
  if (spans.empty()) throw std::invalid_argument("forward_packed: the batch has no sequences");
  check_prompts(prompts, cache);
  if (ws.pos.size() < size_t(N)) ws.pos.resize(N);
  for (size_t s = 0; s < spans.size(); ++s) {
    const SeqSpan& sp = spans[s];
    if (sp.n < 1 + prompts.n_soft || sp.row0 < 0)
      throw std::invalid_argument("forward_packed: sequence " + std::to_string(s) + " has " + std::to_string(sp.n) +
                                  " rows at row " + std::to_string(sp.row0) + " (need at least 1 token after " +
                                  std::to_string(prompts.n_soft) + " soft rows, at a row >= 0)");
    int pos0 = 0;
    if (cache) {
      if (sp.seq < 0 || sp.seq >= cache->n_seq)
        throw std::out_of_range("sequence slot " + std::to_string(sp.seq) + " is not in the KV cache");
      pos0 = cache->length[sp.seq];
      if (pos0 + sp.n > cache->capacity)
        throw std::out_of_range("KV cache slot " + std::to_string(sp.seq) + " is full (" +
                                std::to_string(cache->capacity) + " positions)");
    }
    check_context(c, int(s), prompts.n_prefix + pos0 + sp.n);
    max_keys = std::max(max_keys, prompts.n_prefix + pos0 + sp.n);
    for (int i = 0; i < sp.n; ++i) {
      const int r = sp.row0 + i;
      if (i >= prompts.n_soft && (tokens[r] < 0 || tokens[r] >= c.n_vocab))
        throw std::out_of_range("token id " + std::to_string(tokens[r]) + " is outside the vocabulary of " +
                                std::to_string(c.n_vocab));
      ws.pos[r] = pos0 + i;
    }
  }
  if (cache) max_keys = cache->capacity;  // so later, longer decoding steps do not grow it
  const size_t d = c.n_embd, q = c.q_dim(), kv = c.kv_dim(), ff = c.n_ff;
  grow(ws.x, N * d), grow(ws.xn, N * d), grow(ws.hidden, N * d);
  grow(ws.q, N * q), grow(ws.att, N * q), grow(ws.k, N * kv), grow(ws.v, N * kv);
  grow(ws.gate, N * ff), grow(ws.up, N * ff);
  grow(ws.cos, N * size_t(c.n_rot / 2)), grow(ws.sin, N * size_t(c.n_rot / 2));
  grow(ws.kv_t, size_t(omp_get_max_threads()) *
                    (2 * size_t(c.head_dim) * max_keys + attention_tile_floats(c.head_dim, max_keys)));
}

// Copies each span's new keys/values (rows of ws.k, ws.v) into its cache slot.
void store_kv(const std::vector<SeqSpan>& spans, int layer, KvCache& cache, const Workspace& ws) {
  const size_t kv = cache.kv_dim;
  for (const SeqSpan& sp : spans) {
    const size_t dst = size_t(cache.length[sp.seq]) * kv, src = size_t(sp.row0) * kv;
    std::memcpy(cache.keys(layer, sp.seq) + dst, ws.k.data() + src, sp.n * kv * sizeof(float));
    std::memcpy(cache.values(layer, sp.seq) + dst, ws.v.data() + src, sp.n * kv * sizeof(float));
  }
}

// att = attention within each sequence, one (span, kv head) block per task: its keys and values
// (prefix, then its own rows) are transposed once into the thread's scratch, then each query head
// of the group attends.
void attend(const TransformerConfig& c, const std::vector<SeqSpan>& spans, int layer, KvCache* cache,
            const Prompts& prompts, Workspace& ws) {
  const int q_dim = c.q_dim(), kv = c.kv_dim(), hd = c.head_dim, G = c.n_head_kv, S = int(spans.size());
  const int n_prefix = prompts.n_prefix;
  const PrefixLayout prefix{n_prefix, c.n_layer, kv};
  const bool causal = prompts.attention == AttentionMask::Causal;
  const size_t per_thread = ws.kv_t.size() / omp_get_max_threads();
  int64_t work = 0;  // multiply-adds of the scores
  for (const SeqSpan& sp : spans)
    work += int64_t(sp.n) * (n_prefix + ws.pos[sp.row0 + sp.n - 1] + (causal ? 1 : sp.n));
  // Threads only pay off on real work: idle OpenMP threads spin and slow the BLAS calls after.
  const bool parallel = work * c.n_head * hd > (1 << 16);
#pragma omp parallel for schedule(dynamic) if (parallel)
  for (int task = 0; task < S * G; ++task) {
    const int s = task / G, g = task % G;
    const SeqSpan& sp = spans[s];
    // the span's rows are keys n_prefix + first_pos.. (with a cache, its earlier rows come first)
    const int first_pos = ws.pos[sp.row0], n_rows = first_pos + sp.n, n_keys = n_prefix + n_rows;
    const float* k = cache ? cache->keys(layer, sp.seq) : ws.k.data() + size_t(sp.row0) * kv;
    const float* v = cache ? cache->values(layer, sp.seq) : ws.v.data() + size_t(sp.row0) * kv;
    const float* pk = n_prefix ? prompts.prefix + prefix.key(s, layer, g, hd) : nullptr;
    // kt, vt: [hd, n_keys], then attention_head's tile
    float* kt = ws.kv_t.data() + omp_get_thread_num() * per_thread;
    float* vt = kt + size_t(hd) * n_keys;
    float* tile = vt + size_t(hd) * n_keys;
    transpose_block(pk, n_prefix, prefix.stride(), k + g * hd, n_rows, kv, hd, kt);
    transpose_block(pk ? pk + kv : nullptr, n_prefix, prefix.stride(), v + g * hd, n_rows, kv, hd, vt);
    for (int h = g * c.group(); h < (g + 1) * c.group(); ++h) {
      const size_t at = size_t(sp.row0) * q_dim + h * hd;
      attention_head(ws.q.data() + at, q_dim, sp.n, kt, vt, n_keys, n_prefix + first_pos, causal, hd,
                     ws.att.data() + at, q_dim, nullptr, 0, tile);
    }
  }
}

}  // namespace

void forward_packed(const Model& model, const int32_t* tokens, const std::vector<SeqSpan>& spans,
                    KvCache* cache, LogitsMode logits, Workspace& ws,
                    std::vector<std::vector<float>>* layer_states, const Prompts& prompts) {
  const TransformerConfig& c = model.config;
  const TransformerWeights& w = model.weights;
  int N = 0;
  for (const SeqSpan& sp : spans) N = std::max(N, sp.row0 + sp.n);
  prepare(model, tokens, spans, cache, prompts, N, ws);
  const int d = c.n_embd;
  float *x = ws.x.data(), *xn = ws.xn.data(), *q = ws.q.data(), *k = ws.k.data(), *v = ws.v.data();

  // x = token_embd[tokens], or span s's soft embeddings in its first n_soft rows   x: [N, d]
  for (size_t s = 0; s < spans.size(); ++s)
    for (int i = 0; i < spans[s].n; ++i) {
      const int r = spans[s].row0 + i;
      const float* src = i < prompts.n_soft ? prompts.soft + (s * prompts.n_soft + i) * size_t(d)
                                            : w.token_embd.row(tokens[r]);
      std::memcpy(x + size_t(r) * d, src, d * sizeof(float));
    }
  // RoPE angles of every row's position                            cos, sin: [N, n_rot/2]
  rope_angles(ws.pos.data(), N, c, ws.cos.data(), ws.sin.data());

  for (int l = 0; l < c.n_layer; ++l) {
    const LayerWeights& L = w.layers[l];
    // xn = RMSNorm(x) * attn_norm                                  xn: [N, d]
    rms_norm(x, L.attn_norm.data(), N, d, c.rms_eps, xn);
    // q = xn Wq^T + bq;  k = xn Wk^T + bk;  v = xn Wv^T + bv        q: [N, q_dim]; k, v: [N, kv_dim]
    matmul(xn, N, L.wq, bias(L.bq), q);
    matmul(xn, N, L.wk, bias(L.bk), k);
    matmul(xn, N, L.wv, bias(L.bv), v);
    // rotate queries and keys by their positions
    rope(q, N, c.n_head, ws.cos.data(), ws.sin.data(), c);
    rope(k, N, c.n_head_kv, ws.cos.data(), ws.sin.data(), c);
    // with a cache, append this step's keys/values to each sequence's history
    if (cache) store_kv(spans, l, *cache, ws);
    // att = softmax(q k^T / sqrt(hd)) v within each sequence (and its prefix)  att: [N, q_dim]
    attend(c, spans, l, cache, prompts, ws);
    // x += att Wo^T + bo
    matmul_add(ws.att.data(), N, L.wo, bias(L.bo), x);
    // xn = RMSNorm(x) * ffn_norm
    rms_norm(x, L.ffn_norm.data(), N, d, c.rms_eps, xn);
    // gate = silu(xn Wg^T + bg) * (xn Wu^T + bu)                    gate, up: [N, ff]
    matmul(xn, N, L.w_gate, bias(L.b_gate), ws.gate.data());
    matmul(xn, N, L.w_up, bias(L.b_up), ws.up.data());
    swiglu(ws.gate.data(), ws.up.data(), size_t(N) * c.n_ff);
    // x += gate Wd^T + bd
    matmul_add(ws.gate.data(), N, L.w_down, bias(L.b_down), x);
    if (layer_states) layer_states->emplace_back(x, x + size_t(N) * d);
  }
  if (cache)
    for (const SeqSpan& sp : spans) cache->length[sp.seq] += sp.n;

  // hidden = RMSNorm(x) * output_norm                              hidden: [N, d]
  rms_norm(x, w.output_norm.data(), N, d, c.rms_eps, ws.hidden.data());
  // logits = hidden W_out^T + b_out, for every row or each sequence's last row   logits: [rows, vocab]
  if (logits == LogitsMode::All) {
    matmul(ws.hidden.data(), N, w.lm_head(), bias(w.output_b), grow(ws.logits, size_t(N) * c.n_vocab));
  } else if (logits == LogitsMode::Last) {
    const int S = int(spans.size());
    float* last = grow(ws.last, size_t(S) * d);
    for (int s = 0; s < S; ++s)
      std::memcpy(last + size_t(s) * d, ws.hidden.data() + size_t(spans[s].row0 + spans[s].n - 1) * d,
                  d * sizeof(float));
    matmul(last, S, w.lm_head(), bias(w.output_b), grow(ws.logits, size_t(S) * c.n_vocab));
  }
}

ForwardOutput forward(const Model& model, const std::vector<std::vector<int32_t>>& batch,
                      const ForwardOptions& options, const Prompts& prompts) {
  const TransformerConfig& c = model.config;
  if (batch.empty()) throw std::invalid_argument("forward: the batch has no sequences");
  // Each sequence's soft rows (if any) come first in its span; their token ids are not read.
  const int n_soft = std::max(prompts.n_soft, 0);
  ForwardOutput out;
  out.batch = int(batch.size());
  std::vector<int32_t> packed;
  std::vector<SeqSpan> spans;
  for (size_t b = 0; b < batch.size(); ++b) {
    if (batch[b].empty()) throw std::invalid_argument("forward: sequence " + std::to_string(b) + " is empty");
    spans.push_back({int(b), int(packed.size()), n_soft + int(batch[b].size())});
    packed.insert(packed.end(), size_t(n_soft), 0);
    packed.insert(packed.end(), batch[b].begin(), batch[b].end());
    out.lengths.push_back(int(batch[b].size()));
    out.max_len = std::max(out.max_len, int(batch[b].size()));
  }

  Workspace ws;
  std::vector<std::vector<float>> states;
  forward_packed(model, packed.data(), spans, nullptr, options.logits, ws,
                 options.layer_states ? &states : nullptr, prompts);

  // Scatter each sequence's token rows of the packed [N, width] to padded [B, T, width].
  const size_t T = out.max_len;
  auto unpack = [&](const float* src, size_t width) {
    std::vector<float> dst(batch.size() * T * width, 0.0f);
    for (const SeqSpan& sp : spans)
      std::memcpy(dst.data() + size_t(sp.seq) * T * width, src + size_t(sp.row0 + n_soft) * width,
                  (sp.n - n_soft) * width * sizeof(float));
    return dst;
  };
  out.hidden = unpack(ws.hidden.data(), c.n_embd);
  for (const auto& s : states) out.layer_states.push_back(unpack(s.data(), c.n_embd));
  if (options.logits == LogitsMode::All)
    out.logits = unpack(ws.logits.data(), c.n_vocab);
  else if (options.logits == LogitsMode::Last)
    out.logits.assign(ws.logits.begin(), ws.logits.begin() + batch.size() * size_t(c.n_vocab));
  return out;
}

void pool_span(const float* hidden, int d, const SeqSpan& span, bool mean, float* out) {
  std::fill(out, out + d, 0.0f);
  for (int r = mean ? 0 : span.n - 1; r < span.n; ++r)
    for (int j = 0; j < d; ++j) out[j] += hidden[size_t(span.row0 + r) * size_t(d) + size_t(j)];
  if (mean)
    for (int j = 0; j < d; ++j) out[j] /= float(span.n);
}

}  // namespace llactr::llm

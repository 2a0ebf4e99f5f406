// RoPE and packed attention (causal or bidirectional, with prefix keys/values) as autodiff ops.
// Each backward sits under its forward.
#include "llactr/llm/train/trainable_ops.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "llactr/llm/model/attention.h"
#include "llactr/llm/model/transformer_ops.h"

namespace llactr::llm {

PackedBatch pack_sequences(const std::vector<std::vector<int32_t>>& seqs) {
  PackedBatch b;
  for (size_t s = 0; s < seqs.size(); ++s) {
    if (seqs[s].empty()) throw std::invalid_argument("pack_sequences: sequence " + std::to_string(s) + " is empty");
    b.spans.push_back({int(s), b.rows(), int(seqs[s].size())});
    b.tokens.insert(b.tokens.end(), seqs[s].begin(), seqs[s].end());
    for (size_t t = 0; t < seqs[s].size(); ++t) b.pos.push_back(int(t));
  }
  return b;
}

std::shared_ptr<const RopeAngles> rope_angles_for(const PackedBatch& batch, const TransformerConfig& c) {
  auto a = std::make_shared<RopeAngles>();
  const size_t half = c.n_rot / 2;
  a->cos.resize(batch.rows() * half);
  a->sin.resize(batch.rows() * half);
  rope_angles(batch.pos.data(), batch.rows(), c, a->cos.data(), a->sin.data());
  return a;
}

Var rope_op(const Var& x, std::shared_ptr<const RopeAngles> angles, int n_heads, const TransformerConfig& c) {
  const int N = int(x.dim(0));
  if (x.shape().size() != 2 || x.dim(1) != int64_t(n_heads) * c.head_dim || angles->cos.size() != size_t(N) * (c.n_rot / 2))
    shape_error("rope_op", x.shape(), {int64_t(n_heads) * c.head_dim}, "need x [N, n_heads*head_dim] and angles for N rows");
  Tensor y = x.value();
  rope(y.data(), N, n_heads, angles->cos.data(), angles->sin.data(), c);
  return make_result(std::move(y), {x}, [x, angles, n_heads, c, N](Node& self) {
    // dx = R(-theta) dy: rotate the gradient back.
    std::vector<float> neg_sin(angles->sin.size());
    for (size_t i = 0; i < neg_sin.size(); ++i) neg_sin[i] = -angles->sin[i];
    Tensor dx = self.grad;
    rope(dx.data(), N, n_heads, angles->cos.data(), neg_sin.data(), c);
    grad_buffer(*x.node()).vec() += dx.vec();
  });
}

namespace {

float* grad_or_null(const Var& v) { return v.requires_grad() ? grad_buffer(*v.node()).data() : nullptr; }

int longest(const std::vector<SeqSpan>& spans) {
  int n = 0;
  for (const SeqSpan& sp : spans) n = std::max(n, sp.n);
  return n;
}

// Backward of one (span, kv head g) block, for the query heads of its group. With
// p_ij = exp(s_ij - lse_i), s_ij = scale q_i.k_j over the visible keys:
//   dv_j += sum_i p_ij do_i;   dp_ij = do_i.v_j;   ds_ij = p_ij (dp_ij - do_i.o_i)
//   dq_i += scale sum_j ds_ij k_j;   dk_j += scale sum_i ds_ij q_i
// kt, vt: [hd, n_keys] the block's keys and values transposed (query row 0 is key first_key);
// dkt, dvt: [hd, n_keys] their gradients (accumulated here); p, ds: [n_keys] scratch. Pointers
// are at the block's first row and head slice.
void attention_head_backward(const float* Q, const float* O, const float* dO, float* dQ, int q_dim, int n,
                             const float* kt, const float* vt, float* dkt, float* dvt, int n_keys, int first_key,
                             bool causal, const float* lse, int H, int hd, float scale, float* p, float* ds) {
  for (int i = 0; i < n; ++i) {
    const int n_vis = visible_keys(i, first_key, n_keys, causal);
    const float* qi = Q + size_t(i) * q_dim;
    const float* doi = dO + size_t(i) * q_dim;
    float D = 0.0f;  // do_i . o_i
    for (int d = 0; d < hd; ++d) D += doi[d] * O[size_t(i) * q_dim + d];
    head_scores(qi, kt, n_keys, n_vis, hd, scale, p);
    const float l = lse[size_t(i) * H];
#pragma omp simd
    for (int j = 0; j < n_vis; ++j) p[j] = softmax_exp(p[j] - l);
    // ds_j = p_j (do_i . v_j - D) scale
    head_scores(doi, vt, n_keys, n_vis, hd, 1.0f, ds);
#pragma omp simd
    for (int j = 0; j < n_vis; ++j) ds[j] = p[j] * (ds[j] - D) * scale;
    for (int d = 0; d < hd; ++d) {
      const float* kd = kt + size_t(d) * n_keys;
      if (dQ) {
        float acc = 0.0f;
#pragma omp simd reduction(+ : acc)
        for (int j = 0; j < n_vis; ++j) acc += ds[j] * kd[j];
        dQ[size_t(i) * q_dim + d] += acc;
      }
      const float qd = qi[d], gd = doi[d];
      float* dkd = dkt + size_t(d) * n_keys;
      float* dvd = dvt + size_t(d) * n_keys;
#pragma omp simd
      for (int j = 0; j < n_vis; ++j) dkd[j] += ds[j] * qd, dvd[j] += p[j] * gd;
    }
  }
}

}  // namespace

int prefix_length(const Var& prefix, int S, const TransformerConfig& c) {
  if (!prefix) return 0;
  const int64_t slot = int64_t(c.n_layer) * 2 * c.kv_dim();  // one prefix key and value of every layer
  if (prefix.shape().size() != 2 || prefix.dim(0) != S || prefix.dim(1) % slot != 0)
    throw std::invalid_argument("prefix keys/values have shape " + shape_str(prefix.shape()) + ", expected [" +
                                std::to_string(S) + ", K * " + std::to_string(slot) +
                                "] (K prefix slots of n_layer * 2 * kv_dim per sequence)");
  return int(prefix.dim(1) / slot);
}

Var attention_op(const Var& q, const Var& k, const Var& v, const PackedBatch& batch, const TransformerConfig& c,
                 AttentionMask mask, const Var& prefix, int layer) {
  const int N = batch.rows(), H = c.n_head, hd = c.head_dim, q_dim = c.q_dim(), kv_dim = c.kv_dim();
  if (q.shape() != Shape{N, q_dim}) shape_error("attention_op", q.shape(), {N, q_dim}, "(q, expected) differ");
  if (k.shape() != Shape{N, kv_dim}) shape_error("attention_op", k.shape(), {N, kv_dim}, "(k, expected) differ");
  if (v.shape() != Shape{N, kv_dim}) shape_error("attention_op", v.shape(), {N, kv_dim}, "(v, expected) differ");
  if (layer < 0 || layer >= c.n_layer)
    throw std::invalid_argument("attention_op: layer " + std::to_string(layer) + " of a model of " +
                                std::to_string(c.n_layer));
  const std::vector<SeqSpan> spans = batch.spans;
  const int S = int(spans.size()), G = c.n_head_kv;
  const PrefixLayout lay{prefix_length(prefix, S, c), c.n_layer, kv_dim};
  const int P = lay.n_prefix, max_keys = P + longest(spans);
  const bool causal = mask == AttentionMask::Causal;
  Tensor out({N, q_dim});
  auto lse = std::make_shared<std::vector<float>>(size_t(N) * H);  // [N, H] log-sum-exp of each row's scaled scores
  const float *Q = q.value().data(), *K = k.value().data(), *V = v.value().data();
  const float* PK = P ? prefix.value().data() : nullptr;
  const bool parallel = int64_t(N) * H * hd > (1 << 14);

  // Forward: one (span, kv head) block per task (attention.h); each writes its own rows' head slices.
#pragma omp parallel if (parallel)
  {
    std::vector<float> scratch(size_t(2 * hd + 1) * max_keys);  // kt, vt: [hd, n_keys]; scores: [n_keys]
#pragma omp for schedule(dynamic)
    for (int task = 0; task < S * G; ++task) {
      const int s = task / G, g = task % G;
      const SeqSpan& sp = spans[s];
      const int n_keys = P + sp.n;
      float *kt = scratch.data(), *vt = kt + size_t(hd) * n_keys, *scores = vt + size_t(hd) * n_keys;
      const size_t kv_at = size_t(sp.row0) * kv_dim + g * hd, p_at = P ? lay.key(s, layer, g, hd) : 0;
      const float* pk = P ? PK + p_at : nullptr;
      transpose_block(pk, P, lay.stride(), K + kv_at, sp.n, kv_dim, hd, kt);
      transpose_block(P ? pk + kv_dim : nullptr, P, lay.stride(), V + kv_at, sp.n, kv_dim, hd, vt);
      for (int h = g * c.group(); h < (g + 1) * c.group(); ++h) {
        const size_t at = size_t(sp.row0) * q_dim + h * hd;
        attention_head(Q + at, q_dim, sp.n, kt, vt, n_keys, P, causal, hd, scores, out.data() + at, q_dim,
                       lse->data() + size_t(sp.row0) * H + h, H);
      }
    }
  }

  return make_result(std::move(out), {q, k, v, prefix}, [q, k, v, prefix, spans, lse, c, lay, layer, causal, max_keys,
                                                        parallel](Node& self) {
    const int H = c.n_head, hd = c.head_dim, q_dim = c.q_dim(), kv_dim = c.kv_dim(), G = c.n_head_kv;
    const int S = int(spans.size()), P = lay.n_prefix;
    const float scale = 1.0f / std::sqrt(float(hd));
    const float *Q = q.value().data(), *K = k.value().data(), *V = v.value().data();
    const float* PK = P ? prefix.value().data() : nullptr;
    const float *O = self.value.data(), *dO = self.grad.data();
    float *dQ = grad_or_null(q), *dK = grad_or_null(k), *dV = grad_or_null(v), *dP = P ? grad_or_null(prefix) : nullptr;
    // One (span, kv head) per task, so the query heads sharing a k/v head never race on dk, dv
    // (nor on the span's own prefix slices).
#pragma omp parallel if (parallel)
    {
      std::vector<float> scratch(size_t(4 * hd + 2) * max_keys);  // kt, vt, dkt, dvt: [hd, n_keys]; p, ds: [n_keys]
#pragma omp for schedule(dynamic)
      for (int task = 0; task < S * G; ++task) {
        const int s = task / G, g = task % G;
        const SeqSpan& sp = spans[s];
        const int n_keys = P + sp.n;
        const size_t block = size_t(hd) * n_keys;
        float *kt = scratch.data(), *vt = kt + block, *dkt = vt + block, *dvt = dkt + block;
        float *p = dvt + block, *ds = p + n_keys;
        const size_t kv_at = size_t(sp.row0) * kv_dim + g * hd, p_at = P ? lay.key(s, layer, g, hd) : 0;
        const float* pk = P ? PK + p_at : nullptr;
        transpose_block(pk, P, lay.stride(), K + kv_at, sp.n, kv_dim, hd, kt);
        transpose_block(P ? pk + kv_dim : nullptr, P, lay.stride(), V + kv_at, sp.n, kv_dim, hd, vt);
        std::fill(dkt, dkt + 2 * block, 0.0f);
        for (int h = g * c.group(); h < (g + 1) * c.group(); ++h) {
          const size_t at = size_t(sp.row0) * q_dim + h * hd;
          attention_head_backward(Q + at, O + at, dO + at, dQ ? dQ + at : nullptr, q_dim, sp.n, kt, vt, dkt, dvt,
                                  n_keys, P, causal, lse->data() + size_t(sp.row0) * H + h, H, hd, scale, p, ds);
        }
        // key columns 0..P-1 are the prefix, P.. the span's rows
        if (dP) add_transposed_head(dkt, P, hd, dP + p_at, lay.stride(), n_keys);
        if (dP) add_transposed_head(dvt, P, hd, dP + p_at + kv_dim, lay.stride(), n_keys);
        if (dK) add_transposed_head(dkt + P, sp.n, hd, dK + kv_at, kv_dim, n_keys);
        if (dV) add_transposed_head(dvt + P, sp.n, hd, dV + kv_at, kv_dim, n_keys);
      }
    }
  });
}

}  // namespace llactr::llm

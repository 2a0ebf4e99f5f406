// RoPE and packed causal attention as autodiff ops. Each backward sits under its forward.
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
// kt, vt: [hd, n] the block's keys and values transposed; dkt, dvt: [hd, n] their gradients
// (accumulated here); p, ds: [n] scratch. Pointers are at the block's first row and head slice.
void attention_head_backward(const float* Q, const float* O, const float* dO, float* dQ, int q_dim, int n,
                             const float* kt, const float* vt, float* dkt, float* dvt, const float* lse, int H,
                             int hd, float scale, float* p, float* ds) {
  for (int i = 0; i < n; ++i) {
    const int n_vis = visible_keys(i, 0, n, true);
    const float* qi = Q + size_t(i) * q_dim;
    const float* doi = dO + size_t(i) * q_dim;
    float D = 0.0f;  // do_i . o_i
    for (int d = 0; d < hd; ++d) D += doi[d] * O[size_t(i) * q_dim + d];
    head_scores(qi, kt, n, n_vis, hd, scale, p);
    const float l = lse[size_t(i) * H];
#pragma omp simd
    for (int j = 0; j < n_vis; ++j) p[j] = softmax_exp(p[j] - l);
    // ds_j = p_j (do_i . v_j - D) scale
    head_scores(doi, vt, n, n_vis, hd, 1.0f, ds);
#pragma omp simd
    for (int j = 0; j < n_vis; ++j) ds[j] = p[j] * (ds[j] - D) * scale;
    for (int d = 0; d < hd; ++d) {
      const float* kd = kt + size_t(d) * n;
      if (dQ) {
        float acc = 0.0f;
#pragma omp simd reduction(+ : acc)
        for (int j = 0; j < n_vis; ++j) acc += ds[j] * kd[j];
        dQ[size_t(i) * q_dim + d] += acc;
      }
      const float qd = qi[d], gd = doi[d];
      float* dkd = dkt + size_t(d) * n;
      float* dvd = dvt + size_t(d) * n;
#pragma omp simd
      for (int j = 0; j < n_vis; ++j) dkd[j] += ds[j] * qd, dvd[j] += p[j] * gd;
    }
  }
}

}  // namespace

Var causal_attention_op(const Var& q, const Var& k, const Var& v, const PackedBatch& batch,
                        const TransformerConfig& c) {
  const int N = batch.rows(), H = c.n_head, hd = c.head_dim, q_dim = c.q_dim(), kv_dim = c.kv_dim();
  if (q.shape() != Shape{N, q_dim}) shape_error("causal_attention_op", q.shape(), {N, q_dim}, "(q, expected) differ");
  if (k.shape() != Shape{N, kv_dim}) shape_error("causal_attention_op", k.shape(), {N, kv_dim}, "(k, expected) differ");
  if (v.shape() != Shape{N, kv_dim}) shape_error("causal_attention_op", v.shape(), {N, kv_dim}, "(v, expected) differ");
  const std::vector<SeqSpan> spans = batch.spans;
  const int S = int(spans.size()), G = c.n_head_kv, max_n = longest(spans);
  Tensor out({N, q_dim});
  auto lse = std::make_shared<std::vector<float>>(size_t(N) * H);  // [N, H] log-sum-exp of each row's scaled scores
  const float *Q = q.value().data(), *K = k.value().data(), *V = v.value().data();
  const bool parallel = int64_t(N) * H * hd > (1 << 14);

  // Forward: one (span, kv head) block per task (attention.h); each writes its own rows' head slices.
#pragma omp parallel if (parallel)
  {
    std::vector<float> scratch(size_t(2 * hd + 1) * max_n);  // kt, vt: [hd, n]; scores: [n]
#pragma omp for schedule(dynamic)
    for (int task = 0; task < S * G; ++task) {
      const SeqSpan& sp = spans[task / G];
      const int g = task % G;
      float *kt = scratch.data(), *vt = kt + size_t(hd) * sp.n, *scores = vt + size_t(hd) * sp.n;
      transpose_head(K + size_t(sp.row0) * kv_dim + g * hd, sp.n, kv_dim, hd, kt);
      transpose_head(V + size_t(sp.row0) * kv_dim + g * hd, sp.n, kv_dim, hd, vt);
      for (int h = g * c.group(); h < (g + 1) * c.group(); ++h) {
        const size_t at = size_t(sp.row0) * q_dim + h * hd;
        attention_head(Q + at, q_dim, sp.n, kt, vt, sp.n, 0, true, hd, scores, out.data() + at, q_dim,
                       lse->data() + size_t(sp.row0) * H + h, H);
      }
    }
  }

  return make_result(std::move(out), {q, k, v}, [q, k, v, spans, lse, c, N, max_n, parallel](Node& self) {
    const int H = c.n_head, hd = c.head_dim, q_dim = c.q_dim(), kv_dim = c.kv_dim(), G = c.n_head_kv;
    const int S = int(spans.size());
    const float scale = 1.0f / std::sqrt(float(hd));
    const float *Q = q.value().data(), *K = k.value().data(), *V = v.value().data();
    const float *O = self.value.data(), *dO = self.grad.data();
    float *dQ = grad_or_null(q), *dK = grad_or_null(k), *dV = grad_or_null(v);
    // One (span, kv head) per task, so the query heads sharing a k/v head never race on dk, dv.
#pragma omp parallel if (parallel)
    {
      std::vector<float> scratch(size_t(4 * hd + 2) * max_n);  // kt, vt, dkt, dvt: [hd, n]; p, ds: [n]
#pragma omp for schedule(dynamic)
      for (int task = 0; task < S * G; ++task) {
        const SeqSpan& sp = spans[task / G];
        const int g = task % G;
        const size_t block = size_t(hd) * sp.n;
        float *kt = scratch.data(), *vt = kt + block, *dkt = vt + block, *dvt = dkt + block;
        float *p = dvt + block, *ds = p + sp.n;
        const size_t kv_at = size_t(sp.row0) * kv_dim + g * hd;
        transpose_head(K + kv_at, sp.n, kv_dim, hd, kt);
        transpose_head(V + kv_at, sp.n, kv_dim, hd, vt);
        std::fill(dkt, dkt + 2 * block, 0.0f);
        for (int h = g * c.group(); h < (g + 1) * c.group(); ++h) {
          const size_t at = size_t(sp.row0) * q_dim + h * hd;
          attention_head_backward(Q + at, O + at, dO + at, dQ ? dQ + at : nullptr, q_dim, sp.n, kt, vt, dkt, dvt,
                                  lse->data() + size_t(sp.row0) * H + h, H, hd, scale, p, ds);
        }
        if (dK) add_transposed_head(dkt, sp.n, hd, dK + kv_at, kv_dim);
        if (dV) add_transposed_head(dvt, sp.n, hd, dV + kv_at, kv_dim);
      }
    }
  });
}

}  // namespace llactr::llm

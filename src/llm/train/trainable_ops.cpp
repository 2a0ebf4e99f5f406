// RoPE and packed causal attention as autodiff ops. Each backward sits under its forward.
#include "llactr/llm/train/trainable_ops.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

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

float dot(const float* a, const float* b, int n) {
  float s = 0.0f;
  for (int i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

void axpy(float alpha, const float* x, float* y, int n) {
  for (int i = 0; i < n; ++i) y[i] += alpha * x[i];
}

float* grad_or_null(const Var& v) { return v.requires_grad() ? grad_buffer(*v.node()).data() : nullptr; }

}  // namespace

Var causal_attention_op(const Var& q, const Var& k, const Var& v, const PackedBatch& batch,
                        const TransformerConfig& c) {
  const int N = batch.rows(), H = c.n_head, hd = c.head_dim, q_dim = c.q_dim(), kv_dim = c.kv_dim();
  if (q.shape() != Shape{N, q_dim}) shape_error("causal_attention_op", q.shape(), {N, q_dim}, "(q, expected) differ");
  if (k.shape() != Shape{N, kv_dim}) shape_error("causal_attention_op", k.shape(), {N, kv_dim}, "(k, expected) differ");
  if (v.shape() != Shape{N, kv_dim}) shape_error("causal_attention_op", v.shape(), {N, kv_dim}, "(v, expected) differ");
  const float scale = 1.0f / std::sqrt(float(hd));
  const std::vector<SeqSpan> spans = batch.spans;
  const int S = int(spans.size());
  Tensor out({N, q_dim});
  auto lse = std::make_shared<std::vector<float>>(size_t(N) * H);  // [N, H] log-sum-exp of each row's scaled scores
  const float *Q = q.value().data(), *K = k.value().data(), *V = v.value().data();

  // Forward: one (span, head) per task; each writes its own head slice of its own rows.
#pragma omp parallel for schedule(dynamic) if (int64_t(N) * H * hd > (1 << 14))
  for (int task = 0; task < S * H; ++task) {
    const SeqSpan& sp = spans[task / H];
    const int h = task % H, g = h / c.group();
    std::vector<float> p(sp.n);
    for (int i = 0; i < sp.n; ++i) {
      const int r = sp.row0 + i;
      const float* qi = Q + size_t(r) * q_dim + h * hd;
      float m = -INFINITY;
      for (int j = 0; j <= i; ++j) {
        p[j] = dot(qi, K + size_t(sp.row0 + j) * kv_dim + g * hd, hd) * scale;
        m = std::max(m, p[j]);
      }
      float z = 0.0f;
      for (int j = 0; j <= i; ++j) z += p[j] = std::exp(p[j] - m);
      float* oi = out.data() + size_t(r) * q_dim + h * hd;
      std::fill(oi, oi + hd, 0.0f);
      for (int j = 0; j <= i; ++j) axpy(p[j] / z, V + size_t(sp.row0 + j) * kv_dim + g * hd, oi, hd);
      (*lse)[size_t(r) * H + h] = m + std::log(z);
    }
  }

  return make_result(std::move(out), {q, k, v}, [q, k, v, spans, lse, c, N, scale](Node& self) {
    // With p_ij = exp(s_ij - lse_i), s_ij = scale q_i.k_j:
    //   dv_j += sum_i p_ij do_i;   dp_ij = do_i.v_j;   ds_ij = p_ij (dp_ij - do_i.o_i)
    //   dq_i += scale sum_j ds_ij k_j;   dk_j += scale sum_i ds_ij q_i
    const int H = c.n_head, hd = c.head_dim, q_dim = c.q_dim(), kv_dim = c.kv_dim(), G = c.n_head_kv;
    const int S = int(spans.size());
    const float *Q = q.value().data(), *K = k.value().data(), *V = v.value().data();
    const float *O = self.value.data(), *dO = self.grad.data();
    float *dQ = grad_or_null(q), *dK = grad_or_null(k), *dV = grad_or_null(v);
    // One (span, key/value head) per task, so the query heads sharing a k/v head never race on dk, dv.
#pragma omp parallel for schedule(dynamic) if (int64_t(N) * H * hd > (1 << 14))
    for (int task = 0; task < S * G; ++task) {
      const SeqSpan& sp = spans[task / G];
      const int g = task % G;
      for (int h = g * c.group(); h < (g + 1) * c.group(); ++h) {
        for (int i = 0; i < sp.n; ++i) {
          const int r = sp.row0 + i;
          const float* qi = Q + size_t(r) * q_dim + h * hd;
          const float* doi = dO + size_t(r) * q_dim + h * hd;
          const float D = dot(doi, O + size_t(r) * q_dim + h * hd, hd);
          const float l = (*lse)[size_t(r) * H + h];
          for (int j = 0; j <= i; ++j) {
            const size_t kj = size_t(sp.row0 + j) * kv_dim + g * hd;
            const float pij = std::exp(dot(qi, K + kj, hd) * scale - l);
            if (dV) axpy(pij, doi, dV + kj, hd);
            const float ds = pij * (dot(doi, V + kj, hd) - D) * scale;
            if (dQ) axpy(ds, K + kj, dQ + size_t(r) * q_dim + h * hd, hd);
            if (dK) axpy(ds, qi, dK + kj, hd);
          }
        }
      }
    }
  });
}

}  // namespace llactr::llm

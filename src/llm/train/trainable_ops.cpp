// RoPE, packed attention (causal or bidirectional, with prefix keys/values) and the LoRA
// projection as autodiff ops. Each backward sits under its forward.
#include "llactr/llm/train/trainable_ops.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "llactr/llm/model/attention.h"
#include "llactr/llm/model/transformer_ops.h"
#include "llactr/tensor/gemm.h"

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

// The backward's keys-per-row are rounded up to whole blocks of head_scores' 16 keys: rows of the
// transposed buffers have this length (zero-padded), and no loop over keys has a scalar tail.
int padded(int n) { return (n + 15) / 16 * 16; }

// Backward of one (span, kv head) block for one query head. With p_ij = exp(s_ij - lse_i),
// s_ij = scale q_i.k_j over the visible keys:
//   dv_j += sum_i p_ij do_i;   dp_ij = do_i.v_j;   ds_ij = scale p_ij (dp_ij - do_i.o_i)
//   dk_j += sum_i ds_ij q_i;   dq_i += sum_j ds_ij k_j
// Row i's keys run to padded(its visible keys) with p = ds = 0 past the visible ones. dk, dv are
// summed along the keys (vector lanes = keys); dq, whose per-dimension sums over the keys would each
// end in a horizontal add, is one product dS kt^T after the rows.
//   kt, vt: [hd, ld] keys, values transposed (query row 0 is key first_key), columns >= n_keys zero;
//   dkt, dvt: [hd, ld] their gradients (accumulated); dS: [n, ld] scratch; dq: [n, hd] scratch (at
//   least ld floats); Q, O, dO, dQ at the block's first row and this head's slice (row stride q_dim);
//   lse at the block's first row (stride H).
void attention_head_backward(const float* Q, const float* O, const float* dO, float* dQ, int q_dim, int n,
                             const float* kt, const float* vt, int ld, float* dkt, float* dvt, int n_keys,
                             int first_key, bool causal, const float* lse, int H, int hd, float scale, float* dS,
                             float* dq) {
  for (int i = 0; i < n; ++i) {
    const int n_vis = visible_keys(i, first_key, n_keys, causal), n_blk = padded(n_vis);
    const float* qi = Q + size_t(i) * q_dim;
    const float* doi = dO + size_t(i) * q_dim;
    float* p = dq;  // the probabilities of row i: [n_blk] (dq is written only after the rows)
    float* ds = dS + size_t(i) * ld;
    float D = 0.0f;  // do_i . o_i
    for (int d = 0; d < hd; ++d) D += doi[d] * O[size_t(i) * q_dim + d];
    head_scores(qi, kt, ld, n_blk, hd, scale, p);
    const float l = lse[size_t(i) * H];
#pragma omp simd
    for (int j = 0; j < n_blk; ++j) p[j] = j < n_vis ? softmax_exp(p[j] - l) : 0.0f;
    // ds_j = scale p_j (do_i . v_j - D)
    head_scores(doi, vt, ld, n_blk, hd, 1.0f, ds);
#pragma omp simd
    for (int j = 0; j < n_blk; ++j) ds[j] = p[j] * (ds[j] - D) * scale;
    std::fill(ds + n_blk, ds + ld, 0.0f);
    for (int d = 0; d < hd; ++d) {
      const float qd = qi[d], gd = doi[d];
      float* dkd = dkt + size_t(d) * ld;
      float* dvd = dvt + size_t(d) * ld;
#pragma omp simd
      for (int j = 0; j < n_blk; ++j) dkd[j] += ds[j] * qd, dvd[j] += p[j] * gd;
    }
  }
  if (!dQ) return;
  // dq = dS kt^T: [n, hd]
  gemm_serial(false, true, n, hd, ld, 1.0f, dS, kt, 0.0f, dq);
  for (int i = 0; i < n; ++i)
    for (int d = 0; d < hd; ++d) dQ[size_t(i) * q_dim + d] += dq[size_t(i) * hd + d];
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
    // kt, vt: [hd, n_keys], then attention_head's tile
    std::vector<float> scratch(size_t(2 * hd) * max_keys + attention_tile_floats(hd, max_keys));
#pragma omp for schedule(dynamic)
    for (int task = 0; task < S * G; ++task) {
      const int s = task / G, g = task % G;
      const SeqSpan& sp = spans[s];
      const int n_keys = P + sp.n;
      float *kt = scratch.data(), *vt = kt + size_t(hd) * n_keys, *tile = vt + size_t(hd) * n_keys;
      const size_t kv_at = size_t(sp.row0) * kv_dim + g * hd, p_at = P ? lay.key(s, layer, g, hd) : 0;
      const float* pk = P ? PK + p_at : nullptr;
      transpose_block(pk, P, lay.stride(), K + kv_at, sp.n, kv_dim, hd, kt);
      transpose_block(P ? pk + kv_dim : nullptr, P, lay.stride(), V + kv_at, sp.n, kv_dim, hd, vt);
      for (int h = g * c.group(); h < (g + 1) * c.group(); ++h) {
        const size_t at = size_t(sp.row0) * q_dim + h * hd;
        attention_head(Q + at, q_dim, sp.n, kt, vt, n_keys, P, causal, hd, out.data() + at, q_dim,
                       lse->data() + size_t(sp.row0) * H + h, H, tile);
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
    const int max_n = max_keys - P, ld_max = padded(max_keys);
    const size_t block_max = size_t(hd) * ld_max;
#pragma omp parallel if (parallel)
    {
      // kt, vt, dkt, dvt: [hd, ld]; dS: [n, ld]; dq: [n, hd] (and p: [ld])
      std::vector<float> scratch(4 * block_max + size_t(max_n) * ld_max + std::max(size_t(max_n) * hd, size_t(ld_max)));
#pragma omp for schedule(dynamic)
      for (int task = 0; task < S * G; ++task) {
        const int s = task / G, g = task % G;
        const SeqSpan& sp = spans[s];
        const int n_keys = P + sp.n, ld = padded(n_keys);
        const size_t block = size_t(hd) * ld;
        float *kt = scratch.data(), *vt = kt + block, *dkt = vt + block, *dvt = dkt + block;
        float *dS = dvt + block, *dq = dS + size_t(sp.n) * ld;
        const size_t kv_at = size_t(sp.row0) * kv_dim + g * hd, p_at = P ? lay.key(s, layer, g, hd) : 0;
        const float* pk = P ? PK + p_at : nullptr;
        // kt, vt: the prefix's keys (values), then the span's, transposed; columns past n_keys zero
        std::fill(kt, kt + 4 * block, 0.0f);
        if (P) transpose_head(pk, P, lay.stride(), hd, kt, ld);
        if (P) transpose_head(pk + kv_dim, P, lay.stride(), hd, vt, ld);
        transpose_head(K + kv_at, sp.n, kv_dim, hd, kt + P, ld);
        transpose_head(V + kv_at, sp.n, kv_dim, hd, vt + P, ld);
        for (int h = g * c.group(); h < (g + 1) * c.group(); ++h) {
          const size_t at = size_t(sp.row0) * q_dim + h * hd;
          attention_head_backward(Q + at, O + at, dO + at, dQ ? dQ + at : nullptr, q_dim, sp.n, kt, vt, ld, dkt, dvt,
                                  n_keys, P, causal, lse->data() + size_t(sp.row0) * H + h, H, hd, scale, dS, dq);
        }
        // key columns 0..P-1 are the prefix, P.. the span's rows
        if (dP) add_transposed_head(dkt, P, hd, dP + p_at, lay.stride(), ld);
        if (dP) add_transposed_head(dvt, P, hd, dP + p_at + kv_dim, lay.stride(), ld);
        if (dK) add_transposed_head(dkt + P, sp.n, hd, dK + kv_at, kv_dim, ld);
        if (dV) add_transposed_head(dvt + P, sp.n, hd, dV + kv_at, kv_dim, ld);
      }
    }
  });
}

namespace {

// out = a ⊙ b, or out += a ⊙ b when accumulate.   a, b, out: [n]
void multiply(const float* a, const float* b, int64_t n, bool accumulate, float* out) {
  if (accumulate) {
#pragma omp parallel for simd if (n > (1 << 15))
    for (int64_t i = 0; i < n; ++i) out[i] += a[i] * b[i];
  } else {
#pragma omp parallel for simd if (n > (1 << 15))
    for (int64_t i = 0; i < n; ++i) out[i] = a[i] * b[i];
  }
}

// The backward's [N, r] and [N, in] scratch, kept from call to call (per thread, as the tape is).
float* scratch(int which, size_t n) {
  thread_local std::vector<float> buffers[2];
  if (buffers[which].size() < n) buffers[which].resize(n);
  return buffers[which].data();
}

}  // namespace

Var lora_linear(const Var& x, const Var& W, const Var& b, const Var& A, const Var& B, float scale, Tensor mask,
                const Var& residual) {
  if (x.shape().size() != 2 || W.shape().size() != 2 || x.dim(1) != W.dim(1))
    shape_error("lora_linear", x.shape(), W.shape(), "(x, W) need x [N, in], W [out, in]");
  const int64_t N = x.dim(0), in = W.dim(1), out = W.dim(0), r = A ? A.dim(0) : 0;
  if (b && b.shape() != Shape{out}) shape_error("lora_linear", W.shape(), b.shape(), "(W, b) need b [out]");
  if (bool(A) != bool(B) || (A && (A.shape() != Shape{r, in} || B.shape() != Shape{out, r})))
    shape_error("lora_linear", A ? A.shape() : Shape{}, B ? B.shape() : Shape{}, "(A, B) need A [r, in], B [out, r]");
  if (!mask.empty() && mask.shape() != x.shape()) shape_error("lora_linear", x.shape(), mask.shape(), "(x, mask) differ");
  if (residual && residual.shape() != Shape{N, out})
    shape_error("lora_linear", residual.shape(), {N, out}, "(residual, output) differ");

  // y = x W^T + b                                               y: [N, out]
  Tensor y = Tensor::uninitialized({N, out});
  if (b) y.mat(N).rowwise() = b.value().vec().transpose();
  gemm(false, true, N, out, in, 1.0f, x.value().data(), W.value().data(), b ? 1.0f : 0.0f, y.data());
  Tensor xd, t;  // x ⊙ mask: [N, in] (only with a mask); t = xd A^T: [N, r]
  if (A) {
    if (!mask.empty()) {
      xd = Tensor::uninitialized(x.shape());
      multiply(x.value().data(), mask.data(), xd.numel(), false, xd.data());
    }
    t = Tensor::uninitialized({N, r});
    gemm(false, true, N, r, in, 1.0f, mask.empty() ? x.value().data() : xd.data(), A.value().data(), 0.0f, t.data());
    // y += scale t B^T
    gemm(false, true, N, out, r, scale, t.data(), B.value().data(), 1.0f, y.data());
  }
  if (residual) {
    const float* R = residual.value().data();
    float* Y = y.data();
    const int64_t n = y.numel();
#pragma omp parallel for simd if (n > (1 << 15))
    for (int64_t i = 0; i < n; ++i) Y[i] = R[i] + Y[i];
  }

  std::vector<Var> inputs{x, W};
  for (const Var& v : {b, A, B, residual})
    if (v) inputs.push_back(v);
  return make_result(std::move(y), inputs, [x, W, b, A, B, residual, scale, N, in, out, r, mask = std::move(mask),
                                             xd = std::move(xd), t = std::move(t)](Node& self) {
    const float* dy = self.grad.data();
    if (residual.requires_grad()) {
      // dresidual = dy
      const GradTarget g = grad_target(*residual.node());
      const int64_t n = N * out;
      if (g.fresh) std::copy(dy, dy + n, g.data);
      else {
#pragma omp parallel for simd if (n > (1 << 15))
        for (int64_t i = 0; i < n; ++i) g.data[i] += dy[i];
      }
    }
    float* dx = nullptr;
    bool dx_fresh = false;  // dx not written yet: the first write assigns instead of adding
    if (x.requires_grad()) {
      const GradTarget g = grad_target(*x.node());
      dx = g.data, dx_fresh = g.fresh;
    }
    if (A) {
      // dt = scale dy B;  dB += scale dy^T t;  dA += dt^T xd      dt: [N, r]
      float* dt = scratch(0, size_t(N * r));
      const float* x_or_xd = mask.empty() ? x.value().data() : xd.data();
      gemm(false, false, N, r, out, scale, dy, B.value().data(), 0.0f, dt);
      if (B.requires_grad()) gemm(true, false, out, r, N, scale, dy, t.data(), 1.0f, grad_buffer(*B.node()).data());
      if (A.requires_grad()) gemm(true, false, r, in, N, 1.0f, dt, x_or_xd, 1.0f, grad_buffer(*A.node()).data());
      // dx = (dt A) ⊙ mask (+ the product with W below)
      if (dx && mask.empty()) {
        gemm(false, false, N, in, r, 1.0f, dt, A.value().data(), dx_fresh ? 0.0f : 1.0f, dx);
        dx_fresh = false;
      } else if (dx) {
        float* dxd = scratch(1, size_t(N * in));
        gemm(false, false, N, in, r, 1.0f, dt, A.value().data(), 0.0f, dxd);
        multiply(dxd, mask.data(), N * in, !dx_fresh, dx);
        dx_fresh = false;
      }
    }
    // dx += dy W;  dW += dy^T x;  db += sum of the rows of dy
    if (dx) gemm(false, false, N, in, out, 1.0f, dy, W.value().data(), dx_fresh ? 0.0f : 1.0f, dx);
    if (W.requires_grad())
      gemm(true, false, out, in, N, 1.0f, dy, x.value().data(), 1.0f, grad_buffer(*W.node()).data());
    if (b && b.requires_grad()) grad_buffer(*b.node()).vec() += self.grad.mat(N).colwise().sum().transpose();
  });
}

}  // namespace llactr::llm

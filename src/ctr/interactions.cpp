// Forward and backward of the fused interactions: the factorization-machine family, the
// factorization machine block's X Xᵀ P, the two-stream fusion's bilinear heads.
//
// Parallel loops run over rows of the batch (each row's outputs and input gradients are its
// own) or over field pairs (each pair's weight gradient is its own), never accumulating one
// value from several threads, so results do not depend on the thread count.
#include "llactr/ctr/interactions.h"

#include <Eigen/Core>
#include <algorithm>
#include <vector>

#include "llactr/tensor/ops.h"

namespace llactr {

namespace {

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Strided = Eigen::Map<RowMat, 0, Eigen::OuterStride<>>;
using ConstStrided = Eigen::Map<const RowMat, 0, Eigen::OuterStride<>>;

struct Pair { int i, j; };

std::vector<Pair> upper_pairs(int64_t N) {
  std::vector<Pair> ps;
  for (int i = 0; i < N; ++i)
    for (int j = i + 1; j < N; ++j) ps.push_back({i, j});
  return ps;
}

void check_E(const char* op, const Var& E) {
  if (E.shape().size() != 3) shape_error(op, E.shape(), {}, "E must be [B, N, D]");
}

constexpr int64_t kParallelWork = 1 << 15;  // below this many multiply-adds threads cost more than they save
// The field-matrixed interaction processes rows in blocks so that each pair's product is a small
// GEMM: U = E_i · M_p.
constexpr int64_t kBlock = 64;

}  // namespace

Var fm_interaction(const Var& E) {
  check_E("fm_interaction", E);
  const int64_t B = E.dim(0), N = E.dim(1), D = E.dim(2);
  Tensor h({B, D});
  const float* e = E.value().data();
  // One pass over each row: s = Σ_i e_i and q = Σ_i e_i², in per-thread buffers (no allocation per row).
#pragma omp parallel if (B * N * D > kParallelWork)
  {
    std::vector<float> s(static_cast<size_t>(D)), q(static_cast<size_t>(D));
#pragma omp for
    for (int64_t b = 0; b < B; ++b) {
      std::fill(s.begin(), s.end(), 0.0f);
      std::fill(q.begin(), q.end(), 0.0f);
      for (int64_t i = 0; i < N; ++i) {
        const float* ei = e + (b * N + i) * D;
        for (int64_t d = 0; d < D; ++d) s[d] += ei[d], q[d] += ei[d] * ei[d];
      }
      float* hb = h.data() + b * D;
      for (int64_t d = 0; d < D; ++d) hb[d] = 0.5f * (s[d] * s[d] - q[d]);
    }
  }
  return make_result(std::move(h), {E}, [E, B, N, D](Node& self) {
    // dE_bi = dh_b ⊙ (s_b − e_bi),  s_b = Σ_i e_bi
    const float* e = E.value().data();
    float* dE = grad_buffer(*E.node()).data();
    const float* dh = self.grad.data();
#pragma omp parallel if (B * N * D > kParallelWork)
    {
      std::vector<float> s(static_cast<size_t>(D));
#pragma omp for
      for (int64_t b = 0; b < B; ++b) {
        std::fill(s.begin(), s.end(), 0.0f);
        for (int64_t i = 0; i < N; ++i)
          for (int64_t d = 0; d < D; ++d) s[d] += e[(b * N + i) * D + d];
        const float* g = dh + b * D;
        for (int64_t i = 0; i < N; ++i) {
          const float* ei = e + (b * N + i) * D;
          float* dEi = dE + (b * N + i) * D;
          for (int64_t d = 0; d < D; ++d) dEi[d] += g[d] * (s[d] - ei[d]);
        }
      }
    }
  });
}

Var fm_interaction_pairwise(const Var& E) {
  check_E("fm_interaction_pairwise", E);
  const int64_t B = E.dim(0), N = E.dim(1), D = E.dim(2), P = num_pairs(N);
  auto pairs = upper_pairs(N);
  Tensor h({B, D});
  const float* e = E.value().data();
#pragma omp parallel for if (B * P * D > kParallelWork)
  for (int64_t b = 0; b < B; ++b) {
    Eigen::Map<const RowMat> Eb(e + b * N * D, N, D);
    Eigen::Map<Eigen::RowVectorXf> hb(h.data() + b * D, D);
    hb.setZero();
    for (const Pair& p : pairs) hb.array() += Eb.row(p.i).array() * Eb.row(p.j).array();
  }
  return make_result(std::move(h), {E}, [E, B, N, D, P, pairs](Node& self) {
    // dE_bi = dh_b ⊙ Σ_{j≠i} e_bj, pair by pair
    const float* e = E.value().data();
    float* dE = grad_buffer(*E.node()).data();
    const float* dh = self.grad.data();
#pragma omp parallel for if (B * P * D > kParallelWork)
    for (int64_t b = 0; b < B; ++b) {
      Eigen::Map<const RowMat> Eb(e + b * N * D, N, D);
      Eigen::Map<RowMat> dEb(dE + b * N * D, N, D);
      Eigen::Map<const Eigen::RowVectorXf> g(dh + b * D, D);
      for (const Pair& p : pairs) {
        dEb.row(p.i).array() += g.array() * Eb.row(p.j).array();
        dEb.row(p.j).array() += g.array() * Eb.row(p.i).array();
      }
    }
  });
}

Var field_weighted_interaction(const Var& E, const Var& r) {
  check_E("field_weighted_interaction", E);
  const int64_t B = E.dim(0), N = E.dim(1), D = E.dim(2), P = num_pairs(N);
  if (r.shape() != Shape{P}) shape_error("field_weighted_interaction", E.shape(), r.shape(), "(E, r) need r [N(N-1)/2]");
  auto pairs = upper_pairs(N);
  Tensor h({B, D});
  const float* e = E.value().data();
  const float* rv = r.value().data();
#pragma omp parallel for if (B * P * D > kParallelWork)
  for (int64_t b = 0; b < B; ++b) {
    Eigen::Map<const RowMat> Eb(e + b * N * D, N, D);
    Eigen::Map<Eigen::RowVectorXf> hb(h.data() + b * D, D);
    hb.setZero();
    for (int64_t p = 0; p < P; ++p) hb.array() += rv[p] * Eb.row(pairs[p].i).array() * Eb.row(pairs[p].j).array();
  }
  return make_result(std::move(h), {E, r}, [E, r, B, N, D, P, pairs](Node& self) {
    const float* e = E.value().data();
    const float* rv = r.value().data();
    const float* dh = self.grad.data();
    if (E.requires_grad()) {
      // dE_bi = dh_b ⊙ Σ_{j≠i} r_ij e_bj
      float* dE = grad_buffer(*E.node()).data();
#pragma omp parallel for if (B * P * D > kParallelWork)
      for (int64_t b = 0; b < B; ++b) {
        Eigen::Map<const RowMat> Eb(e + b * N * D, N, D);
        Eigen::Map<RowMat> dEb(dE + b * N * D, N, D);
        Eigen::Map<const Eigen::RowVectorXf> g(dh + b * D, D);
        for (int64_t p = 0; p < P; ++p) {
          dEb.row(pairs[p].i).array() += rv[p] * g.array() * Eb.row(pairs[p].j).array();
          dEb.row(pairs[p].j).array() += rv[p] * g.array() * Eb.row(pairs[p].i).array();
        }
      }
    }
    if (r.requires_grad()) {
      // dr_p = Σ_b Σ_d dh_bd e_bid e_bjd, summed per d first and then over d.
      float* dr = grad_buffer(*r.node()).data();
#pragma omp parallel for if (B * P * D > kParallelWork)
      for (int64_t p = 0; p < P; ++p) {
        Eigen::ArrayXf acc = Eigen::ArrayXf::Zero(D);
        for (int64_t b = 0; b < B; ++b) {
          const float* ei = e + (b * N + pairs[p].i) * D;
          const float* ej = e + (b * N + pairs[p].j) * D;
          for (int64_t d = 0; d < D; ++d) acc[d] += dh[b * D + d] * ei[d] * ej[d];
        }
        float total = 0;
        for (int64_t d = 0; d < D; ++d) total += acc[d];
        dr[p] += total;
      }
    }
  });
}

Var field_matrixed_interaction(const Var& E, const Var& M) {
  check_E("field_matrixed_interaction", E);
  const int64_t B = E.dim(0), N = E.dim(1), D = E.dim(2), P = num_pairs(N);
  if (M.shape() != Shape{P, D, D}) shape_error("field_matrixed_interaction", E.shape(), M.shape(), "(E, M) need M [N(N-1)/2, D, D]");
  auto pairs = upper_pairs(N);
  const int64_t blocks = (B + kBlock - 1) / kBlock;
  Tensor h({B, D}, 0.0f);
  const float* e = E.value().data();
  const float* m = M.value().data();
#pragma omp parallel for if (B * P * D * D > kParallelWork)
  for (int64_t blk = 0; blk < blocks; ++blk) {
    const int64_t b0 = blk * kBlock, rows = std::min(kBlock, B - b0);
    Eigen::Map<RowMat> H(h.data() + b0 * D, rows, D);
    RowMat U(rows, D);
    for (int64_t p = 0; p < P; ++p) {
      ConstStrided Ei(e + b0 * N * D + pairs[p].i * D, rows, D, Eigen::OuterStride<>(N * D));
      ConstStrided Ej(e + b0 * N * D + pairs[p].j * D, rows, D, Eigen::OuterStride<>(N * D));
      Eigen::Map<const RowMat> Mp(m + p * D * D, D, D);
      U.noalias() = Ei * Mp;
      H.array() += U.array() * Ej.array();
    }
  }
  return make_result(std::move(h), {E, M}, [E, M, B, N, D, P, pairs](Node& self) {
    const float* e = E.value().data();
    const float* m = M.value().data();
    const float* dh = self.grad.data();
    const int64_t blocks = (B + kBlock - 1) / kBlock;
    if (E.requires_grad()) {
      // With U = E_i M_p and h += U ⊙ E_j:  dE_j += dh ⊙ U,  dE_i += (dh ⊙ E_j) M_pᵀ
      float* dE = grad_buffer(*E.node()).data();
#pragma omp parallel for if (B * P * D * D > kParallelWork)
      for (int64_t blk = 0; blk < blocks; ++blk) {
        const int64_t b0 = blk * kBlock, rows = std::min(kBlock, B - b0);
        Eigen::Map<const RowMat> G(dh + b0 * D, rows, D);
        RowMat U(rows, D), GEj(rows, D);
        for (int64_t p = 0; p < P; ++p) {
          const int64_t off = b0 * N * D;
          ConstStrided Ei(e + off + pairs[p].i * D, rows, D, Eigen::OuterStride<>(N * D));
          ConstStrided Ej(e + off + pairs[p].j * D, rows, D, Eigen::OuterStride<>(N * D));
          Strided dEi(dE + off + pairs[p].i * D, rows, D, Eigen::OuterStride<>(N * D));
          Strided dEj(dE + off + pairs[p].j * D, rows, D, Eigen::OuterStride<>(N * D));
          Eigen::Map<const RowMat> Mp(m + p * D * D, D, D);
          U.noalias() = Ei * Mp;
          dEj.array() += G.array() * U.array();
          GEj = (G.array() * Ej.array()).matrix();
          dEi.noalias() += GEj * Mp.transpose();
        }
      }
    }
    if (M.requires_grad()) {
      // dM_p = E_iᵀ (dh ⊙ E_j), over the whole batch
      float* dM = grad_buffer(*M.node()).data();
#pragma omp parallel for if (B * P * D * D > kParallelWork)
      for (int64_t p = 0; p < P; ++p) {
        ConstStrided Ei(e + pairs[p].i * D, B, D, Eigen::OuterStride<>(N * D));
        ConstStrided Ej(e + pairs[p].j * D, B, D, Eigen::OuterStride<>(N * D));
        Eigen::Map<const RowMat> G(dh, B, D);
        RowMat GEj = (G.array() * Ej.array()).matrix();
        Eigen::Map<RowMat> dMp(dM + p * D * D, D, D);
        dMp.noalias() += Ei.transpose() * GEj;
      }
    }
  });
}

Var fmb_interaction(const Var& X, const Var& P) {
  if (P.shape().size() != 2 || X.shape().size() < 2 || X.shape().size() > 3 || X.dim(0) == 0 ||
      (X.shape().size() == 3 && X.dim(1) != P.dim(0)) || P.dim(0) == 0 || (X.numel() / X.dim(0)) % P.dim(0) != 0)
    shape_error("fmb_interaction", X.shape(), P.shape(), "(X, P) need X [B, N, D] or [B, N·D] and P [N, k]");
  const int64_t B = X.dim(0), N = P.dim(0), D = X.numel() / (B * N), k = P.dim(1);
  const int64_t blocks = (B + kBlock - 1) / kBlock;
  // T = Xᵀ P is kept transposed, Tᵀ [k, D], so that every inner loop runs over D contiguous
  // floats. The products are only N×D×k (8×32×8 for 8 fields, D = 32, k = 8): plain loops beat GEMM calls, which
  // pack their operands first.
  Tensor F = Tensor::uninitialized({B, N * k});
  const float* x = X.value().data();
  const float* p = P.value().data();
#pragma omp parallel for if (B * N * D * k > kParallelWork)
  for (int64_t blk = 0; blk < blocks; ++blk) {
    std::vector<float> Tt(size_t(k * D));
    for (int64_t b = blk * kBlock; b < std::min(B, (blk + 1) * kBlock); ++b) {
      const float* Xb = x + b * N * D;
      float* Fb = F.data() + b * N * k;
      std::fill(Tt.begin(), Tt.end(), 0.0f);  // Tᵀ = Pᵀ X  [k, D]
      for (int64_t n = 0; n < N; ++n)
        for (int64_t j = 0; j < k; ++j) {
          const float pj = p[n * k + j];
          for (int64_t d = 0; d < D; ++d) Tt[size_t(j * D + d)] += pj * Xb[n * D + d];
        }
      for (int64_t n = 0; n < N; ++n)  // F = X T  [N, k]: F[n, j] = X[n] · Tᵀ[j]
        for (int64_t j = 0; j < k; ++j) {
          float s = 0.0f;
#pragma omp simd reduction(+ : s)
          for (int64_t d = 0; d < D; ++d) s += Xb[n * D + d] * Tt[size_t(j * D + d)];
          Fb[n * k + j] = s;
        }
    }
  }
  return make_result(std::move(F), {X, P}, [X, P, B, N, D, k, blocks](Node& self) {
    // With G = dF [N, k] and T = Xᵀ P recomputed:  dT = Xᵀ G  [D, k],
    //   dX = G Tᵀ + P dTᵀ  (X appears in both products),   dP = Σ_rows X dT.
    // T and dT are kept transposed ([k, D]) here too, so that dX's rows are sums of D-long rows.
    // dP is summed per block of rows as [N·k, D] products, reduced over D at the block's end, then
    // over the blocks in order: the same sums for any number of threads.
    const float* x = X.value().data();
    const float* p = P.value().data();
    const float* g = self.grad.data();
    GradTarget dX{nullptr, false};
    if (X.requires_grad()) dX = grad_target(*X.node());
    std::vector<float> dP_block(size_t(blocks * N * k));
#pragma omp parallel for if (B * N * D * k > kParallelWork)
    for (int64_t blk = 0; blk < blocks; ++blk) {
      std::vector<float> Tt(size_t(k * D)), dTt(size_t(k * D)), dPpart(size_t(N * k * D), 0.0f);
      for (int64_t b = blk * kBlock; b < std::min(B, (blk + 1) * kBlock); ++b) {
        const float* Xb = x + b * N * D;
        const float* G = g + b * N * k;
        std::fill(Tt.begin(), Tt.end(), 0.0f);
        std::fill(dTt.begin(), dTt.end(), 0.0f);
        for (int64_t n = 0; n < N; ++n)
          for (int64_t j = 0; j < k; ++j) {
            const float pj = p[n * k + j], gj = G[n * k + j];
            for (int64_t d = 0; d < D; ++d) {
              Tt[size_t(j * D + d)] += pj * Xb[n * D + d];   // Tᵀ = Pᵀ X
              dTt[size_t(j * D + d)] += gj * Xb[n * D + d];  // dTᵀ = Gᵀ X
            }
          }
        for (int64_t n = 0; n < N; ++n) {
          if (dX.data) {
            float* dXn = dX.data + (b * N + n) * D;
            if (dX.fresh) std::fill_n(dXn, D, 0.0f);
            for (int64_t j = 0; j < k; ++j) {
              const float gj = G[n * k + j], pj = p[n * k + j];
              for (int64_t d = 0; d < D; ++d) dXn[d] += gj * Tt[size_t(j * D + d)] + pj * dTt[size_t(j * D + d)];
            }
          }
          for (int64_t j = 0; j < k; ++j) {
            float* acc = dPpart.data() + (n * k + j) * D;
            for (int64_t d = 0; d < D; ++d) acc[d] += Xb[n * D + d] * dTt[size_t(j * D + d)];
          }
        }
      }
      for (int64_t i = 0; i < N * k; ++i) {
        float s = 0.0f;
        for (int64_t d = 0; d < D; ++d) s += dPpart[size_t(i * D + d)];
        dP_block[size_t(blk * N * k + i)] = s;
      }
    }
    if (P.requires_grad()) {
      float* dP = grad_buffer(*P.node()).data();
      for (int64_t blk = 0; blk < blocks; ++blk)
        for (int64_t i = 0; i < N * k; ++i) dP[i] += dP_block[size_t(blk * N * k + i)];
    }
  });
}

Var bilinear_heads(const Var& x, const Var& y, const Var& W) {
  if (W.shape().size() != 3 || x.shape().size() != 2 || y.shape().size() != 2 || x.dim(0) != y.dim(0) ||
      x.dim(1) != W.dim(0) * W.dim(1) || y.dim(1) != W.dim(0) * W.dim(2))
    shape_error("bilinear_heads", x.shape(), W.shape(), "(x, y, W) need x [B, H·a], y [B, H·c], W [H, a, c]");
  const int64_t B = x.dim(0), H = W.dim(0), a = W.dim(1), c = W.dim(2);
  constexpr int64_t kRows = 256;  // rows per block: enough for the per-head products to amortise their setup
  const int64_t blocks = (B + kRows - 1) / kRows;
  // Head h of rows [b0, b0 + n) as strided views: X_h [n, a], Y_h [n, c]; W_h [a, c].
  auto X_h = [=](const float* v, int64_t b0, int64_t n, int64_t h) { return ConstStrided(v + b0 * H * a + h * a, n, a, Eigen::OuterStride<>(H * a)); };
  auto Y_h = [=](const float* v, int64_t b0, int64_t n, int64_t h) { return ConstStrided(v + b0 * H * c + h * c, n, c, Eigen::OuterStride<>(H * c)); };
  auto W_h = [=](const float* w, int64_t h) { return Eigen::Map<const RowMat>(w + h * a * c, a, c); };

  Tensor out({B});
  const float *xv = x.value().data(), *yv = y.value().data(), *wv = W.value().data();
#pragma omp parallel for if (B * H * a * c > kParallelWork)
  for (int64_t blk = 0; blk < blocks; ++blk) {
    const int64_t b0 = blk * kRows, n = std::min(B, b0 + kRows) - b0;
    for (int64_t h = 0; h < H; ++h) {
      RowMat T = X_h(xv, b0, n, h) * W_h(wv, h);  // x_bhᵀ W_h for each row: [n, c]
      out.vec().segment(b0, n) += T.cwiseProduct(Y_h(yv, b0, n, h)).rowwise().sum();
    }
  }
  return make_result(std::move(out), {x, y, W}, [x, y, W, B, H, a, c, blocks, X_h, Y_h, W_h](Node& self) {
    // With g = d out [B]:  dx_bh = g_b · W_h y_bh,  dy_bh = g_b · W_hᵀ x_bh,  dW_h = Σ_b g_b · x_bh y_bhᵀ;
    // per block of rows: dX_h = diag(g) Y_h W_hᵀ, dY_h = diag(g) X_h W_h, dW_h += (diag(g) X_h)ᵀ Y_h.
    // dW is summed per block, then over the blocks in order: the same sums for any number of threads.
    const float *xv = x.value().data(), *yv = y.value().data(), *wv = W.value().data();
    GradTarget dx{nullptr, false}, dy{nullptr, false};
    const bool same = x.node() == y.node();  // x = y: both terms add into one zeroed buffer
    if (x.requires_grad()) dx = same ? GradTarget{grad_buffer(*x.node()).data(), false} : grad_target(*x.node());
    if (y.requires_grad()) dy = same ? dx : grad_target(*y.node());
    const bool want_dW = W.requires_grad();
    std::vector<float> dW_block(want_dW ? size_t(blocks * H * a * c) : 0);
#pragma omp parallel for if (B * H * a * c > kParallelWork)
    for (int64_t blk = 0; blk < blocks; ++blk) {
      const int64_t b0 = blk * kRows, n = std::min(B, b0 + kRows) - b0;
      const auto g = self.grad.vec().segment(b0, n).asDiagonal();
      for (int64_t h = 0; h < H; ++h) {
        if (dx.data) {
          Strided d(dx.data + b0 * H * a + h * a, n, a, Eigen::OuterStride<>(H * a));
          RowMat U = g * (Y_h(yv, b0, n, h) * W_h(wv, h).transpose());
          if (dx.fresh) d = U;
          else d += U;
        }
        if (dy.data) {
          Strided d(dy.data + b0 * H * c + h * c, n, c, Eigen::OuterStride<>(H * c));
          RowMat T = g * (X_h(xv, b0, n, h) * W_h(wv, h));
          if (dy.fresh) d = T;
          else d += T;
        }
        if (want_dW)
          Eigen::Map<RowMat>(dW_block.data() + (blk * H + h) * a * c, a, c).noalias() =
              (g * X_h(xv, b0, n, h)).transpose() * Y_h(yv, b0, n, h);
      }
    }
    if (want_dW) {
      float* dW = grad_buffer(*W.node()).data();
      for (int64_t blk = 0; blk < blocks; ++blk)
        for (int64_t e = 0; e < H * a * c; ++e) dW[e] += dW_block[size_t(blk * H * a * c + e)];
    }
  });
}

}  // namespace llactr

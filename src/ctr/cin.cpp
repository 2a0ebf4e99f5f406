// The fused CIN layer. With W's columns regrouped by field, Wf[i·H + o, m] = W[o, i·M + m]:
//   A_b = Wf · Xk_b                      [N·H, D]
//   Z_b[o] = b[o] + Σ_i A_b[i·H + o] ⊙ X0_b[i]
// Backward, with G_b = dZ_b [H, D] and dA_b[i·H + o] = G_b[o] ⊙ X0_b[i]:
//   dX0_b[i] = Σ_o G_b[o] ⊙ A_b[i·H + o],   dXk_b = Wfᵀ dA_b,   dWf = Σ_b dA_b Xk_bᵀ,   db = Σ_b,d G_b
// Rows are split into fixed blocks; each block sums its own dWf and db and the blocks are added
// in order, so the result does not depend on the thread count.
#include "llactr/ctr/cin.h"

#include <Eigen/Core>
#include <stdexcept>

#include "llactr/nn/init.h"
#include "llactr/tensor/ops.h"

namespace llactr {

namespace {

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Map = Eigen::Map<RowMat>;
using ConstMap = Eigen::Map<const RowMat>;

constexpr int64_t kBlock = 64;
constexpr int64_t kParallelWork = 1 << 15;

// W [H, N·M] -> Wf [N·H, M] (and back, for the gradient).
RowMat by_field(const float* w, int64_t H, int64_t N, int64_t M) {
  RowMat Wf(N * H, M);
  for (int64_t o = 0; o < H; ++o)
    for (int64_t i = 0; i < N; ++i)
      for (int64_t m = 0; m < M; ++m) Wf(i * H + o, m) = w[o * N * M + i * M + m];
  return Wf;
}
void add_by_output(const RowMat& dWf, float* dw, int64_t H, int64_t N, int64_t M) {
  for (int64_t o = 0; o < H; ++o)
    for (int64_t i = 0; i < N; ++i)
      for (int64_t m = 0; m < M; ++m) dw[o * N * M + i * M + m] += dWf(i * H + o, m);
}

}  // namespace

Var cin_layer(const Var& X0, const Var& Xk, const Var& W, const Var& bias) {
  if (X0.shape().size() != 3 || Xk.shape().size() != 3 || X0.dim(0) != Xk.dim(0) || X0.dim(2) != Xk.dim(2))
    shape_error("cin_layer", X0.shape(), Xk.shape(), "(X0, Xk) need [B, N, D] and [B, M, D]");
  const int64_t B = X0.dim(0), N = X0.dim(1), D = X0.dim(2), M = Xk.dim(1), H = W.dim(0);
  if (W.shape() != Shape{H, N * M} || bias.shape() != Shape{H})
    shape_error("cin_layer", W.shape(), bias.shape(), "(W, bias) need [H, N·M] and [H]");
  const RowMat Wf = by_field(W.value().data(), H, N, M);
  const float* x0 = X0.value().data();
  const float* xk = Xk.value().data();
  const float* bv = bias.value().data();
  const bool parallel = B * N * H * M * D > kParallelWork;
  Tensor Z({B, H, D});
#pragma omp parallel if (parallel)
  {
    RowMat A(N * H, D);
#pragma omp for
    for (int64_t b = 0; b < B; ++b) {
      ConstMap X0b(x0 + b * N * D, N, D);
      Map Zb(Z.data() + b * H * D, H, D);
      A.noalias() = Wf * ConstMap(xk + b * M * D, M, D);
      for (int64_t o = 0; o < H; ++o) Zb.row(o).setConstant(bv[o]);
      for (int64_t i = 0; i < N; ++i) Zb.array() += A.middleRows(i * H, H).array().rowwise() * X0b.row(i).array();
    }
  }
  return make_result(std::move(Z), {X0, Xk, W, bias}, [X0, Xk, W, bias, Wf, B, N, D, M, H, parallel](Node& self) {
    const float* x0 = X0.value().data();
    const float* xk = Xk.value().data();
    const float* g = self.grad.data();
    float* dX0 = X0.requires_grad() ? grad_buffer(*X0.node()).data() : nullptr;
    float* dXk = Xk.requires_grad() ? grad_buffer(*Xk.node()).data() : nullptr;
    const int64_t blocks = (B + kBlock - 1) / kBlock;
    std::vector<RowMat> dWf(size_t(blocks), RowMat::Zero(N * H, M));
    std::vector<Eigen::VectorXf> db(size_t(blocks), Eigen::VectorXf::Zero(H));
#pragma omp parallel if (parallel)
    {
      RowMat A(N * H, D), dA(N * H, D);
#pragma omp for
      for (int64_t blk = 0; blk < blocks; ++blk) {
        for (int64_t b = blk * kBlock; b < std::min(B, (blk + 1) * kBlock); ++b) {
          ConstMap X0b(x0 + b * N * D, N, D), Xkb(xk + b * M * D, M, D), Gb(g + b * H * D, H, D);
          A.noalias() = Wf * Xkb;
          for (int64_t i = 0; i < N; ++i) {
            dA.middleRows(i * H, H) = (Gb.array().rowwise() * X0b.row(i).array()).matrix();
            if (!dX0) continue;
            Map dX0b(dX0 + b * N * D, N, D);
            for (int64_t o = 0; o < H; ++o) dX0b.row(i).array() += Gb.row(o).array() * A.row(i * H + o).array();
          }
          if (dXk) Map(dXk + b * M * D, M, D).noalias() += Wf.transpose() * dA;
          dWf[size_t(blk)].noalias() += dA * Xkb.transpose();
          for (int64_t o = 0; o < H; ++o)
            for (int64_t d = 0; d < D; ++d) db[size_t(blk)][o] += Gb(o, d);
        }
      }
    }
    for (int64_t blk = 1; blk < blocks; ++blk) {
      dWf[0] += dWf[size_t(blk)];
      db[0] += db[size_t(blk)];
    }
    if (W.requires_grad()) add_by_output(dWf[0], grad_buffer(*W.node()).data(), H, N, M);
    if (bias.requires_grad())
      for (int64_t o = 0; o < H; ++o) grad_buffer(*bias.node())[o] += db[0][o];
  });
}

CompressedInteractionNet::CompressedInteractionNet(int64_t num_fields, const std::vector<int64_t>& units, Rng& rng,
                                                   const std::string& name) {
  if (units.empty()) throw std::invalid_argument(name + ": the CIN needs at least one layer");
  int64_t prev = num_fields;
  for (size_t k = 0; k < units.size(); ++k) {
    if (units[k] < 1) throw std::invalid_argument(name + ": CIN layer widths must be >= 1");
    Tensor w({units[k], num_fields * prev});
    init::xavier_normal(w, rng);
    W.push_back(parameter(std::move(w), name + "." + std::to_string(k) + ".W"));
    bias.push_back(parameter(Tensor({units[k]}, 0.0f), name + "." + std::to_string(k) + ".b"));
    prev = units[k];
  }
}

Var CompressedInteractionNet::forward(const Var& E) const {
  std::vector<Var> pooled;
  Var X = E;
  for (size_t k = 0; k < W.size(); ++k) {
    X = cin_layer(E, X, W[k], bias[k]);  // [B, H_k, D]
    pooled.push_back(sum(X, 2));         // [B, H_k]
  }
  return concat(pooled, 1);
}

int64_t CompressedInteractionNet::out_dim() const {
  int64_t n = 0;
  for (const Var& b : bias) n += b.numel();
  return n;
}

std::vector<Var> CompressedInteractionNet::parameters() const {
  std::vector<Var> ps;
  for (size_t k = 0; k < W.size(); ++k) ps.insert(ps.end(), {W[k], bias[k]});
  return ps;
}

}  // namespace llactr

// The layers factored out of the backbones (FinalMLP's feature selection and fusion, WuKong's
// FMB and LCB) and the new ones (DCNv2's cross network, AutoInt's self-attention): values
// against plain loops or Eigen, and gradient checks.
#include <gtest/gtest.h>

#include <cmath>

#include "gradcheck_util.h"
#include "llactr/ctr/bilinear_fusion.h"
#include "llactr/ctr/cross_net.h"
#include "llactr/ctr/factorization_machine_block.h"
#include "llactr/ctr/feature_selection.h"
#include "llactr/ctr/linear_compression_block.h"
#include "llactr/ctr/self_attention.h"
#include "llactr/tensor/ops.h"

namespace llactr {
namespace {

using testing::expect_grads_match;

std::vector<Var> with(const Var& x, const std::vector<Var>& ps) {
  std::vector<Var> v{x};
  v.insert(v.end(), ps.begin(), ps.end());
  return v;
}

TEST(CtrLayers, CrossNetworkByHandAndGradients) {
  Rng rng(1);
  CrossNetwork net(2, 1, rng, "cross");
  // W = [[1, 2], [0, -1]], b = (0.5, 0): x0 = (1, 3) -> W x0 + b = (7.5, -3), x1 = x0 ⊙ that + x0 = (8.5, -6)
  std::vector<float> w{1, 2, 0, -1};
  std::copy(w.begin(), w.end(), net.layers[0].W.value().data());
  net.layers[0].b.value()[0] = 0.5f;
  Var x0 = parameter(Tensor({1, 2}, std::vector<float>{1, 3}));
  Var y = net.forward(x0);
  EXPECT_NEAR(y.value()[0], 8.5f, 1e-6);
  EXPECT_NEAR(y.value()[1], -6.0f, 1e-6);
  clear_tape();
  CrossNetwork deep(6, 3, rng, "c");
  Var x = random_param({4, 6}, 2);
  expect_grads_match([&](const std::vector<Var>&) { return deep.forward(x); }, with(x, deep.parameters()));
}

TEST(CtrLayers, SelfAttentionSingleHeadByHandAndGradients) {
  Rng rng(3);
  // One head, in = A = 2, identity projections: scores = X Xᵀ.
  MultiHeadSelfAttention att(2, 2, 1, rng, "att");
  EXPECT_EQ(att.parameters().size(), 3u);  // no W_res when in == A
  for (Var W : att.parameters()) W.value().vec() << 1, 0, 0, 1;
  // X = [(1, 0), (0, 1)]: scores rows (1, 0), (0, 1) -> softmax (e, 1)/(e+1) and (1, e)/(e+1).
  Var X = parameter(Tensor({1, 2, 2}, std::vector<float>{1, 0, 0, 1}));
  Var y = att.forward(X);
  const float p = std::exp(1.0f) / (std::exp(1.0f) + 1);
  // out_0 = ReLU(p·(1,0) + (1−p)·(0,1) + (1,0)),  out_1 = ReLU((1−p)·(1,0) + p·(0,1) + (0,1))
  EXPECT_NEAR(y.value()[0], p + 1, 1e-5);
  EXPECT_NEAR(y.value()[1], 1 - p, 1e-5);
  EXPECT_NEAR(y.value()[2], 1 - p, 1e-5);
  EXPECT_NEAR(y.value()[3], p + 1, 1e-5);
  clear_tape();
  MultiHeadSelfAttention two(3, 4, 2, rng, "two");
  EXPECT_EQ(two.parameters().size(), 4u);  // W_res: 3 -> 4
  Var Xr = testing::away_from_zero({2, 3, 3}, 4, 0.2f);
  GradCheckOptions opt;
  opt.h = 1e-3;
  opt.atol = 3e-3;
  expect_grads_match([&](const std::vector<Var>&) { return two.forward(Xr); }, with(Xr, two.parameters()), opt);
  EXPECT_THROW(MultiHeadSelfAttention(3, 5, 2, rng, "bad"), std::invalid_argument);
}

TEST(CtrLayers, FeatureSelectionGatesInZeroTwoAndGradients) {
  Rng rng(5);
  FeatureSelection fs(2, 3, {4}, rng);
  EXPECT_EQ(fs.parameters().size(), 2u + 4u + 4u);
  EXPECT_EQ(fs.parameters()[0].name(), "fs1.ctx");
  Var flat = random_param({3, 6}, 6);
  auto [x1, x2] = fs.forward(flat, ForwardContext{});
  // With zero contexts the first gate layer sees 0, so every gate is 2σ(out bias + W·ReLU(b0)) = 2σ(0) = 1.
  for (int64_t k = 0; k < flat.numel(); ++k) EXPECT_NEAR(x1.value()[k], flat.value()[k], 1e-6);
  clear_tape();
  for (Var p : fs.parameters()) p.value().vec() = random_param(p.shape(), 7 + p.numel(), 0.5f).value().vec();
  expect_grads_match([&](const std::vector<Var>&) { auto r = fs.forward(flat, ForwardContext{}); return add(r.first, mul_scalar(r.second, 0.5f)); },
                     with(flat, fs.parameters()));
}

TEST(CtrLayers, BilinearFusionByHandAndGradients) {
  Rng rng(8);
  BilinearFusion f(2, 2, 1, rng);
  f.wx.W.value().vec() << 1, 0;
  f.wy.W.value().vec() << 0, 2;
  f.wxy.value().vec() << 1, 2, 3, 4;  // [1, 2, 2]
  Var x = parameter(Tensor({1, 2}, std::vector<float>{1, -1})), y = parameter(Tensor({1, 2}, std::vector<float>{2, 1}));
  // 1 + 2 + xᵀ W y = 3 + (1·(1·2 + 2·1) − 1·(3·2 + 4·1)) = 3 + 4 − 10 = −3
  EXPECT_NEAR(f.forward(x, y).value()[0], -3.0f, 1e-6);
  clear_tape();
  BilinearFusion h2(4, 6, 2, rng);
  Var xr = random_param({3, 4}, 9), yr = random_param({3, 6}, 10);
  std::vector<Var> inputs{xr, yr};
  for (const Var& p : h2.parameters()) inputs.push_back(p);
  expect_grads_match([&](const std::vector<Var>&) { return h2.forward(xr, yr); }, inputs);
  EXPECT_THROW(BilinearFusion(4, 6, 4, rng), std::invalid_argument);
}

TEST(CtrLayers, FactorizationMachineBlockMatchesXXtPAndGradients) {
  Rng rng(11);
  // N = 3 fields, k = 2, MLP 6 -> 4 -> 3
  FactorizationMachineBlock fmb(3, 2, {4}, 3, LinearInit::XavierNormal, rng, "fmb");
  Var X = random_param({2, 6}, 12);  // vec(X) of 2 rows, N = 3, D = 2
  // The block's first stage F = X Xᵀ P, checked through its LayerNorm-free path: compare the
  // whole block with the same composition on an explicitly formed X Xᵀ P.
  const MatrixRM P = fmb.P.value().mat();
  Tensor F({2, 6});
  for (int64_t b = 0; b < 2; ++b) {
    Eigen::Map<const MatrixRM> Xb(X.value().data() + b * 6, 3, 2);
    MatrixRM Fb = Xb * Xb.transpose() * P;
    std::copy(Fb.data(), Fb.data() + 6, F.data() + b * 6);
  }
  Var ref = relu(fmb.mlp.forward(fmb.norm.forward(constant(F)), false, nullptr));
  Var y = fmb.forward(X, ForwardContext{});
  for (int64_t k = 0; k < y.numel(); ++k) EXPECT_NEAR(y.value()[k], ref.value()[k], 1e-5);
  clear_tape();
  GradCheckOptions opt;
  opt.h = 1e-3;
  opt.atol = 3e-3;
  expect_grads_match([&](const std::vector<Var>&) { return fmb.forward(X, ForwardContext{}); }, with(X, fmb.parameters()), opt);
}

TEST(CtrLayers, LinearCompressionBlockDropoutOnlyWhenTraining) {
  Rng rng(13);
  LinearCompressionBlock lcb(6, 64, 0.5f, LinearInit::XavierNormal, rng, "lcb");  // N·D = 3·2 -> 64
  lcb.proj.b.value().fill(1.0f);  // so that a zero output means a dropped one
  Var X = random_param({4, 6}, 14);  // vec(X) of 4 rows, N = 3, D = 2
  Var eval = lcb.forward(X, ForwardContext{});
  Var direct = lcb.proj.forward(X);
  EXPECT_EQ(eval.value().vec(), direct.value().vec());
  Rng drop(15);
  Var train = lcb.forward(X, ForwardContext{true, &drop});
  int zeros = 0;
  for (int64_t k = 0; k < train.numel(); ++k) zeros += train.value()[k] == 0.0f;
  EXPECT_GT(zeros, 64);  // about half of 256
  EXPECT_LT(zeros, 192);
  clear_tape();
  expect_grads_match([&](const std::vector<Var>&) { return lcb.forward(X, ForwardContext{}); }, with(X, lcb.parameters()));
}

}  // namespace
}  // namespace llactr

// The nn layers (Linear, Mlp, Embedding, LayerNorm) and the fused FM-family interactions:
// gradient checks, and forward values against direct sums over field pairs.
#include <gtest/gtest.h>

#include "gradcheck_util.h"
#include "llactr/ctr/cin.h"
#include "llactr/ctr/interactions.h"
#include "llactr/nn/embedding.h"
#include "llactr/nn/layer_norm_layer.h"
#include "llactr/nn/mlp.h"
#include "llactr/tensor/ops.h"

namespace llactr {
namespace {

using testing::away_from_zero;
using testing::expect_grads_match;

TEST(NnLayers, LinearShapesInitAndGradients) {
  Rng rng(1);
  Linear l(6, 4, rng, "l");
  EXPECT_EQ(l.W.shape(), (Shape{4, 6}));
  EXPECT_EQ(l.b.shape(), (Shape{4}));
  EXPECT_EQ(l.W.name(), "l.W");
  EXPECT_FLOAT_EQ(l.b.value().vec().cwiseAbs().sum(), 0.0f);  // zero bias as FuxiCTR
  // Xavier normal: std = sqrt(2 / (6 + 4)) ≈ 0.447; 24 draws stay well inside 4 std.
  EXPECT_LT(l.W.value().vec().cwiseAbs().maxCoeff(), 4 * 0.4473f);
  EXPECT_GT(l.W.value().vec().cwiseAbs().maxCoeff(), 0.05f);
  Var x = random_param({3, 6}, 2);
  l.b.value().fill(0.3f);
  expect_grads_match([&](const std::vector<Var>& in) { return l.forward(in[0]); }, {x, l.W, l.b});
  Linear nb(6, 2, rng, "nb", false);
  EXPECT_EQ(nb.parameters().size(), 1u);
}

TEST(NnLayers, MlpForwardMatchesLayerByLayerAndGradients) {
  Rng rng(3);
  MlpOptions o;
  o.hidden = {5, 4};
  o.output_dim = 2;
  o.output_activation = Activation::Sigmoid;
  Mlp mlp(3, o, rng, "m");
  auto ps = mlp.parameters();
  ASSERT_EQ(ps.size(), 6u);
  for (Var p : ps) p.value().vec() = away_from_zero(p.shape(), 100 + p.numel(), 0.2f).value().vec();
  Var x = away_from_zero({4, 3}, 9);
  Var last;
  Var y = mlp.forward(x, false, nullptr, &last);
  // The same composition written out with Eigen.
  auto relu_ = [](const MatrixRM& m) { return MatrixRM(m.cwiseMax(0.0f)); };
  MatrixRM h1 = relu_((x.value().mat() * ps[0].value().mat().transpose()).rowwise() + ps[1].value().vec().transpose());
  MatrixRM h2 = relu_((h1 * ps[2].value().mat().transpose()).rowwise() + ps[3].value().vec().transpose());
  MatrixRM z = (h2 * ps[4].value().mat().transpose()).rowwise() + ps[5].value().vec().transpose();
  for (int64_t i = 0; i < y.numel(); ++i) EXPECT_NEAR(y.value()[i], 1.0f / (1.0f + std::exp(-z.data()[i])), 1e-5);
  for (int64_t i = 0; i < last.numel(); ++i) EXPECT_NEAR(last.value()[i], h2.data()[i], 1e-5);
  std::vector<Var> inputs{x};
  inputs.insert(inputs.end(), ps.begin(), ps.end());
  // A smaller step than the default keeps the differences from crossing ReLU kinks.
  GradCheckOptions opt;
  opt.h = 1e-3;
  opt.atol = 3e-3;
  expect_grads_match([&](const std::vector<Var>&) { return mlp.forward(x, false, nullptr); }, inputs, opt);
}

TEST(NnLayers, MlpForwardScaledEqualsForwardOfScaledInput) {
  // forward_scaled(x, s) folds s into the first layer's weights; it must equal forward(x ⊙ s).
  for (int64_t out : {0, 2}) {  // with hidden layers, and a bare output layer
    Rng rng(4);
    MlpOptions o;
    if (out == 0) o.hidden = {5, 4};
    else o.output_dim = out;
    Mlp mlp(6, o, rng, "m");
    Var x = away_from_zero({3, 6}, 1), s = random_param({1, 6}, 2);
    Var a = mlp.forward(mul(x, s), false, nullptr), b = mlp.forward_scaled(x, s, false, nullptr);
    ASSERT_EQ(a.shape(), b.shape());
    for (int64_t i = 0; i < a.numel(); ++i) EXPECT_NEAR(a.value()[i], b.value()[i], 1e-5);
    std::vector<Var> inputs{x, s};
    for (const Var& p : mlp.parameters()) inputs.push_back(p);
    GradCheckOptions opt;
    opt.h = 1e-3;
    opt.atol = 3e-3;
    expect_grads_match([&](const std::vector<Var>&) { return mlp.forward_scaled(x, s, false, nullptr); }, inputs, opt);
  }
}

TEST(NnLayers, MlpDropoutOnlyWhenTraining) {
  Rng init(4);
  MlpOptions o;
  o.hidden = {64};
  o.dropout = 0.5f;
  Mlp mlp(8, o, init, "m");
  Var x = random_param({16, 8}, 5);
  Var eval1 = mlp.forward(x, false, nullptr), eval2 = mlp.forward(x, false, nullptr);
  EXPECT_EQ(eval1.value().vec(), eval2.value().vec());
  Rng rng(6);
  Var train = mlp.forward(x, true, &rng);
  int zeros_train = 0, zeros_eval = 0;
  for (int64_t i = 0; i < train.numel(); ++i) {
    zeros_train += train.value()[i] == 0.0f;
    zeros_eval += eval1.value()[i] == 0.0f;
  }
  EXPECT_GT(zeros_train, zeros_eval + 200);  // about half of 1024 dropped on top of the ReLU zeros
  EXPECT_THROW(mlp.forward(x, true, nullptr), std::logic_error);
  clear_tape();
}

TEST(NnLayers, EmbeddingGathersRowsAndInitStd) {
  Rng rng(7);
  Embedding emb(1000, 16, 1e-4f, rng, "e");
  double s2 = emb.table.value().vec().squaredNorm() / emb.table.numel();
  EXPECT_NEAR(std::sqrt(s2), 1e-4, 1e-5);
  const int32_t ids[6] = {3, 999, 0, 3, 5, 7};
  Var E = emb.forward(ids, 2, 3);
  ASSERT_EQ(E.shape(), (Shape{2, 3, 16}));
  for (int k = 0; k < 6; ++k)
    for (int d = 0; d < 16; ++d) EXPECT_EQ(E.value()[k * 16 + d], emb.table.value()[ids[k] * 16 + d]);
  clear_tape();
}

TEST(NnLayers, LayerNormLayerGradients) {
  LayerNorm ln(5, "ln");
  ln.gamma.value().vec() = random_param({5}, 1).value().vec();
  ln.beta.value().vec() = random_param({5}, 2).value().vec();
  Var x = random_param({3, 5}, 3);
  expect_grads_match([&](const std::vector<Var>&) { return ln.forward(x); }, {x, ln.gamma, ln.beta});
}

// ---- the fused interactions

// Σ_{i<j} w(p) · (a_i ⊙ b_j) by direct loops, with pair p numbered as in interactions.h.
Tensor pairwise_reference(const Tensor& E, const std::function<float(int64_t p, int64_t i, int64_t j, int64_t d, int64_t b)>& term) {
  const int64_t B = E.dim(0), N = E.dim(1), D = E.dim(2);
  Tensor h({B, D}, 0.0f);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t d = 0; d < D; ++d) {
      double s = 0;
      int64_t p = 0;
      for (int64_t i = 0; i < N; ++i)
        for (int64_t j = i + 1; j < N; ++j) s += term(p++, i, j, d, b);
      h[b * D + d] = float(s);
    }
  return h;
}

TEST(CtrInteractions, FmMatchesPairSumAndGradients) {
  Var E = random_param({5, 4, 3}, 11);
  Tensor ref = pairwise_reference(E.value(), [&](int64_t, int64_t i, int64_t j, int64_t d, int64_t b) {
    return E.value()[(b * 4 + i) * 3 + d] * E.value()[(b * 4 + j) * 3 + d];
  });
  Var h = fm_interaction(E);
  ASSERT_EQ(h.shape(), (Shape{5, 3}));
  for (int64_t k = 0; k < h.numel(); ++k) EXPECT_NEAR(h.value()[k], ref[k], 1e-5);
  expect_grads_match([](const std::vector<Var>& in) { return fm_interaction(in[0]); }, {E});
}

TEST(CtrInteractions, FwfmMatchesPairSumAndGradients) {
  Var E = random_param({5, 4, 3}, 12), r = random_param({6}, 13);
  Tensor ref = pairwise_reference(E.value(), [&](int64_t p, int64_t i, int64_t j, int64_t d, int64_t b) {
    return r.value()[p] * E.value()[(b * 4 + i) * 3 + d] * E.value()[(b * 4 + j) * 3 + d];
  });
  Var h = field_weighted_interaction(E, r);
  for (int64_t k = 0; k < h.numel(); ++k) EXPECT_NEAR(h.value()[k], ref[k], 1e-5);
  expect_grads_match([](const std::vector<Var>& in) { return field_weighted_interaction(in[0], in[1]); }, {E, r});
  EXPECT_THROW(field_weighted_interaction(E, random_param({5}, 1)), std::invalid_argument);
}

TEST(CtrInteractions, FmfmMatchesPairSumAndGradients) {
  // B = 70 crosses the 64-row block boundary of the implementation.
  const int64_t B = 70, N = 3, D = 2;
  Var E = random_param({B, N, D}, 14), M = random_param({3, D, D}, 15);
  auto e = [&](int64_t b, int64_t i, int64_t d) { return E.value()[(b * N + i) * D + d]; };
  Tensor ref = pairwise_reference(E.value(), [&](int64_t p, int64_t i, int64_t j, int64_t d, int64_t b) {
    float u = 0;  // (e_iᵀ M_p)_d
    for (int64_t c = 0; c < D; ++c) u += e(b, i, c) * M.value()[(p * D + c) * D + d];
    return u * e(b, j, d);
  });
  Var h = field_matrixed_interaction(E, M);
  for (int64_t k = 0; k < h.numel(); ++k) EXPECT_NEAR(h.value()[k], ref[k], 1e-5);
  Var Es = random_param({3, 4, 3}, 16), Ms = random_param({6, 3, 3}, 17);
  expect_grads_match([](const std::vector<Var>& in) { return field_matrixed_interaction(in[0], in[1]); }, {Es, Ms});
  expect_grads_match([](const std::vector<Var>& in) { return field_matrixed_interaction(in[0], in[1]); }, {E, M});
}

TEST(CtrInteractions, FmbMatchesXXtPAndGradients) {
  // F_b = X_b X_bᵀ P, written out with Eigen in double, for more rows than one block (64).
  const int64_t B = 70, N = 3, D = 4, k = 2;
  Var X = random_param({B, N, D}, 1), P = random_param({N, k}, 2);
  Var F = fmb_interaction(X, P);
  ASSERT_EQ(F.shape(), (Shape{B, N * k}));
  Eigen::MatrixXd Pd = P.value().mat().cast<double>();
  for (int64_t b = 0; b < B; ++b) {
    Eigen::MatrixXd Xb = ConstMatMap(X.value().data() + b * N * D, N, D).cast<double>();
    Eigen::MatrixXd ref = Xb * Xb.transpose() * Pd;  // [N, k]
    for (int64_t n = 0; n < N; ++n)
      for (int64_t j = 0; j < k; ++j) EXPECT_NEAR(F.value()[b * N * k + n * k + j], ref(n, j), 1e-5);
  }
  expect_grads_match([](const std::vector<Var>& in) { return fmb_interaction(in[0], in[1]); }, {X, P});
  EXPECT_THROW(fmb_interaction(X, random_param({N + 1, k}, 4)), std::invalid_argument);
}

TEST(CtrInteractions, BilinearHeadsMatchesPerHeadFormsAndGradients) {
  // out_b = Σ_h x_bhᵀ W_h y_bh by direct loops in double, for more rows than one block (256).
  const int64_t B = 260, H = 2, a = 3, c = 4;
  Var x = random_param({B, H * a}, 5), y = random_param({B, H * c}, 6), W = random_param({H, a, c}, 7);
  Var out = bilinear_heads(x, y, W);
  ASSERT_EQ(out.shape(), (Shape{B}));
  for (int64_t b = 0; b < B; ++b) {
    double ref = 0;
    for (int64_t h = 0; h < H; ++h)
      for (int64_t i = 0; i < a; ++i)
        for (int64_t j = 0; j < c; ++j)
          ref += double(x.value()[b * H * a + h * a + i]) * W.value()[(h * a + i) * c + j] * y.value()[b * H * c + h * c + j];
    EXPECT_NEAR(out.value()[b], ref, 1e-5) << "row " << b;
  }
  clear_tape();
  expect_grads_match([](const std::vector<Var>& in) { return bilinear_heads(in[0], in[1], in[2]); }, {x, y, W});
  // x also reaches the loss another way (its gradient is not fresh), and x = y (one buffer, two terms).
  expect_grads_match([](const std::vector<Var>& in) { return add(sum(in[0], 1), bilinear_heads(in[0], in[1], in[2])); },
                     {x, y, W});
  Var sq = random_param({5, H * a}, 8), Wsq = random_param({H, a, a}, 9);
  expect_grads_match([](const std::vector<Var>& in) { return bilinear_heads(in[0], in[0], in[1]); }, {sq, Wsq});
  EXPECT_THROW(bilinear_heads(x, y, random_param({H, a, c + 1}, 10)), std::invalid_argument);
}

TEST(CtrInteractions, BilinearHeadsIsBitIdenticalOnOneAndTwoThreads) {
  // Large enough to run its row blocks in parallel; dW's per-block sums must not depend on that.
  Var x = random_param({600, 32}, 11), y = random_param({600, 32}, 12), W = random_param({2, 16, 16}, 13);
  testing::expect_same_on_1_and_2_threads([&] {
    for (Var v : {x, y, W}) v.grad().fill(0.0f);
    Var out = bilinear_heads(x, y, W);
    backward(sum_all(mul(out, out)));
    return std::vector<Tensor>{out.value(), x.grad(), y.grad(), W.grad()};
  });
}

TEST(CtrInteractions, FmPairwiseEqualsFmAndGradients) {
  Var E = random_param({6, 7, 5}, 18);
  Var fast = fm_interaction(E), naive = fm_interaction_pairwise(E);
  ASSERT_EQ(naive.shape(), fast.shape());
  for (int64_t k = 0; k < fast.numel(); ++k) EXPECT_NEAR(naive.value()[k], fast.value()[k], 1e-4);
  clear_tape();
  // Same gradient as the O(N·D) form for the same seed gradient (backward clears the tape, so
  // each form is rebuilt before its own pass).
  Tensor seed = random_param({6, 5}, 19).value();
  backward(fm_interaction(E), seed);
  Tensor g_fast = E.grad();
  zero_grad({E});
  backward(fm_interaction_pairwise(E), seed);
  for (int64_t k = 0; k < E.numel(); ++k) EXPECT_NEAR(E.grad()[k], g_fast[k], 1e-4);
  expect_grads_match([](const std::vector<Var>& in) { return fm_interaction_pairwise(in[0]); }, {E});
}

// X^k[b, o, d] = b[o] + Σ_{i, m} W[o, i·M + m] X0[b, i, d] Xk[b, m, d], by direct loops.
Tensor cin_reference(const Tensor& X0, const Tensor& Xk, const Tensor& W, const Tensor& bias) {
  const int64_t B = X0.dim(0), N = X0.dim(1), D = X0.dim(2), M = Xk.dim(1), H = W.dim(0);
  Tensor Z({B, H, D});
  for (int64_t b = 0; b < B; ++b)
    for (int64_t o = 0; o < H; ++o)
      for (int64_t d = 0; d < D; ++d) {
        double s = bias[o];
        for (int64_t i = 0; i < N; ++i)
          for (int64_t m = 0; m < M; ++m) s += W[o * N * M + i * M + m] * X0[(b * N + i) * D + d] * Xk[(b * M + m) * D + d];
        Z[(b * H + o) * D + d] = float(s);
      }
  return Z;
}

TEST(CtrInteractions, CinLayerMatchesDefinitionAndGradients) {
  // B = 70 crosses the 64-row block boundary of the backward.
  Var X0 = random_param({70, 3, 4}, 20), Xk = random_param({70, 2, 4}, 21);
  Var W = random_param({5, 6}, 22), bias = random_param({5}, 23);
  Tensor ref = cin_reference(X0.value(), Xk.value(), W.value(), bias.value());
  Var Z = cin_layer(X0, Xk, W, bias);
  ASSERT_EQ(Z.shape(), (Shape{70, 5, 4}));
  for (int64_t k = 0; k < Z.numel(); ++k) EXPECT_NEAR(Z.value()[k], ref[k], 1e-4);
  clear_tape();
  expect_grads_match([](const std::vector<Var>& in) { return cin_layer(in[0], in[1], in[2], in[3]); }, {X0, Xk, W, bias});
  // The first layer passes E twice: both gradient paths land in the same tensor.
  Var E = random_param({3, 3, 2}, 24), W1 = random_param({2, 9}, 25), b1 = random_param({2}, 26);
  expect_grads_match([&](const std::vector<Var>&) { return cin_layer(E, E, W1, b1); }, {E, W1, b1});
  EXPECT_THROW(cin_layer(X0, Xk, random_param({5, 5}, 1), bias), std::invalid_argument);
}

TEST(CtrInteractions, CinNetworkShapesAndGradients) {
  Rng rng(27);
  CompressedInteractionNet cin(3, {4, 2}, rng, "cin");
  EXPECT_EQ(cin.out_dim(), 6);
  EXPECT_EQ(cin.W[0].shape(), (Shape{4, 9}));
  EXPECT_EQ(cin.W[1].shape(), (Shape{2, 12}));
  Var E = random_param({2, 3, 3}, 28);
  std::vector<Var> inputs{E};
  for (const Var& p : cin.parameters()) inputs.push_back(p);
  expect_grads_match([&](const std::vector<Var>&) { return cin.forward(E); }, inputs);
  EXPECT_THROW(CompressedInteractionNet(3, {}, rng, "x"), std::invalid_argument);
}

}  // namespace
}  // namespace llactr

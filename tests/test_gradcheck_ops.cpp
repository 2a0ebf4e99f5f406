// A finite-difference gradient check for every differentiable op, on random shapes.
#include <gtest/gtest.h>

#include "gradcheck_util.h"
#include "llactr/tensor/ops.h"

namespace llactr {
namespace {

using testing::away_from_zero;
using testing::expect_grads_match;
using testing::random_shape;

// ---- products

TEST(GradCheckProducts, MatmulAllTransposes) {
  Rng rng(1);
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb) {
      Shape s = random_shape(rng, 3, 2, 5);  // M, K, N
      int64_t M = s[0], K = s[1], N = s[2];
      Var a = random_param(ta ? Shape{K, M} : Shape{M, K}, 10 + ta);
      Var b = random_param(tb ? Shape{N, K} : Shape{K, N}, 20 + tb);
      expect_grads_match([&](const std::vector<Var>& in) { return matmul(in[0], in[1], ta, tb); }, {a, b});
    }
}

TEST(GradCheckProducts, MatmulWithLeadingBatchDims) {
  Var a = random_param({2, 3, 4}, 1);
  Var b = random_param({4, 5}, 2);
  expect_grads_match([](const std::vector<Var>& in) { return matmul(in[0], in[1]); }, {a, b});
  EXPECT_EQ(matmul(a, b).shape(), (Shape{2, 3, 5}));
}

TEST(GradCheckProducts, BmmAllTransposes) {
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb) {
      Var a = random_param(ta ? Shape{3, 4, 2} : Shape{3, 2, 4}, 3 + ta);
      Var b = random_param(tb ? Shape{3, 5, 4} : Shape{3, 4, 5}, 5 + tb);
      expect_grads_match([&](const std::vector<Var>& in) { return bmm(in[0], in[1], ta, tb); }, {a, b});
    }
}

TEST(GradCheckProducts, LinearWithAndWithoutBias) {
  Var x = random_param({2, 3, 4}, 1), W = random_param({5, 4}, 2), b = random_param({5}, 3);
  expect_grads_match([](const std::vector<Var>& in) { return linear(in[0], in[1], in[2]); }, {x, W, b});
  expect_grads_match([](const std::vector<Var>& in) { return linear(in[0], in[1]); }, {x, W});
}

TEST(GradCheckProducts, LinearReluEqualsReluOfLinear) {
  Var x = random_param({2, 3, 4}, 1), W = random_param({5, 4}, 2), b = random_param({5}, 3);
  GradCheckOptions opt;
  opt.h = 1e-3;  // keeps the differences from crossing the ReLU's kink
  opt.atol = 3e-3;
  expect_grads_match([](const std::vector<Var>& in) { return linear_relu(in[0], in[1], in[2]); }, {x, W, b}, opt);
  expect_grads_match([](const std::vector<Var>& in) { return linear_relu(in[0], in[1]); }, {x, W}, opt);
  // The fused node computes exactly what the two nodes compute, values and gradients.
  auto grads = [&](bool fused) {
    for (Var v : {x, W, b}) v.grad().fill(0.0f);
    Var y = fused ? linear_relu(x, W, b) : relu(linear(x, W, b));
    backward(sum_all(mul(y, y)));
    return std::vector<Tensor>{y.value(), x.grad(), W.grad(), b.grad()};
  };
  std::vector<Tensor> fused = grads(true), separate = grads(false);
  for (size_t k = 0; k < fused.size(); ++k)
    for (int64_t i = 0; i < fused[k].numel(); ++i) EXPECT_EQ(fused[k][i], separate[k][i]) << k << " " << i;
}

// ---- elementwise with broadcasting

struct BroadcastCase { Shape a, b; };

TEST(GradCheckElementwise, AddSubMulDivBroadcasting) {
  const BroadcastCase cases[] = {
      {{3, 4}, {3, 4}},        // same shape
      {{2, 3, 4}, {4}},        // trailing vector over leading dims
      {{2, 3, 4}, {3, 4}},     // missing leading dim
      {{3, 1}, {3, 4}},        // size-1 column stretches on the left operand
      {{3, 4}, {3, 1}},        // ... and on the right
      {{3, 1}, {1, 4}},        // both stretch: outer product shape
      {{2, 1, 4}, {3, 1}},     // mixed ranks and ones
      {{}, {2, 3}},            // scalar
  };
  for (const auto& c : cases) {
    Var a = random_param(c.a, 11), b = away_from_zero(c.b, 12, 0.5f);
    SCOPED_TRACE(shape_str(c.a) + " op " + shape_str(c.b));
    expect_grads_match([](const std::vector<Var>& in) { return add(in[0], in[1]); }, {a, b});
    expect_grads_match([](const std::vector<Var>& in) { return sub(in[0], in[1]); }, {a, b});
    expect_grads_match([](const std::vector<Var>& in) { return mul(in[0], in[1]); }, {a, b});
    expect_grads_match([](const std::vector<Var>& in) { return div(in[0], in[1]); }, {a, b});
  }
}

TEST(GradCheckElementwise, ScalarOps) {
  Rng rng(3);
  Var a = random_param(random_shape(rng, 3), 4);
  expect_grads_match([](const std::vector<Var>& in) { return add_scalar(in[0], 2.5f); }, {a});
  expect_grads_match([](const std::vector<Var>& in) { return mul_scalar(in[0], -1.5f); }, {a});
  expect_grads_match([](const std::vector<Var>& in) { return neg(in[0]); }, {a});
  expect_grads_match([](const std::vector<Var>& in) { return square(in[0]); }, {a});
}

// ---- reductions

TEST(GradCheckReductions, SumAndMeanOverEachAxis) {
  Var x = random_param({2, 3, 4}, 5);
  for (int axis = -3; axis < 3; ++axis)
    for (bool keep : {false, true}) {
      SCOPED_TRACE("axis " + std::to_string(axis) + (keep ? " keepdim" : ""));
      expect_grads_match([&](const std::vector<Var>& in) { return sum(in[0], axis, keep); }, {x});
      expect_grads_match([&](const std::vector<Var>& in) { return mean(in[0], axis, keep); }, {x});
    }
  expect_grads_match([](const std::vector<Var>& in) { return sum_all(in[0]); }, {x});
  expect_grads_match([](const std::vector<Var>& in) { return mean_all(in[0]); }, {x});
}

// ---- shape

TEST(GradCheckShape, ReshapeTransposeConcatSlice) {
  Var x = random_param({2, 3, 4}, 6), y = random_param({2, 5, 4}, 7), z = random_param({2, 3, 4}, 8);
  expect_grads_match([](const std::vector<Var>& in) { return reshape(in[0], {6, -1}); }, {x});
  expect_grads_match([](const std::vector<Var>& in) { return transpose(in[0]); }, {x});
  expect_grads_match([](const std::vector<Var>& in) { return concat({in[0], in[1]}, 1); }, {x, y});
  expect_grads_match([](const std::vector<Var>& in) { return concat({in[0], in[1]}, 0); }, {x, z});
  expect_grads_match([](const std::vector<Var>& in) { return concat({in[0], in[1]}, -1); }, {x, z});
  expect_grads_match([](const std::vector<Var>& in) { return slice(in[0], 1, 1, 2); }, {x});
  expect_grads_match([](const std::vector<Var>& in) { return slice(in[0], -1, 0, 3); }, {x});
}

// ---- gather

TEST(GradCheckGather, RepeatedIdsAccumulate) {
  Tensor init({6, 3});
  Rng rng(9);
  for (int64_t i = 0; i < init.numel(); ++i) init[i] = rng.normal();
  Var table = embedding_table(init);
  std::vector<int32_t> ids{0, 5, 2, 5, 5, 1};
  expect_grads_match([&](const std::vector<Var>& in) { return gather_rows(in[0], ids.data(), 6, {2, 3}); }, {table});
}

// ---- activations

TEST(GradCheckActivations, Pointwise) {
  Var x = away_from_zero({3, 5}, 10);  // relu and leaky_relu have a kink at 0
  Var pos = random_param({3, 5}, 11);
  for (int64_t i = 0; i < pos.numel(); ++i) pos.value()[i] = std::abs(pos.value()[i]) + 0.5f;
  expect_grads_match([](const std::vector<Var>& in) { return relu(in[0]); }, {x});
  expect_grads_match([](const std::vector<Var>& in) { return leaky_relu(in[0], 0.2f); }, {x});
  expect_grads_match([](const std::vector<Var>& in) { return sigmoid(in[0]); }, {x});
  expect_grads_match([](const std::vector<Var>& in) { return tanh(in[0]); }, {x});
  expect_grads_match([](const std::vector<Var>& in) { return silu(in[0]); }, {x});
  expect_grads_match([](const std::vector<Var>& in) { return gelu(in[0]); }, {x});
  expect_grads_match([](const std::vector<Var>& in) { return exp(in[0]); }, {x});
  expect_grads_match([](const std::vector<Var>& in) { return log(in[0]); }, {pos});
}

TEST(GradCheckActivations, SwigluAndItsUnfusedForm) {
  Var g = random_param({4, 6}, 30, 3.0f), u = random_param({4, 6}, 31);
  expect_grads_match([](const std::vector<Var>& in) { return swiglu(in[0], in[1]); }, {g, u});
  // The same values and gradients as silu(g) ⊙ u, within the few ulp of its fast sigmoid.
  auto run = [&](bool fused) {
    for (Var v : {g, u}) v.grad().fill(0.0f);
    Var h = fused ? swiglu(g, u) : mul(silu(g), u);
    backward(sum_all(mul(h, h)));
    return std::vector<Tensor>{h.value(), g.grad(), u.grad()};
  };
  const std::vector<Tensor> fused = run(true), separate = run(false);
  for (size_t k = 0; k < fused.size(); ++k)
    for (int64_t i = 0; i < fused[k].numel(); ++i)
      EXPECT_NEAR(fused[k][i], separate[k][i], 1e-5 * (1.0 + std::abs(separate[k][i]))) << k << " " << i;
  EXPECT_THROW(swiglu(g, random_param({6, 4}, 32)), std::invalid_argument);
}

TEST(GradCheckActivations, SoftmaxAndLogSoftmax) {
  Var x = random_param({2, 3, 6}, 12);
  expect_grads_match([](const std::vector<Var>& in) { return softmax(in[0]); }, {x});
  expect_grads_match([](const std::vector<Var>& in) { return log_softmax(in[0]); }, {x});
}

// ---- normalisation and dropout

TEST(GradCheckNorm, LayerNormAndRmsNorm) {
  Var x = random_param({4, 7}, 13), g = random_param({7}, 14), b = random_param({7}, 15);
  expect_grads_match([](const std::vector<Var>& in) { return layer_norm(in[0], in[1], in[2]); }, {x, g, b});
  expect_grads_match([](const std::vector<Var>& in) { return rms_norm(in[0], in[1]); }, {x, g});
}

TEST(GradCheckNorm, DropoutWithAFixedMask) {
  Var x = random_param({5, 6}, 16);
  expect_grads_match(
      [](const std::vector<Var>& in) {
        Rng rng(3);  // the same mask on every evaluation
        return dropout(in[0], 0.3f, rng, true);
      },
      {x});
}

// ---- losses and similarities

TEST(GradCheckLosses, BceKlCosineCrossEntropyMse) {
  Var z = random_param({8}, 17, 2.0f);
  Tensor t({8});
  for (int i = 0; i < 8; ++i) t[i] = i % 3 == 0 ? 1.0f : 0.0f;
  expect_grads_match([&](const std::vector<Var>& in) { return bce_with_logits(in[0], t); }, {z});

  Var logits_p = random_param({3, 5}, 18), logits_t = random_param({3, 5}, 19);
  expect_grads_match([](const std::vector<Var>& in) { return kl_div(log_softmax(in[0]), softmax(in[1])); },
                     {logits_p, logits_t});

  Var a = random_param({3, 4}, 20), b = random_param({3, 4}, 21);
  expect_grads_match([](const std::vector<Var>& in) { return cosine_similarity(in[0], in[1]); }, {a, b});
  expect_grads_match([](const std::vector<Var>& in) { return l2_normalize(in[0]); }, {a});

  std::vector<int32_t> targets{4, -1, 0};  // the middle row is ignored
  expect_grads_match([&](const std::vector<Var>& in) { return cross_entropy(in[0], targets); }, {logits_p});
  expect_grads_match([](const std::vector<Var>& in) { return mse(in[0], in[1]); }, {a, b});
}

// ---- a composite: gradients flow through a small two-layer network

TEST(GradCheckComposite, TwoLayerMlpWithLayerNorm) {
  Var x = random_param({6, 5}, 30);
  Var W1 = random_param({8, 5}, 31, 0.5f), b1 = random_param({8}, 32);
  Var g = random_param({8}, 33), be = random_param({8}, 34);
  Var W2 = random_param({1, 8}, 35, 0.5f);
  Tensor y({6, 1});
  for (int i = 0; i < 6; ++i) y[i] = static_cast<float>(i % 2);
  expect_grads_match(
      [&](const std::vector<Var>& in) {
        Var h = tanh(layer_norm(linear(in[0], in[1], in[2]), in[3], in[4]));
        return bce_with_logits(linear(h, in[5]), y);
      },
      {x, W1, b1, g, be, W2});
}

}  // namespace
}  // namespace llactr

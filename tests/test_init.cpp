// Initialisers: bounds, moments on large tensors, fans, and reproducibility.
#include <gtest/gtest.h>

#include <cmath>

#include "llactr/nn/init.h"

using namespace llactr;

namespace {
struct Moments {
  double mean, std, min, max;
};
Moments moments(const Tensor& t) {
  double s = 0, s2 = 0, lo = INFINITY, hi = -INFINITY;
  for (int64_t i = 0; i < t.numel(); ++i) {
    s += t[i];
    s2 += double(t[i]) * t[i];
    lo = std::min(lo, double(t[i]));
    hi = std::max(hi, double(t[i]));
  }
  double n = double(t.numel()), mean = s / n;
  return {mean, std::sqrt(s2 / n - mean * mean), lo, hi};
}
}  // namespace

TEST(Init, FansFollowPyTorch) {
  init::Fans f = init::fans(Tensor({400, 600}));
  EXPECT_EQ(f.in, 600);
  EXPECT_EQ(f.out, 400);
  init::Fans conv = init::fans(Tensor({8, 3, 5, 5}));  // receptive field 25
  EXPECT_EQ(conv.in, 75);
  EXPECT_EQ(conv.out, 200);
  EXPECT_THROW(init::fans(Tensor({7})), std::invalid_argument);
}

TEST(Init, XavierUniformBoundsAndSpread) {
  // a = √(6 / 1000) = 0.0774597; U(−a, a) has std a/√3 = √(2/1000) = 0.0447214.
  Rng rng(1);
  Tensor w({400, 600});
  init::xavier_uniform(w, rng);
  Moments m = moments(w);
  EXPECT_GE(m.min, -0.0774597);
  EXPECT_LT(m.max, 0.0774597);
  EXPECT_GT(m.max, 0.0774);  // 240000 draws reach close to the bound
  EXPECT_NEAR(m.mean, 0.0, 5e-4);  // standard error 0.0447/√240000 = 9e-5
  EXPECT_NEAR(m.std, 0.0447214, 0.0447214 * 0.01);
}

TEST(Init, XavierNormalStdWithGain) {
  // std = 2·√(2 / 1000) = 0.0894427.
  Rng rng(2);
  Tensor w({400, 600});
  init::xavier_normal(w, rng, 2.0f);
  Moments m = moments(w);
  EXPECT_NEAR(m.mean, 0.0, 1e-3);
  EXPECT_NEAR(m.std, 0.0894427, 0.0894427 * 0.01);
}

TEST(Init, NormalMeanAndStd) {
  Rng rng(3);
  Tensor w({1000, 100});
  init::normal(w, rng, 0.01f, 0.5f);
  Moments m = moments(w);
  EXPECT_NEAR(m.mean, 0.5, 1e-4);  // standard error 0.01/√1e5 = 3e-5
  EXPECT_NEAR(m.std, 0.01, 1e-4);
}

TEST(Init, TorchLinearDefault) {
  // fan_in 200: W and b ~ U(−1/√200, 1/√200) = U(−0.0707107, 0.0707107).
  Rng rng(4);
  Tensor W({300, 200}), b({300});
  init::torch_linear(W, b, rng);
  const double bound = 1.0 / std::sqrt(200.0);
  Moments mw = moments(W), mb = moments(b);
  EXPECT_GE(mw.min, -bound);
  EXPECT_LT(mw.max, bound);
  EXPECT_NEAR(mw.std, bound / std::sqrt(3.0), bound / std::sqrt(3.0) * 0.01);
  EXPECT_NEAR(mw.mean, 0.0, 5e-4);
  EXPECT_GE(mb.min, -bound);
  EXPECT_LT(mb.max, bound);
  EXPECT_GT(mb.max - mb.min, bound);  // b is spread over the range, not left at zero
  Tensor wrong_bias({299});
  EXPECT_THROW(init::torch_linear(W, wrong_bias, rng), std::invalid_argument);
}

TEST(Init, SameSeedSameNumbersInAFixedOrder) {
  Rng r1(42), r2(42), r3(43);
  Tensor W1({30, 20}), b1({30}), W2({30, 20}), b2({30}), W3({30, 20}), b3({30});
  init::torch_linear(W1, b1, r1);
  // W first, then b, element by element, from the same generator.
  const float bound = 1.0f / std::sqrt(20.0f);
  init::uniform(W2, r2, -bound, bound);
  init::uniform(b2, r2, -bound, bound);
  init::torch_linear(W3, b3, r3);
  for (int64_t i = 0; i < W1.numel(); ++i) ASSERT_EQ(W1[i], W2[i]);
  for (int64_t i = 0; i < b1.numel(); ++i) ASSERT_EQ(b1[i], b2[i]);
  EXPECT_NE(W1[0], W3[0]);
  Tensor empty_bias;
  Rng r4(42);
  Tensor W4({30, 20});
  init::torch_linear(W4, empty_bias, r4);  // no bias: W alone, same numbers
  EXPECT_EQ(W4[599], W1[599]);
}

// Optimisers against the PyTorch update rules written out in double, plus hand values.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "llactr/nn/clip_grad.h"
#include "llactr/nn/optimizer.h"
#include "llactr/tensor/ops.h"

using namespace llactr;

namespace {

const std::vector<float> kInit = {0.5f, -1.25f, 2.0f, -0.75f, 1.5f, -2.5f};

// The gradient fed at step s (1-based), varying in sign and size so every path is exercised.
float grad_at(int s, size_t j) { return 0.3f * std::sin(1.7f * s + 0.9f * j) + 0.05f * j - 0.1f; }

Var make_param() { return parameter(Tensor({2, 3}, kInit), "p"); }

void set_grad(Var& p, int s) {
  for (int64_t j = 0; j < p.numel(); ++j) p.grad()[j] = grad_at(s, j);
}

void expect_close(const Var& p, const std::vector<double>& ref) {
  for (size_t j = 0; j < ref.size(); ++j) EXPECT_NEAR(p.value()[j], ref[j], 1e-6 * std::abs(ref[j])) << "element " << j;
}

// torch.optim.Adam / AdamW (_single_tensor_adam) in double, one element at a time.
std::vector<double> adam_reference(int steps, double lr, double b1, double b2, double eps, double wd, bool decoupled) {
  std::vector<double> p(kInit.begin(), kInit.end()), m(p.size(), 0.0), v(p.size(), 0.0);
  for (int t = 1; t <= steps; ++t)
    for (size_t j = 0; j < p.size(); ++j) {
      double g = grad_at(t, j);
      if (decoupled)
        p[j] *= 1.0 - lr * wd;
      else
        g += wd * p[j];
      m[j] = b1 * m[j] + (1 - b1) * g;
      v[j] = b2 * v[j] + (1 - b2) * g * g;
      double step_size = lr / (1 - std::pow(b1, t));
      double denom = std::sqrt(v[j]) / std::sqrt(1 - std::pow(b2, t)) + eps;
      p[j] -= step_size * m[j] / denom;
    }
  return p;
}

}  // namespace

TEST(OptimAdam, MatchesPyTorchRuleWithCoupledL2) {
  Var p = make_param();
  AdamOptions o;
  o.lr = 0.05f;
  o.beta1 = 0.8f;
  o.beta2 = 0.95f;
  o.eps = 1e-6f;
  o.weight_decay = 0.1f;
  Adam opt({p}, o);
  for (int s = 1; s <= 6; ++s) {
    set_grad(p, s);
    opt.step();
    opt.zero_grad();
  }
  expect_close(p, adam_reference(6, 0.05, 0.8, 0.95, 1e-6, 0.1, false));
  EXPECT_EQ(opt.steps_taken(0), 6);
}

TEST(OptimAdam, AdamWMatchesPyTorchRuleWithDecoupledDecay) {
  Var p = make_param();
  AdamOptions o;
  o.lr = 0.05f;
  o.weight_decay = 0.2f;
  AdamW opt({p}, o);
  for (int s = 1; s <= 6; ++s) {
    set_grad(p, s);
    opt.step();
    opt.zero_grad();
  }
  expect_close(p, adam_reference(6, 0.05, 0.9, 0.999, 1e-8, 0.2, true));
}

TEST(OptimAdam, FirstStepHandValuesShowCoupledVersusDecoupledDecay) {
  // p = 1, g = 0.5, lr = 0.1, wd = 0.1. Adam's first step moves by lr·m̂/(√v̂ + eps) = lr·sign(g')
  // (up to eps) whatever the size of g' = g + wd·p = 0.6, so Adam gives 1 − 0.1 = 0.9.
  // AdamW first shrinks p to 1·(1 − 0.1·0.1) = 0.99, then moves by lr: 0.89.
  AdamOptions o;
  o.lr = 0.1f;
  o.weight_decay = 0.1f;
  Var a = parameter(Tensor({1}, 1.0f)), b = parameter(Tensor({1}, 1.0f));
  Adam adam({a}, o);
  AdamW adamw({b}, o);
  a.grad()[0] = b.grad()[0] = 0.5f;
  adam.step();
  adamw.step();
  EXPECT_NEAR(a.value()[0], 0.9f, 1e-6f);
  EXPECT_NEAR(b.value()[0], 0.89f, 1e-6f);
}

TEST(OptimAdam, PerParameterWeightDecayIsTorchParameterGroups) {
  // Two parameter groups in torch (decay 0.2 on the first, 0 on the second) are one AdamW here
  // with set_weight_decay(1, 0): each parameter follows the reference with its own decay.
  Var p = make_param(), q = make_param();
  AdamOptions o;
  o.lr = 0.05f;
  o.beta2 = 0.95f;
  o.weight_decay = 0.2f;
  AdamW opt({p, q}, o);
  opt.set_weight_decay(1, 0.0f);
  EXPECT_FLOAT_EQ(opt.weight_decay(0), 0.2f);
  EXPECT_FLOAT_EQ(opt.weight_decay(1), 0.0f);
  for (int s = 1; s <= 6; ++s) {
    set_grad(p, s);
    set_grad(q, s);
    opt.step();
    opt.zero_grad();
  }
  expect_close(p, adam_reference(6, 0.05, 0.9, 0.95, 1e-8, 0.2, true));
  expect_close(q, adam_reference(6, 0.05, 0.9, 0.95, 1e-8, 0.0, true));
  EXPECT_THROW(opt.set_weight_decay(2, 0.0f), std::invalid_argument);
  EXPECT_THROW(opt.set_weight_decay(0, -1.0f), std::invalid_argument);
}

TEST(OptimAdam, RestoredStateContinuesBitForBit) {
  // 6 steps straight against 3 steps, state() into a fresh optimiser on a copy, 3 more steps.
  AdamOptions o;
  o.lr = 0.05f;
  o.weight_decay = 0.1f;
  Var a = make_param();
  AdamW straight({a}, o);
  for (int s = 1; s <= 6; ++s) set_grad(a, s), straight.step(), straight.zero_grad();

  Var b = make_param();
  AdamW first({b}, o);
  for (int s = 1; s <= 3; ++s) set_grad(b, s), first.step(), first.zero_grad();
  Var c = parameter(Tensor(b.value()), "p");
  AdamW second({c}, o);
  second.restore(0, first.state(0));
  EXPECT_EQ(second.steps_taken(0), 3);
  for (int s = 4; s <= 6; ++s) set_grad(c, s), second.step(), second.zero_grad();
  for (int64_t j = 0; j < a.numel(); ++j) EXPECT_EQ(a.value()[j], c.value()[j]) << j;

  Adam::ParamState wrong = first.state(0);
  wrong.m.pop_back();
  EXPECT_THROW(second.restore(0, wrong), std::invalid_argument);
}

TEST(OptimSgd, MomentumAndWeightDecayMatchPyTorchRule) {
  Var p = make_param();
  SgdOptions o;
  o.lr = 0.1f;
  o.momentum = 0.9f;
  o.weight_decay = 0.01f;
  Sgd opt({p}, o);
  std::vector<double> ref(kInit.begin(), kInit.end()), buf(ref.size(), 0.0);
  for (int s = 1; s <= 5; ++s) {
    set_grad(p, s);
    opt.step();
    opt.zero_grad();
    for (size_t j = 0; j < ref.size(); ++j) {
      double d = grad_at(s, j) + 0.01 * ref[j];
      buf[j] = s == 1 ? d : 0.9 * buf[j] + d;  // torch: the buffer starts as a copy of d
      ref[j] -= 0.1 * buf[j];
    }
  }
  expect_close(p, ref);
}

TEST(OptimSgd, PlainStepHandValue) {
  // p = 2, g = 0.5, lr = 0.1: 2 − 0.05 = 1.95.
  Var p = parameter(Tensor({1}, 2.0f));
  SgdOptions o;
  o.lr = 0.1f;
  Sgd opt({p}, o);
  p.grad()[0] = 0.5f;
  opt.step();
  EXPECT_FLOAT_EQ(p.value()[0], 1.95f);
}

TEST(OptimAdam, SkipsParametersWithoutGradient) {
  Var used = parameter(Tensor({2}, 1.0f)), unused = parameter(Tensor({2}, 1.0f));
  Adam opt({used, unused}, AdamOptions{});
  used.grad().fill(1.0f);
  opt.step();
  EXPECT_NE(used.value()[0], 1.0f);
  EXPECT_EQ(unused.value()[0], 1.0f);
  EXPECT_EQ(opt.steps_taken(1), 0);
}

namespace {
// A [5, 2] table; step 1 gathers rows {0, 1}, step 2 gathers row {1}; loss = sum of the gathered values.
// Returns the table after each step.
template <class Opt, class Options>
std::vector<Tensor> run_two_sparse_steps(Options o, bool as_embedding_table) {
  Tensor init({5, 2}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  Var table = as_embedding_table ? embedding_table(init, "E") : parameter(init, "E");
  Opt opt({table}, o);
  std::vector<Tensor> after;
  for (std::vector<int32_t> ids : {std::vector<int32_t>{0, 1}, std::vector<int32_t>{1}}) {
    backward(sum_all(gather_rows(table, ids.data(), static_cast<int64_t>(ids.size()))));
    opt.step();
    opt.zero_grad();
    after.push_back(table.value());
  }
  return after;
}

float row_value(const Tensor& t, int row, int col) { return t[row * 2 + col]; }
}  // namespace

TEST(OptimSparse, LazyAdamLeavesUntouchedRowsAndTheirMomentsAlone) {
  AdamOptions o;
  o.lr = 0.1f;
  o.weight_decay = 0.5f;
  o.sparse = SparseUpdate::Lazy;
  std::vector<Tensor> lazy = run_two_sparse_steps<Adam>(o, true);
  // Row 0 was touched only in step 1: step 2 leaves it where step 1 put it, although its
  // moment is non-zero (dense Adam would keep moving it).
  EXPECT_EQ(row_value(lazy[1], 0, 0), row_value(lazy[0], 0, 0));
  EXPECT_NE(row_value(lazy[0], 0, 0), 1.0f);
  // Rows 2..4 were never touched: no weight decay, no movement.
  for (int r = 2; r < 5; ++r) EXPECT_EQ(row_value(lazy[1], r, 1), float(2 * r + 2));
  // Row 1 was touched in both steps: two ordinary Adam steps with g = 1 + wd·p.
  double p = 3.0, m = 0, v = 0;
  for (int t = 1; t <= 2; ++t) {
    double g = 1.0 + 0.5 * p;
    m = 0.9 * m + 0.1 * g;
    v = 0.999 * v + 0.001 * g * g;
    p -= 0.1 / (1 - std::pow(0.9, t)) * m / (std::sqrt(v) / std::sqrt(1 - std::pow(0.999, t)) + 1e-8);
  }
  EXPECT_NEAR(row_value(lazy[1], 1, 0), p, 1e-6);
}

namespace {
// A [V, 3] table over several 16K-element update chunks (rows straddle chunk borders), a few
// rows gathered per step: returns the values after 4 steps.
template <class Opt, class Options>
Tensor run_many_row_steps(Options o, bool as_embedding_table) {
  const int64_t V = 20000, D = 3;
  Tensor init({V, D});
  for (int64_t j = 0; j < V * D; ++j) init[j] = std::sin(0.37f * float(j));
  Var table = as_embedding_table ? embedding_table(init, "E") : parameter(init, "E");
  Opt opt({table}, o);
  for (int s = 1; s <= 4; ++s) {
    std::vector<int32_t> ids;
    for (int32_t k = 0; k < 50; ++k) ids.push_back((k * 7919 + s * 104729) % int32_t(V));
    ids.push_back(5461);  // row 5461 straddles the first chunk border (16384 / 3)
    Var g = gather_rows(table, ids.data(), int64_t(ids.size()));
    backward(sum_all(mul(g, g)));
    opt.step();
    opt.zero_grad();
  }
  return table.value();
}

template <class Opt, class Options>
void expect_dense_table_equals_parameter(Options o, const char* what) {
  o.sparse = SparseUpdate::Dense;
  Tensor dense = run_many_row_steps<Opt>(o, true), plain = run_many_row_steps<Opt>(o, false);
  int64_t moved = 0;
  for (int64_t j = 0; j < dense.numel(); ++j) {
    ASSERT_EQ(dense[j], plain[j]) << what << ", element " << j;
    moved += dense[j] != std::sin(0.37f * float(j));
  }
  EXPECT_GT(moved, 0) << what;
}
}  // namespace

TEST(OptimSparse, DenseTableEqualsAPlainParameterAcrossChunks) {
  AdamOptions a;
  a.lr = 0.01f;
  expect_dense_table_equals_parameter<Adam>(a, "Adam");
  a.weight_decay = 0.1f;
  expect_dense_table_equals_parameter<Adam>(a, "Adam, weight decay");
  expect_dense_table_equals_parameter<AdamW>(a, "AdamW");
  SgdOptions s;
  s.lr = 0.05f;
  s.momentum = 0.9f;
  s.weight_decay = 0.1f;
  expect_dense_table_equals_parameter<Sgd>(s, "SGD, momentum, weight decay");
}

TEST(OptimSparse, DenseModeTreatsTheTableAsAnyParameter) {
  AdamOptions o;
  o.lr = 0.1f;
  o.weight_decay = 0.5f;
  o.sparse = SparseUpdate::Dense;
  std::vector<Tensor> dense = run_two_sparse_steps<Adam>(o, true);
  std::vector<Tensor> plain = run_two_sparse_steps<Adam>(o, false);
  for (int64_t j = 0; j < 10; ++j) EXPECT_EQ(dense[1][j], plain[1][j]) << j;
  // Row 0's moment keeps moving it in step 2 though its gradient is only the L2 term.
  EXPECT_LT(row_value(dense[1], 0, 0), row_value(dense[0], 0, 0));
  // Untouched rows move too: their gradient is the coupled L2 term wd·p.
  EXPECT_LT(row_value(dense[1], 4, 1), 10.0f);
}

TEST(OptimSparse, LazySgdMomentumOnlyOnTouchedRows) {
  SgdOptions o;
  o.lr = 0.1f;
  o.momentum = 0.9f;
  o.sparse = SparseUpdate::Lazy;
  std::vector<Tensor> lazy = run_two_sparse_steps<Sgd>(o, true);
  o.sparse = SparseUpdate::Dense;
  std::vector<Tensor> dense = run_two_sparse_steps<Sgd>(o, true);
  // Step 1 (g = 1 on rows 0, 1): both give 1 − 0.1 = 0.9 for row 0.
  EXPECT_FLOAT_EQ(row_value(lazy[0], 0, 0), 0.9f);
  EXPECT_FLOAT_EQ(row_value(dense[0], 0, 0), 0.9f);
  // Step 2 (row 0 untouched): lazy keeps 0.9; dense applies buf = 0.9·1 + 0: 0.9 − 0.09 = 0.81.
  EXPECT_FLOAT_EQ(row_value(lazy[1], 0, 0), 0.9f);
  EXPECT_FLOAT_EQ(row_value(dense[1], 0, 0), 0.81f);
  // Row 1 touched twice: buf = 1, then 1.9 -> 3 − 0.1 − 0.19 = 2.71 in both modes.
  EXPECT_FLOAT_EQ(row_value(lazy[1], 1, 0), 2.71f);
  EXPECT_FLOAT_EQ(row_value(dense[1], 1, 0), 2.71f);
}

TEST(OptimConverge, QuadraticReachesItsMinimum) {
  // f(x) = Σ (x − c)², minimum at c.
  Var c = constant(Tensor({4}, {1.0f, -2.0f, 0.5f, 3.0f}));
  for (int which = 0; which < 3; ++which) {
    Var x = parameter(Tensor({4}, 0.0f), "x");
    AdamOptions ao;
    ao.lr = 0.05f;
    SgdOptions so;
    so.lr = 0.1f;
    so.momentum = 0.5f;
    std::unique_ptr<Optimizer> opt;
    if (which == 0) opt = std::make_unique<Adam>(std::vector<Var>{x}, ao);
    if (which == 1) opt = std::make_unique<AdamW>(std::vector<Var>{x}, ao);
    if (which == 2) opt = std::make_unique<Sgd>(std::vector<Var>{x}, so);
    for (int s = 0; s < 500; ++s) {
      backward(sum_all(square(sub(x, c))));
      opt->step();
      opt->zero_grad();
    }
    for (int j = 0; j < 4; ++j) EXPECT_NEAR(x.value()[j], c.value()[j], 1e-3) << "optimiser " << which << " element " << j;
  }
}

TEST(OptimOptions, BadValuesThrow) {
  Var p = make_param();
  AdamOptions a;
  a.beta1 = 1.0f;
  EXPECT_THROW(Adam({p}, a), std::invalid_argument);
  a = AdamOptions{};
  a.lr = -1.0f;
  EXPECT_THROW(AdamW({p}, a), std::invalid_argument);
  SgdOptions s;
  s.momentum = -0.1f;
  EXPECT_THROW(Sgd({p}, s), std::invalid_argument);
  EXPECT_THROW(Sgd({constant(Tensor({1}))}, SgdOptions{}), std::invalid_argument);
  EXPECT_THROW(Sgd({Var()}, SgdOptions{}), std::invalid_argument);
  Sgd ok({p}, SgdOptions{});
  EXPECT_THROW(ok.set_lr(NAN), std::invalid_argument);
  ok.set_lr(0.5f);
  EXPECT_EQ(ok.lr(), 0.5f);
}

TEST(OptimClip, ScalesToMaxNormAndReturnsThePreClipNorm) {
  // Gradients (3, 4) and (12): total norm √(9 + 16 + 144) = 13.
  Var a = parameter(Tensor({2})), b = parameter(Tensor({1})), none = parameter(Tensor({3}));
  a.grad()[0] = 3.0f;
  a.grad()[1] = 4.0f;
  b.grad()[0] = 12.0f;
  EXPECT_FLOAT_EQ(clip_grad_norm({a, b, none}, 20.0f), 13.0f);
  EXPECT_EQ(a.grad()[0], 3.0f);  // under the limit: untouched
  EXPECT_FLOAT_EQ(clip_grad_norm({a, b, none}, 6.5f), 13.0f);
  const float coef = 6.5f / (13.0f + 1e-6f);
  EXPECT_FLOAT_EQ(a.grad()[0], 3.0f * coef);
  EXPECT_FLOAT_EQ(a.grad()[1], 4.0f * coef);
  EXPECT_FLOAT_EQ(b.grad()[0], 12.0f * coef);
  EXPECT_FALSE(none.has_grad());
  EXPECT_NEAR(clip_grad_norm({a, b}, 100.0f), 6.5f, 1e-5f);
  EXPECT_THROW(clip_grad_norm({a}, 0.0f), std::invalid_argument);
}

TEST(OptimClip, LongGradientNormAgreesWithADirectSum) {
  // 1003 elements of small integers: every order of summing their squares in double is exact,
  // so the norm must equal the direct sum's whatever order the implementation uses.
  Var p = parameter(Tensor({1003}));
  double direct = 0;
  for (int64_t j = 0; j < 1003; ++j) {
    p.grad()[j] = float(j % 7) - 3.0f;
    direct += double(p.grad()[j]) * p.grad()[j];
  }
  EXPECT_EQ(clip_grad_norm({p}, 1e9f), float(std::sqrt(direct)));
}

TEST(OptimClip, EmbeddingTableCountsTouchedRowsAndNonFiniteNormLeavesGradients) {
  Var table = embedding_table(Tensor({4, 2}, 0.0f));
  int32_t ids[] = {2, 2, 0};
  // loss = 3·Σ rows: gradient 3 per gathered use, so row 2 gets 6, row 0 gets 3 (2 columns each).
  backward(mul_scalar(sum_all(gather_rows(table, ids, 3)), 3.0f));
  const float norm = std::sqrt(2 * 36.0f + 2 * 9.0f);
  EXPECT_FLOAT_EQ(clip_grad_norm({table}, 1.0f), norm);
  EXPECT_FLOAT_EQ(table.grad()[4], 6.0f / (norm + 1e-6f));
  EXPECT_EQ(table.grad()[2], 0.0f);

  Var p = parameter(Tensor({2}));
  p.grad()[0] = INFINITY;
  p.grad()[1] = 1.0f;
  EXPECT_TRUE(std::isinf(clip_grad_norm({p}, 1.0f)));
  EXPECT_EQ(p.grad()[1], 1.0f);
}

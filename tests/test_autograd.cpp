// The tape, the grad switch, sparse rows, shape errors, and forward values computed by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "gradcheck_util.h"
#include "llactr/tensor/ops.h"

namespace llactr {
namespace {

Var param_of(Shape s, std::vector<float> v) { return parameter(Tensor(std::move(s), std::move(v))); }

TEST(GradCheckSelfTest, DetectsAWrongBackward) {
  // y = x², but the backward claims dy/dx = 3x: the check must say no.
  auto wrong_square = [](const std::vector<Var>& in) {
    const Var& x = in[0];
    Tensor y(x.shape());
    y.vec() = x.value().vec().array().square().matrix();
    return make_result(std::move(y), {x}, [x](Node& self) {
      grad_buffer(*x.node()).vec().array() += self.grad.vec().array() * 3.0f * x.value().vec().array();
    });
  };
  GradCheckResult r = grad_check(wrong_square, {random_param({4}, 1)});
  EXPECT_FALSE(r.ok);
}

TEST(Autograd, BackwardAccumulatesAndZeroGradClears) {
  Var x = param_of({2}, {1.0f, 2.0f});
  backward(sum_all(mul(x, x)));  // d/dx Σx² = 2x
  backward(sum_all(mul(x, x)));  // accumulates
  EXPECT_FLOAT_EQ(x.grad()[0], 4.0f);
  EXPECT_FLOAT_EQ(x.grad()[1], 8.0f);
  zero_grad({x});
  EXPECT_FLOAT_EQ(x.grad()[1], 0.0f);
  EXPECT_EQ(tape_size(), 0u);
}

TEST(Autograd, DetachStopsTheGradient) {
  Var x = param_of({2}, {1.0f, 2.0f});
  Var d = detach(mul(x, x));  // the value x², no path back to x
  EXPECT_FLOAT_EQ(d.value()[1], 4.0f);
  EXPECT_FALSE(d.requires_grad());
  backward(sum_all(add(mul(d, x), x)));  // d/dx [Σ sg(x²)·x + x] = sg(x²) + 1
  EXPECT_FLOAT_EQ(x.grad()[0], 2.0f);
  EXPECT_FLOAT_EQ(x.grad()[1], 5.0f);
}

TEST(Autograd, IntermediateUsedTwiceGetsTheSumIntoAFreshGradient) {
  // h = x + 0 is an intermediate without a gradient buffer; its first consumer in the backward
  // assigns into a fresh (unset) buffer, the second adds. Each op below writes its input's
  // gradient in a different kernel: linear (GEMM, beta 0 then 1), reshape, same-shape mul with
  // both operands the same node, layer_norm, transpose, concat.
  Var x = param_of({2, 3}, {0.5f, -1.0f, 2.0f, 1.5f, 0.25f, -0.75f});
  Var W = param_of({1, 3}, {1.0f, 2.0f, 3.0f});
  Var g = param_of({3}, {1.0f, 1.0f, 1.0f}), z = param_of({3}, {0.0f, 0.0f, 0.0f});
  auto loss_of = [&](const Var& xin) {
    Var h = add_scalar(xin, 0.0f);  // [2, 3]
    Var terms = add(add(sum_all(linear(h, W)), sum_all(reshape(h, {6}))), sum_all(mul(h, h)));
    terms = add(terms, sum_all(mul(layer_norm(h, g, z, 1e-5f), param_of({2, 3}, {1, 2, 3, 4, 5, 6}))));
    return add(terms, add(sum_all(transpose(h)), sum_all(concat({h, h}, 0))));
  };
  testing::expect_grads_match([&](const std::vector<Var>& in) { return loss_of(in[0]); }, {x});
  // By hand for the parts without layer_norm: d/dx = W + 1 + 2x + 1 + 2.
  x.grad().fill(0.0f);
  Var h = add_scalar(x, 0.0f);
  backward(add(add(sum_all(linear(h, W)), sum_all(reshape(h, {6}))),
               add(sum_all(mul(h, h)), add(sum_all(transpose(h)), sum_all(concat({h, h}, 0))))));
  for (int64_t i = 0; i < 6; ++i) EXPECT_FLOAT_EQ(x.grad()[i], W.value()[i % 3] + 1.0f + 2.0f * x.value()[i] + 1.0f + 2.0f);
}

TEST(Autograd, ProductOfANodeWithItselfIntoAFreshGradient) {
  // L = Σ_ij (h hᵀ)_ij = ‖Σ_i h_i‖², so dL/dh_i = 2 Σ_k h_k for every row i. h is an intermediate,
  // so both of the product's gradient GEMMs write into one fresh buffer: only the first may assign.
  Var x = param_of({2, 3}, {0.5f, -1.0f, 2.0f, 1.5f, 0.25f, -0.75f});
  for (int use_bmm = 0; use_bmm < 2; ++use_bmm) {
    x.grad().fill(0.0f);
    Var h = add_scalar(x, 0.0f);
    Var h3 = reshape(h, {1, 2, 3});
    backward(sum_all(use_bmm ? bmm(h3, h3, false, true) : matmul(h, h, false, true)));
    for (int64_t i = 0; i < 6; ++i)
      EXPECT_FLOAT_EQ(x.grad()[i], 2.0f * (x.value()[i % 3] + x.value()[3 + i % 3])) << "bmm " << use_bmm << " " << i;
  }
}

TEST(Autograd, ThreadedBroadcastIsBitIdenticalToSerialAndCorrect) {
  // Above kParallelMin the broadcast kernels split one axis across threads; a stretched input's
  // gradient (g [1, F] below, summed over rows) must still be summed in row order by one thread.
  Var x = testing::away_from_zero({300, 256}, 7), g = random_param({1, 256}, 8), c = random_param({300, 1}, 9);
  std::vector<Tensor> one = testing::expect_same_on_1_and_2_threads([&] {
    for (Var v : {x, g, c}) v.grad().fill(0.0f);
    Var y = add(mul(x, g), mul(c, x));  // [300, 256]
    backward(sum_all(mul(y, y)));
    return std::vector<Tensor>{y.value(), x.grad(), g.grad(), c.grad()};
  });
  // dL/dg_f = Σ_r 2 y_rf x_rf, in double.
  for (int64_t f = 0; f < 256; f += 51) {
    double s = 0;
    for (int64_t r = 0; r < 300; ++r) s += 2.0 * double(one[0][r * 256 + f]) * x.value()[r * 256 + f];
    EXPECT_NEAR(one[2][f], s, 1e-3 * std::abs(s) + 1e-3);
  }
}

TEST(Autograd, ThreadedGatherBackwardEqualsTheSerialSum) {
  // 5000 ids with many repeats into a 300-row table, above the parallel threshold: each row's
  // gradient must be the sum of its ids' output rows in batch order, with 1 or 2 threads.
  const int64_t V = 300, D = 8, n = 5000;
  Rng rng(3);
  std::vector<int32_t> ids(n);
  for (auto& id : ids) id = int32_t(rng.below(V));
  Tensor seed = random_param({n, D}, 4).value();
  const Tensor one = testing::expect_same_on_1_and_2_threads([&] {
    Var table = embedding_table(Tensor({V, D}, 0.0f), "E");
    backward(gather_rows(table, ids.data(), n), seed);
    return std::vector<Tensor>{table.grad()};
  })[0];
  std::vector<float> ref(size_t(V * D), 0.0f);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t d = 0; d < D; ++d) ref[size_t(ids[size_t(i)] * D + d)] += seed[i * D + d];
  for (int64_t k = 0; k < V * D; ++k) ASSERT_EQ(one[k], ref[size_t(k)]) << k;
}

TEST(Autograd, NoGradRecordsNothing) {
  Var x = param_of({2}, {1.0f, 2.0f});
  {
    NoGrad ng;
    Var y = mul(x, x);
    EXPECT_FALSE(y.requires_grad());
    EXPECT_EQ(tape_size(), 0u);
  }
  EXPECT_TRUE(grad_enabled());
  Var y = mul(x, x);
  EXPECT_TRUE(y.requires_grad());
  EXPECT_EQ(tape_size(), 1u);
  clear_tape();
}

TEST(Autograd, ConstantsNeedNoTape) {
  Var c = constant(Tensor({2}, 1.0f));
  Var y = add(c, c);
  EXPECT_FALSE(y.requires_grad());
  EXPECT_EQ(tape_size(), 0u);
  EXPECT_THROW(backward(sum_all(y)), std::logic_error);
}

TEST(Autograd, SparseRowsTrackGatheredRowsOnly) {
  Var table = embedding_table(Tensor({5, 2}, 1.0f));
  std::vector<int32_t> ids{3, 1, 3};
  backward(sum_all(gather_rows(table, ids.data(), 3)));
  Node& n = *table.node();
  ASSERT_EQ(n.touched_rows.size(), 2u);
  EXPECT_FLOAT_EQ(table.grad()[3 * 2], 2.0f);  // row 3 gathered twice
  EXPECT_FLOAT_EQ(table.grad()[1 * 2], 1.0f);
  EXPECT_FLOAT_EQ(table.grad()[0], 0.0f);
  zero_grad({table});
  EXPECT_TRUE(n.touched_rows.empty());
  EXPECT_FLOAT_EQ(table.grad()[3 * 2], 0.0f);
}

TEST(Autograd, GatherRejectsOutOfRangeIds) {
  Var table = embedding_table(Tensor({5, 2}));
  std::vector<int32_t> ids{0, 5};
  EXPECT_THROW(gather_rows(table, ids.data(), 2), std::invalid_argument);
}

TEST(ShapeErrors, NameTheOpAndBothShapes) {
  Var a = param_of({2, 3}, std::vector<float>(6, 1.0f)), b = param_of({4, 5}, std::vector<float>(20, 1.0f));
  try {
    matmul(a, b);
    FAIL() << "no throw";
  } catch (const std::invalid_argument& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("matmul"), std::string::npos) << m;
    EXPECT_NE(m.find("[2, 3]"), std::string::npos) << m;
    EXPECT_NE(m.find("[4, 5]"), std::string::npos) << m;
  }
  EXPECT_THROW(add(a, b), std::invalid_argument);
  EXPECT_THROW(linear(a, b), std::invalid_argument);
  EXPECT_THROW(reshape(a, {4, 2}), std::invalid_argument);
  EXPECT_THROW(slice(a, 1, 2, 2), std::invalid_argument);
  EXPECT_THROW(concat({a, b}, 0), std::invalid_argument);
  EXPECT_THROW(sum(a, 2), std::invalid_argument);
  EXPECT_THROW(Tensor({1, 1, 1, 1, 1}), std::invalid_argument);
  EXPECT_THROW(cross_entropy(a, {0}), std::invalid_argument);
  EXPECT_THROW(cross_entropy(a, {0, 3}), std::invalid_argument);
  EXPECT_THROW(bce_with_logits(a, Tensor({3, 2})), std::invalid_argument);
}

TEST(TensorValues, AllFiniteSeesNanAndInf) {
  Tensor t({3}, 1.0f);
  EXPECT_TRUE(t.all_finite());
  t[1] = NAN;
  EXPECT_FALSE(t.all_finite());
  t[1] = INFINITY;
  EXPECT_FALSE(t.all_finite());
}

// ---- forward values against hand computations

TEST(OpValues, MatmulLinearAndBroadcast) {
  Var a = param_of({2, 2}, {1, 2, 3, 4}), b = param_of({2, 2}, {5, 6, 7, 8});
  Tensor c = matmul(a, b).value();  // [[19, 22], [43, 50]]
  EXPECT_FLOAT_EQ(c[0], 19);
  EXPECT_FLOAT_EQ(c[3], 50);
  Tensor ct = matmul(a, b, true, false).value();  // aᵀb = [[26, 30], [38, 44]]
  EXPECT_FLOAT_EQ(ct[0], 26);
  EXPECT_FLOAT_EQ(ct[3], 44);
  Tensor l = linear(a, b, param_of({2}, {1, -1})).value();  // a·bᵀ + bias = [[17+1, 23−1], [39+1, 53−1]]
  EXPECT_FLOAT_EQ(l[0], 18);
  EXPECT_FLOAT_EQ(l[1], 22);
  EXPECT_FLOAT_EQ(l[3], 52);
  Tensor bc = add(param_of({2, 1}, {10, 20}), param_of({3}, {1, 2, 3})).value();  // [[11,12,13],[21,22,23]]
  ASSERT_EQ(bc.shape(), (Shape{2, 3}));
  EXPECT_FLOAT_EQ(bc[5], 23);
  clear_tape();
}

TEST(OpValues, ActivationsAndSoftmax) {
  Var x = param_of({3}, {-1.0f, 0.0f, 1.0f});
  EXPECT_NEAR(gelu(x).value()[2], 0.8413447f, 1e-6);  // Φ(1)
  EXPECT_NEAR(silu(x).value()[2], 0.7310586f, 1e-6);  // σ(1)
  EXPECT_NEAR(sigmoid(param_of({1}, {-100.0f})).value()[0], 3.72e-44f, 1e-44);  // no overflow
  Tensor s = softmax(x).value();
  double z = std::exp(-1.0) + 1.0 + std::exp(1.0);
  EXPECT_NEAR(s[0], std::exp(-1.0) / z, 1e-7);
  EXPECT_NEAR(log_softmax(x).value()[2], 1.0 - std::log(z), 1e-6);
  clear_tape();
}

TEST(OpValues, NormsByHand) {
  Var x = param_of({1, 4}, {1, 2, 3, 4});
  Var g = param_of({4}, {1, 1, 1, 1}), b = param_of({4}, {0, 0, 0, 0});
  // mean 2.5, variance 1.25
  EXPECT_NEAR(layer_norm(x, g, b, 0.0f).value()[0], -1.5 / std::sqrt(1.25), 1e-6);
  // mean square 7.5
  EXPECT_NEAR(rms_norm(x, g, 0.0f).value()[3], 4.0 / std::sqrt(7.5), 1e-6);
  clear_tape();
}

TEST(OpValues, LossesByHand) {
  // BCE: −log σ(2) for t=1 and −log(1 − σ(−1)) for t=0, averaged; stable at |z| = 1000.
  Var z = param_of({2}, {2.0f, -1.0f});
  double want = 0.5 * (std::log1p(std::exp(-2.0)) + std::log1p(std::exp(-1.0)));
  EXPECT_NEAR(bce_with_logits(z, Tensor({2}, {1.0f, 0.0f})).value().item(), want, 1e-6);
  EXPECT_NEAR(bce_with_logits(param_of({1}, {1000.0f}), Tensor({1}, {0.0f})).value().item(), 1000.0, 1e-3);

  // kl_div batchmean: two rows; Σ t(log t − log p) / 2, with a zero target term counted as 0.
  Var logp = param_of({2, 2}, {std::log(0.5f), std::log(0.5f), std::log(0.25f), std::log(0.75f)});
  Var t = param_of({2, 2}, {1.0f, 0.0f, 0.5f, 0.5f});
  double kl = (1.0 * (0.0 - std::log(0.5)) + 0.5 * (std::log(0.5) - std::log(0.25)) + 0.5 * (std::log(0.5) - std::log(0.75))) / 2;
  EXPECT_NEAR(kl_div(logp, t).value().item(), kl, 1e-6);

  Var a = param_of({1, 2}, {1, 0}), c = param_of({1, 2}, {1, 1});
  EXPECT_NEAR(cosine_similarity(a, c).value()[0], 1.0 / std::sqrt(2.0), 1e-6);

  // cross entropy of uniform logits over 4 classes is log 4
  EXPECT_NEAR(cross_entropy(param_of({1, 4}, {0, 0, 0, 0}), {2}).value().item(), std::log(4.0), 1e-6);
  EXPECT_NEAR(mse(a, c).value().item(), 0.5, 1e-7);
  clear_tape();
}

TEST(OpValues, DropoutIsSeededAndScaled) {
  Var x = param_of({1000}, std::vector<float>(1000, 1.0f));
  Rng r1(5), r2(5);
  Tensor y1 = dropout(x, 0.25f, r1, true).value(), y2 = dropout(x, 0.25f, r2, true).value();
  int kept = 0;
  for (int64_t i = 0; i < 1000; ++i) {
    EXPECT_EQ(y1[i], y2[i]);
    EXPECT_TRUE(y1[i] == 0.0f || std::abs(y1[i] - 1.0f / 0.75f) < 1e-6);
    kept += y1[i] != 0.0f;
  }
  EXPECT_NEAR(kept, 750, 60);
  EXPECT_EQ(dropout(x, 0.25f, r1, false).node(), x.node());  // eval: identity
  clear_tape();
}

// Data-parallel dropout: each process draws the masks of the global batch's rows and keeps its
// own (Rng::RowSlice), so the slices' masks are the whole batch's rows and every generator ends
// where one process's would.
TEST(OpValues, DropoutMaskOfARowSliceIsThoseRowsOfTheWholeBatchsMask) {
  Rng whole(8);
  const Tensor full = dropout_mask({5, 3}, 0.5f, whole);  // [5, 3]
  const float after = whole.uniform();
  for (auto [first, rows] : {std::pair<int64_t, int64_t>{0, 2}, {2, 3}, {4, 1}, {1, 0}}) {
    Rng part(8);
    part.set_row_slice({first, rows, 5});
    const Tensor mask = dropout_mask({rows, 3}, 0.5f, part);
    for (int64_t i = 0; i < rows * 3; ++i) EXPECT_EQ(mask[i], full[first * 3 + i]) << first << " " << i;
    EXPECT_EQ(part.uniform(), after);  // in step with the whole batch's generator
    EXPECT_THROW(dropout_mask({rows + 1, 3}, 0.5f, part), std::logic_error);  // not this slice's rows
  }
  Rng r(1);
  EXPECT_THROW(r.set_row_slice({4, 2, 5}), std::invalid_argument);
}

// SSFT's packing: a slice of the prompts' rows, then the field descriptions' rows that every
// process holds (RowSlice::tail). Batch rows [0, 5) and a tail of 2 drawn by one process: [7, 3].
TEST(OpValues, DropoutMaskOfARowSliceWithATailIsThoseRowsThenTheTail) {
  Rng whole(9);
  const Tensor full = dropout_mask({7, 3}, 0.5f, whole);
  const float after = whole.uniform();
  for (auto [first, rows] : {std::pair<int64_t, int64_t>{0, 3}, {3, 2}, {4, 1}}) {
    Rng part(9);
    part.set_row_slice({first, rows, 5, 2});
    const Tensor mask = dropout_mask({rows + 2, 3}, 0.5f, part);
    for (int64_t i = 0; i < rows * 3; ++i) EXPECT_EQ(mask[i], full[first * 3 + i]) << first << " " << i;
    for (int64_t i = 0; i < 2 * 3; ++i) EXPECT_EQ(mask[rows * 3 + i], full[5 * 3 + i]) << "tail " << i;
    EXPECT_EQ(part.uniform(), after);
    EXPECT_THROW(dropout_mask({rows, 3}, 0.5f, part), std::logic_error);  // the tail is missing
  }
  Rng r(1);
  EXPECT_THROW(r.set_row_slice({0, 2, 5, -1}), std::invalid_argument);
}

TEST(RngDeterminism, SameSeedSameStreamAndSaneMoments) {
  Rng a(42), b(42);
  double s = 0, s2 = 0;
  for (int i = 0; i < 100000; ++i) {
    float v = a.normal();
    EXPECT_EQ(v, b.normal());
    s += v;
    s2 += double(v) * v;
  }
  EXPECT_NEAR(s / 1e5, 0.0, 0.02);
  EXPECT_NEAR(s2 / 1e5, 1.0, 0.02);
  for (int i = 0; i < 1000; ++i) EXPECT_LT(a.below(7), 7u);
}

}  // namespace
}  // namespace llactr

// Each scheduler's lr sequence against values worked out by hand.
#include <gtest/gtest.h>

#include <vector>

#include "llactr/nn/scheduler.h"

using namespace llactr;

namespace {
// An optimiser with base lr 1 so the sequence is the schedule's factor f(t).
struct Fixture {
  Var p = parameter(Tensor({1}));
  Sgd opt{{p}, [] {
            SgdOptions o;
            o.lr = 1.0f;
            return o;
          }()};
};

// lr seen by the optimiser at t = 0, 1, ..., n-1.
std::vector<float> sequence(StepScheduler& s, Optimizer& opt, int n) {
  std::vector<float> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(opt.lr());
    s.step();
  }
  return out;
}

void expect_sequence(const std::vector<float>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6) << "t = " << i;
}
}  // namespace

TEST(LrSchedule, ConstantKeepsTheBaseRate) {
  Fixture f;
  f.opt.set_lr(0.3f);
  ConstantLr s(f.opt);
  expect_sequence(sequence(s, f.opt, 3), {0.3, 0.3, 0.3});
}

TEST(LrSchedule, LinearWarmupThenDecay) {
  // warmup 2, total 6: t/2 for t < 2, then (6 − t)/4, then 0.
  Fixture f;
  LinearWarmupDecay s(f.opt, 2, 6);
  expect_sequence(sequence(s, f.opt, 8), {0.0, 0.5, 1.0, 0.75, 0.5, 0.25, 0.0, 0.0});
}

TEST(LrSchedule, CosineWithoutWarmup) {
  // total 4: ½(1 + cos(π t/4)) = 1, ½(1 + √2/2) = 0.8535534, 0.5, 0.1464466, 0, then 0.
  Fixture f;
  CosineLr s(f.opt, 4);
  expect_sequence(sequence(s, f.opt, 6), {1.0, 0.85355339, 0.5, 0.14644661, 0.0, 0.0});
}

TEST(LrSchedule, CosineWithWarmupAndFloor) {
  // warmup 2, total 6, min 0.1: 0, 0.5, then 0.1 + 0.9·½(1 + cos(π p)) with p = 0, ¼, ½, ¾, 1:
  // 1, 0.1 + 0.9·0.8535534 = 0.8681981, 0.55, 0.1 + 0.9·0.1464466 = 0.2318019, 0.1.
  Fixture f;
  CosineLr s(f.opt, 6, 2, 0.1f);
  expect_sequence(sequence(s, f.opt, 8), {0.0, 0.5, 1.0, 0.86819805, 0.55, 0.23180195, 0.1, 0.1});
}

TEST(LrSchedule, BadArgumentsThrow) {
  Fixture f;
  EXPECT_THROW(LinearWarmupDecay(f.opt, 5, 3), std::invalid_argument);
  EXPECT_THROW(CosineLr(f.opt, 10, -1), std::invalid_argument);
  EXPECT_THROW(CosineLr(f.opt, 10, 0, 2.0f), std::invalid_argument);
  PlateauOptions o;
  o.factor = 1.0f;
  EXPECT_THROW(ReduceLrOnPlateau(f.opt, o), std::invalid_argument);
}

TEST(LrPlateau, ReducesOnEachNonImprovingEpochDownToTheFloor) {
  Fixture f;
  ReduceLrOnPlateau s(f.opt);  // mode max, factor 0.1, patience 0, min_lr 1e-6
  EXPECT_FALSE(s.step(0.70));  // first epoch always improves
  EXPECT_FALSE(s.step(0.72));
  EXPECT_FLOAT_EQ(f.opt.lr(), 1.0f);
  EXPECT_TRUE(s.step(0.72));  // equal is not better
  EXPECT_FLOAT_EQ(f.opt.lr(), 0.1f);
  EXPECT_TRUE(s.step(0.71));
  EXPECT_FLOAT_EQ(f.opt.lr(), 0.01f);
  EXPECT_FALSE(s.step(0.73));
  EXPECT_FLOAT_EQ(f.opt.lr(), 0.01f);
  EXPECT_DOUBLE_EQ(s.best(), 0.73);
  // 0.01 -> 1e-3 -> 1e-4 -> 1e-5 -> 1e-6, then stays at the floor.
  for (float want : {1e-3f, 1e-4f, 1e-5f, 1e-6f}) {
    EXPECT_TRUE(s.step(0.5));
    EXPECT_NEAR(f.opt.lr(), want, want * 1e-5f);
  }
  EXPECT_FALSE(s.step(0.5));
  EXPECT_FLOAT_EQ(f.opt.lr(), 1e-6f);
  EXPECT_THROW(s.step(NAN), std::invalid_argument);
}

TEST(LrPlateau, PatienceAndMinModeAndThreshold) {
  Fixture f;
  PlateauOptions o;
  o.mode_max = false;
  o.patience = 2;
  o.threshold = 0.01f;
  o.factor = 0.5f;
  ReduceLrOnPlateau s(f.opt, o);
  EXPECT_FALSE(s.step(1.0));    // best 1.0
  EXPECT_FALSE(s.step(0.995));  // not below 1.0 − 0.01: bad epoch 1
  EXPECT_FALSE(s.step(0.999));  // bad epoch 2
  EXPECT_EQ(s.bad_epochs(), 2);
  EXPECT_TRUE(s.step(1.2));     // bad epoch 3 > patience: halve
  EXPECT_FLOAT_EQ(f.opt.lr(), 0.5f);
  EXPECT_EQ(s.bad_epochs(), 0);
  EXPECT_FALSE(s.step(0.9));    // improves
  EXPECT_DOUBLE_EQ(s.best(), 0.9);
  EXPECT_FLOAT_EQ(f.opt.lr(), 0.5f);
}

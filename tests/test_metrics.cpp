// AUC, logloss and gAUC: hand-counted small cases and a brute-force pair count.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "llactr/nn/metrics.h"
#include "llactr/tensor/rng.h"

using namespace llactr;

namespace {
// The definition, O(n²): over all (positive, negative) pairs, 1 if the positive scores higher, ½ on a tie.
double brute_force_auc(const std::vector<float>& s, const std::vector<float>& y) {
  double correct = 0, pairs = 0;
  for (size_t i = 0; i < s.size(); ++i)
    for (size_t j = 0; j < s.size(); ++j)
      if (y[i] == 1 && y[j] == 0) {
        pairs += 1;
        correct += s[i] > s[j] ? 1.0 : s[i] == s[j] ? 0.5 : 0.0;
      }
  return correct / pairs;
}
}  // namespace

TEST(MetricsAuc, ScikitLearnDocExample) {
  // roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.75:
  // positive 0.35 beats 0.1, loses to 0.4; positive 0.8 beats both -> 3 of 4 pairs.
  EXPECT_DOUBLE_EQ(auc({0.1f, 0.4f, 0.35f, 0.8f}, {0, 0, 1, 1}), 0.75);
}

TEST(MetricsAuc, HandCountedWithTies) {
  // positives: a = 0.2, c = 0.5, d = 0.9; negatives: b = 0.5, e = 0.2, f = 0.7.
  //   a: vs b 0, vs e tie ½, vs f 0   -> 0.5
  //   c: vs b tie ½, vs e 1, vs f 0   -> 1.5
  //   d: beats all three              -> 3
  // 5 of 9 pairs.
  EXPECT_DOUBLE_EQ(auc({0.2f, 0.5f, 0.5f, 0.9f, 0.2f, 0.7f}, {1, 0, 1, 1, 0, 0}), 5.0 / 9.0);
  // Every score equal: every pair is a tie.
  EXPECT_DOUBLE_EQ(auc({0.3f, 0.3f, 0.3f}, {1, 0, 0}), 0.5);
  // Perfect and reversed rankings; scores may be logits (negative, infinite).
  EXPECT_DOUBLE_EQ(auc({-INFINITY, -1.0f, 2.0f, INFINITY}, {0, 0, 1, 1}), 1.0);
  EXPECT_DOUBLE_EQ(auc({-INFINITY, -1.0f, 2.0f, INFINITY}, {1, 1, 0, 0}), 0.0);
  // −0 and +0 are the same score: a tie.
  EXPECT_DOUBLE_EQ(auc({-0.0f, 0.0f}, {1, 0}), 0.5);
}

TEST(MetricsAuc, EqualsBruteForcePairCountOnDataWithManyTies) {
  Rng rng(7);
  for (int trial = 0; trial < 5; ++trial) {
    const int n = 1500;
    std::vector<float> s(n), y(n);
    for (int i = 0; i < n; ++i) {
      s[i] = static_cast<float>(rng.below(25)) / 25.0f;  // 25 distinct values: ties everywhere
      // Labels correlated with scores so the AUC is away from ½.
      y[i] = rng.uniform() < 0.2f + 0.6f * s[i] ? 1.0f : 0.0f;
    }
    EXPECT_NEAR(auc(s, y), brute_force_auc(s, y), 1e-9) << "trial " << trial;
  }
}

TEST(MetricsAuc, BadInputThrows) {
  EXPECT_THROW(auc({0.1f, 0.2f}, {1, 1}), std::invalid_argument);     // one class
  EXPECT_THROW(auc({}, {}), std::invalid_argument);                   // no class at all
  EXPECT_THROW(auc({0.1f, 0.2f}, {1, 0, 1}), std::invalid_argument);  // sizes differ
  EXPECT_THROW(auc({0.1f, 0.2f}, {1, 2}), std::invalid_argument);     // label not 0/1
  EXPECT_THROW(auc({0.1f, NAN}, {1, 0}), std::invalid_argument);      // NaN score
}

TEST(MetricsLogloss, HandValues) {
  // −(ln 0.75 + ln(1 − 0.25) + ln(1 − 0.5)) / 3 = (2·0.2876821 + 0.6931472) / 3.
  EXPECT_NEAR(logloss({0.75f, 0.25f, 0.5f}, {1, 0, 0}), 0.4228371084878357, 1e-12);
  // One class is fine for logloss: −ln 0.5.
  EXPECT_NEAR(logloss({0.5f}, {1}), 0.6931471805599453, 1e-12);
}

TEST(MetricsLogloss, ClipsCertainProbabilities) {
  // p = 0 with y = 1 and p = 1 with y = 0 would be infinite; clipped to eps they cost −ln eps.
  // The two right answers cost −ln(1 − eps).
  // eps = 1e-3: (2·6.907755279 + 2·0.001000500) / 4.
  EXPECT_NEAR(logloss({0, 1, 1, 0}, {1, 0, 1, 0}, 1e-3), 3.4543778896578603, 1e-9);
  // default eps = 1e-7: (2·16.118095651 + 2·1.0000000495e-7) / 4.
  EXPECT_NEAR(logloss({0, 1, 1, 0}, {1, 0, 1, 0}), 8.059047875479163, 1e-8);
  // Unclipped values are untouched by eps.
  EXPECT_NEAR(logloss({0.5f}, {0}, 1e-3), 0.6931471805599453, 1e-12);
}

TEST(MetricsLogloss, BadInputThrows) {
  EXPECT_THROW(logloss({}, {}), std::invalid_argument);
  EXPECT_THROW(logloss({0.5f}, {1, 0}), std::invalid_argument);
  EXPECT_THROW(logloss({1.5f}, {1}), std::invalid_argument);
  EXPECT_THROW(logloss({NAN}, {1}), std::invalid_argument);
  EXPECT_THROW(logloss({0.5f}, {0.5f}), std::invalid_argument);
  EXPECT_THROW(logloss({0.5f}, {1}, 0.0), std::invalid_argument);
}

TEST(MetricsGauc, HandExampleSkipsSingleClassGroup) {
  // group 10 (3 samples): positive 0.9 beats negatives 0.1 and 0.5 -> AUC 1.
  // group 20 (4 samples): positives 0.3, 0.2; negatives 0.3, 0.8.
  //   0.3 vs 0.3 tie ½, vs 0.8 0; 0.2 vs 0.3 0, vs 0.8 0 -> ½ of 4 pairs = 0.125.
  // group 30 (2 samples, positives only): skipped.
  // gAUC = (3·1 + 4·0.125) / 7 = 0.5. Groups interleaved to check the grouping.
  std::vector<float> s = {0.9f, 0.3f, 0.7f, 0.1f, 0.3f, 0.8f, 0.5f, 0.2f, 0.4f};
  std::vector<float> y = {1, 1, 1, 0, 0, 0, 0, 1, 1};
  std::vector<int32_t> g = {10, 20, 30, 10, 20, 20, 10, 20, 30};
  EXPECT_DOUBLE_EQ(gauc(s, y, g), 0.5);
}

TEST(MetricsGauc, OneGroupIsPlainAucAndBadInputThrows) {
  std::vector<float> s = {0.2f, 0.5f, 0.5f, 0.9f, 0.2f, 0.7f}, y = {1, 0, 1, 1, 0, 0};
  EXPECT_DOUBLE_EQ(gauc(s, y, std::vector<int32_t>(6, -3)), auc(s, y));
  EXPECT_THROW(gauc({0.1f, 0.2f}, {1, 0}, {1, 2}), std::invalid_argument);  // no two-class group
  EXPECT_THROW(gauc({0.1f, 0.2f}, {1, 0}, {1}), std::invalid_argument);     // sizes differ
}

TEST(MetricsGauc, EqualsPerGroupBruteForceOnRandomData) {
  Rng rng(11);
  const int n = 2000, groups = 40;
  std::vector<float> s(n), y(n);
  std::vector<int32_t> g(n);
  for (int i = 0; i < n; ++i) {
    g[i] = static_cast<int32_t>(rng.below(groups));
    s[i] = static_cast<float>(rng.below(10)) / 10.0f;
    // Group 0 is all negative, so it must be skipped.
    y[i] = g[i] != 0 && rng.uniform() < 0.3f + 0.4f * s[i] ? 1.0f : 0.0f;
  }
  double weighted = 0, weight = 0;
  for (int32_t k = 0; k < groups; ++k) {
    std::vector<float> gs, gy;
    for (int i = 0; i < n; ++i)
      if (g[i] == k) gs.push_back(s[i]), gy.push_back(y[i]);
    bool pos = false, neg = false;
    for (float v : gy) (v == 1 ? pos : neg) = true;
    if (!pos || !neg) continue;
    weighted += gs.size() * brute_force_auc(gs, gy);
    weight += gs.size();
  }
  EXPECT_NEAR(gauc(s, y, g), weighted / weight, 1e-9);
}

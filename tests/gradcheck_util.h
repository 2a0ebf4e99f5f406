// Helpers shared by the gradient-check tests.
#pragma once
#include <omp.h>

#include <functional>
#include <gtest/gtest.h>

#include "llactr/tensor/gradcheck.h"
#include "llactr/tensor/rng.h"

namespace llactr::testing {

inline void expect_grads_match(const GradFn& f, const std::vector<Var>& inputs, GradCheckOptions opt = {}) {
  GradCheckResult r = grad_check(f, inputs, opt);
  EXPECT_TRUE(r.ok) << "worst: " << r.worst << " (ratio " << r.worst_ratio << ")";
  EXPECT_GT(r.checked, 0);
}

// A random shape of the given rank, each dimension in [lo, hi].
inline Shape random_shape(Rng& rng, int rank, int64_t lo = 1, int64_t hi = 5) {
  Shape s;
  for (int i = 0; i < rank; ++i) s.push_back(lo + static_cast<int64_t>(rng.below(static_cast<uint64_t>(hi - lo + 1))));
  return s;
}

// A parameter whose values all lie at least `gap` away from zero (for kinked functions).
inline Var away_from_zero(const Shape& shape, uint64_t seed, float gap = 0.1f) {
  Var v = random_param(shape, seed);
  for (int64_t i = 0; i < v.numel(); ++i) {
    float& x = v.value()[i];
    if (std::abs(x) < gap) x = x < 0 ? x - gap : x + gap;
  }
  return v;
}

// Runs f (returning the tensors to compare) on 1 thread and on 2, restores 2 threads, and asserts
// the results are bit-identical; returns the 1-thread results for further checks.
inline std::vector<Tensor> expect_same_on_1_and_2_threads(const std::function<std::vector<Tensor>()>& f) {
  omp_set_num_threads(1);
  std::vector<Tensor> one = f();
  omp_set_num_threads(2);
  std::vector<Tensor> two = f();
  EXPECT_EQ(one.size(), two.size());
  for (size_t k = 0; k < one.size() && k < two.size(); ++k)
    for (int64_t i = 0; i < one[k].numel(); ++i)
      if (one[k][i] != two[k][i]) {
        ADD_FAILURE() << "tensor " << k << " element " << i << ": " << one[k][i] << " on 1 thread, " << two[k][i] << " on 2";
        return one;
      }
  return one;
}

}  // namespace llactr::testing

// Finite-difference gradient check, used by the tests of every op and layer.
//
// For a function f of some input Vars, it draws a fixed random weighting R of f's output and
// compares the analytic gradient of  L = Σ R ⊙ f(inputs)  (one backward pass seeded with R)
// with central differences  (L(x + h) − L(x − h)) / 2h  for every element of every input that
// requires a gradient. L is summed in double; the engine itself is float32, so h defaults to
// 1e-2 and an element passes when |analytic − numeric| <= atol + rtol·|numeric|.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "llactr/tensor/autograd.h"

namespace llactr {

struct GradCheckOptions {
  double h = 1e-2;
  double rtol = 1e-2;
  double atol = 1e-3;
  uint64_t seed = 7;
};

struct GradCheckResult {
  bool ok = true;
  double worst_ratio = 0.0;  // max over elements of |a − n| / (atol + rtol·|n|); ok iff <= 1
  std::string worst;         // "input 1 element 5: analytic 0.12 numeric 0.13"
  int64_t checked = 0;
};

using GradFn = std::function<Var(const std::vector<Var>& inputs)>;

GradCheckResult grad_check(const GradFn& f, const std::vector<Var>& inputs, const GradCheckOptions& opt = {});

// A parameter of the given shape filled with N(0, std) draws from `seed` (test inputs).
Var random_param(const Shape& shape, uint64_t seed, float std = 1.0f);

}  // namespace llactr

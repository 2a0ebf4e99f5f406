#include "llactr/tensor/gradcheck.h"

#include <cmath>
#include <cstdio>

#include "llactr/tensor/rng.h"

namespace llactr {

namespace {
double weighted_sum(const Tensor& out, const Tensor& R) {
  double s = 0.0;
  for (int64_t i = 0; i < out.numel(); ++i) s += static_cast<double>(out[i]) * R[i];
  return s;
}
}  // namespace

GradCheckResult grad_check(const GradFn& f, const std::vector<Var>& inputs, const GradCheckOptions& opt) {
  GradCheckResult res;
  // Analytic: one backward pass seeded with R.
  for (const Var& v : inputs)
    if (v.requires_grad()) v.node()->grad = Tensor();
  Var out = f(inputs);
  Rng rng(opt.seed);
  Tensor R(out.shape());
  for (int64_t i = 0; i < R.numel(); ++i) R[i] = rng.normal();
  backward(out, R);

  for (size_t k = 0; k < inputs.size(); ++k) {
    Var x = inputs[k];
    if (!x.requires_grad()) continue;
    Tensor analytic = x.has_grad() ? x.grad() : Tensor(x.shape(), 0.0f);
    Tensor& val = x.value();
    for (int64_t i = 0; i < val.numel(); ++i) {
      float saved = val[i];
      double lp, lm;
      {
        NoGrad ng;
        val[i] = saved + static_cast<float>(opt.h);
        lp = weighted_sum(f(inputs).value(), R);
        val[i] = saved - static_cast<float>(opt.h);
        lm = weighted_sum(f(inputs).value(), R);
      }
      val[i] = saved;
      double numeric = (lp - lm) / (2.0 * opt.h);
      double a = analytic[i];
      double ratio = std::abs(a - numeric) / (opt.atol + opt.rtol * std::abs(numeric));
      ++res.checked;
      if (ratio > res.worst_ratio) {
        res.worst_ratio = ratio;
        char buf[160];
        std::snprintf(buf, sizeof buf, "input %zu element %lld: analytic %.6g numeric %.6g", k,
                      static_cast<long long>(i), a, numeric);
        res.worst = buf;
      }
    }
  }
  res.ok = res.worst_ratio <= 1.0;
  return res;
}

Var random_param(const Shape& shape, uint64_t seed, float std) {
  Rng rng(seed);
  Tensor t(shape);
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = rng.normal(0.0f, std);
  return parameter(std::move(t));
}

}  // namespace llactr

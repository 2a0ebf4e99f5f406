// The shared kernel of every one-input elementwise op (scalar arithmetic, activations):
// out = f(a), and in backward da += dout · f'(a), with f' given the input and the output
// (sigmoid and tanh are cheapest to differentiate from their output).
#pragma once
#include "llactr/tensor/autograd.h"

namespace llactr::detail {

constexpr int64_t kParallelMin = 1 << 15;  // below this many elements threads cost more than they save

template <class Fwd, class Df>
Var elementwise_unary(const Var& a, Fwd fwd, Df df) {
  Tensor out = Tensor::uninitialized(a.shape());
  const float* A = a.value().data();
  float* O = out.data();
  int64_t n = out.numel();
#pragma omp parallel for simd if (n > kParallelMin)
  for (int64_t i = 0; i < n; ++i) O[i] = fwd(A[i]);
  return make_result(std::move(out), {a}, [a, df](Node& self) {
    const float* A = a.value().data();
    const float* O = self.value.data();
    const float* G = self.grad.data();
    auto [gA, fresh] = grad_target(*a.node());
    int64_t n = self.value.numel();
    if (fresh) {
#pragma omp parallel for simd if (n > kParallelMin)
      for (int64_t i = 0; i < n; ++i) gA[i] = G[i] * df(A[i], O[i]);
    } else {
#pragma omp parallel for simd if (n > kParallelMin)
      for (int64_t i = 0; i < n; ++i) gA[i] += G[i] * df(A[i], O[i]);
    }
  });
}

}  // namespace llactr::detail

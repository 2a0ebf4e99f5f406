// The shared kernel of every one-input elementwise op (scalar arithmetic, activations):
// out = f(a), and in backward da += dout · f'(a), with f' given the input and the output
// (sigmoid and tanh are cheapest to differentiate from their output).
#pragma once
#include "llactr/tensor/autograd.h"

namespace llactr::detail {

constexpr int64_t kParallelMin = 1 << 15;  // below this many elements threads cost more than they save

// Writes every element of x's gradient, d[i] = value(i) for i in [0, n): assigned when the
// buffer is fresh (grad_target), added to it otherwise. Shared with the binary ops. `value` captures
// its pointers by value and each thread gets its own copy of it: otherwise GCC reloads them from
// shared memory at every element and vectorises the loads as gathers (SwiGLU's backward was 5x slower).
template <class V>
void write_grad(Node& x, int64_t n, V value) {
  auto [g, fresh] = grad_target(x);
  if (fresh) {
#pragma omp parallel for simd if (n > kParallelMin) firstprivate(value)
    for (int64_t i = 0; i < n; ++i) g[i] = value(i);
  } else {
#pragma omp parallel for simd if (n > kParallelMin) firstprivate(value)
    for (int64_t i = 0; i < n; ++i) g[i] += value(i);
  }
}

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
    write_grad(*a.node(), self.value.numel(), [G, A, O, df](int64_t i) { return G[i] * df(A[i], O[i]); });
  });
}

}  // namespace llactr::detail

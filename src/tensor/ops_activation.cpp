// Activations. Each derivative sits beside its function; softmax's is a row-wise Jacobian product.
#include <cmath>

#include "llactr/tensor/fast_exp.h"
#include "llactr/tensor/ops.h"
#include "unary_kernel.h"

namespace llactr {

using detail::elementwise_unary;

Var relu(const Var& x) {
  return elementwise_unary(x, [](float v) { return v > 0.0f ? v : 0.0f; },
                           [](float v, float) { return v > 0.0f ? 1.0f : 0.0f; });
}

Var leaky_relu(const Var& x, float slope) {
  return elementwise_unary(x, [slope](float v) { return v > 0.0f ? v : slope * v; },
                           [slope](float v, float) { return v > 0.0f ? 1.0f : slope; });
}

Var sigmoid(const Var& x) {
  // σ' = σ(1 − σ). The two-branch form never evaluates exp of a large positive number.
  return elementwise_unary(
      x, [](float v) { return v >= 0.0f ? 1.0f / (1.0f + std::exp(-v)) : std::exp(v) / (1.0f + std::exp(v)); },
      [](float, float s) { return s * (1.0f - s); });
}

Var tanh(const Var& x) {
  return elementwise_unary(x, [](float v) { return std::tanh(v); }, [](float, float t) { return 1.0f - t * t; });
}

Var silu(const Var& x) {
  // silu = x·σ(x);  silu' = σ(x)·(1 + x·(1 − σ(x)))
  return elementwise_unary(x, [](float v) { return v / (1.0f + std::exp(-v)); },
                           [](float v, float) {
                             float s = 1.0f / (1.0f + std::exp(-v));
                             return s * (1.0f + v * (1.0f - s));
                           });
}

Var swiglu(const Var& gate, const Var& up) {
  if (gate.shape() != up.shape()) shape_error("swiglu", gate.shape(), up.shape(), "(gate, up) differ");
  // h = g·σ(g)·u
  Tensor out = Tensor::uninitialized(gate.shape());
  const float *G = gate.value().data(), *U = up.value().data();
  float* O = out.data();
  const int64_t n = out.numel();
#pragma omp parallel for simd if (n > detail::kParallelMin)
  for (int64_t i = 0; i < n; ++i) O[i] = G[i] * fast_sigmoid(G[i]) * U[i];
  return make_result(std::move(out), {gate, up}, [gate, up, n](Node& self) {
    // dg = dh·u·σ(g)·(1 + g·(1 − σ(g))),  du = dh·g·σ(g); σ recomputed rather than stored
    const float *G = gate.value().data(), *U = up.value().data(), *D = self.grad.data();
    if (gate.requires_grad())
      detail::write_grad(*gate.node(), n, [G, U, D](int64_t i) {
        const float s = fast_sigmoid(G[i]);
        return D[i] * U[i] * s * (1.0f + G[i] * (1.0f - s));
      });
    if (up.requires_grad())
      detail::write_grad(*up.node(), n, [G, D](int64_t i) { return D[i] * G[i] * fast_sigmoid(G[i]); });
  });
}

Var gelu(const Var& x) {
  // gelu = x·Φ(x);  gelu' = Φ(x) + x·φ(x)
  constexpr float kInvSqrt2 = 0.70710678118654752f, kInvSqrt2Pi = 0.39894228040143268f;
  return elementwise_unary(x, [](float v) { return 0.5f * v * (1.0f + std::erf(v * kInvSqrt2)); },
                           [](float v, float) {
                             return 0.5f * (1.0f + std::erf(v * kInvSqrt2)) + v * kInvSqrt2Pi * std::exp(-0.5f * v * v);
                           });
}

Var exp(const Var& x) {
  return elementwise_unary(x, [](float v) { return std::exp(v); }, [](float, float e) { return e; });
}

Var log(const Var& x) {
  return elementwise_unary(x, [](float v) { return std::log(v); }, [](float v, float) { return 1.0f / v; });
}

namespace {

// y = softmax or log_softmax of each row of x [.., C], computed with the row max subtracted.
Tensor softmax_rows(const Tensor& x, bool log_space) {
  Tensor y = Tensor::uninitialized(x.shape());
  auto X = x.mat();
  auto Y = y.mat();
#pragma omp parallel for if (x.numel() > (1 << 15))
  for (int64_t r = 0; r < X.rows(); ++r) {
    float m = X.row(r).maxCoeff();
    Y.row(r) = (X.row(r).array() - m).exp();
    float z = Y.row(r).sum();
    if (log_space) Y.row(r) = X.row(r).array() - m - std::log(z);
    else Y.row(r) /= z;
  }
  return y;
}

}  // namespace

Var softmax(const Var& x) {
  return make_result(softmax_rows(x.value(), false), {x}, [x](Node& self) {
    // dx = y ⊙ (dy − Σ_c dy·y)
    auto Y = self.value.mat();
    auto dY = self.grad.mat();
    auto dX = grad_buffer(*x.node()).mat();
#pragma omp parallel for if (self.value.numel() > (1 << 15))
    for (int64_t r = 0; r < Y.rows(); ++r) {
      float dot = Y.row(r).dot(dY.row(r));
      dX.row(r).array() += Y.row(r).array() * (dY.row(r).array() - dot);
    }
  });
}

Var log_softmax(const Var& x) {
  return make_result(softmax_rows(x.value(), true), {x}, [x](Node& self) {
    // dx = dy − softmax(x) · Σ_c dy
    auto Y = self.value.mat();
    auto dY = self.grad.mat();
    auto dX = grad_buffer(*x.node()).mat();
#pragma omp parallel for if (self.value.numel() > (1 << 15))
    for (int64_t r = 0; r < Y.rows(); ++r) {
      float s = dY.row(r).sum();
      dX.row(r).array() += dY.row(r).array() - Y.row(r).array().exp() * s;
    }
  });
}

}  // namespace llactr

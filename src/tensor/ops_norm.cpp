// Normalisation over the last axis, and dropout.
#include <cmath>

#include "llactr/tensor/ops.h"
#include "llactr/tensor/rng.h"

namespace llactr {

namespace {
void check_affine(const char* op, const Var& x, const Var& p) {
  if (p.shape().size() != 1 || x.shape().empty() || p.shape()[0] != x.shape().back())
    shape_error(op, x.shape(), p.shape(), "(x, gain) need x [.., D] and gain [D]");
}
}  // namespace

Var layer_norm(const Var& x, const Var& gamma, const Var& beta, float eps) {
  // y = x̂·γ + β,  x̂ = (x − μ)·r,  r = 1/√(σ² + ε), statistics over the last axis (biased σ²).
  check_affine("layer_norm", x, gamma);
  check_affine("layer_norm", x, beta);
  auto X = x.value().mat();
  int64_t rows = X.rows();
  Tensor xhat = Tensor::uninitialized(x.shape()), y = Tensor::uninitialized(x.shape());
  std::vector<float> rstd(static_cast<size_t>(rows));
  auto XH = xhat.mat();
  auto Y = y.mat();
  auto g = gamma.value().vec().transpose().array();
  auto b = beta.value().vec().transpose().array();
#pragma omp parallel for if (x.numel() > (1 << 15))
  for (int64_t r = 0; r < rows; ++r) {
    float mu = X.row(r).mean();
    float var = (X.row(r).array() - mu).square().mean();
    rstd[r] = 1.0f / std::sqrt(var + eps);
    XH.row(r) = (X.row(r).array() - mu) * rstd[r];
    Y.row(r) = XH.row(r).array() * g + b;
  }
  return make_result(std::move(y), {x, gamma, beta}, [x, gamma, beta, xhat, rstd](Node& self) {
    // dx = r·(dx̂ − mean(dx̂) − x̂·mean(dx̂ ⊙ x̂)),  dx̂ = dy ⊙ γ;  dγ = Σ dy ⊙ x̂;  dβ = Σ dy
    auto dY = self.grad.mat();
    auto XH = xhat.mat();
    if (x.requires_grad()) {
      auto [G, fresh] = grad_target(*x.node());
      MatMap dX(G, dY.rows(), dY.cols());
      auto g = gamma.value().vec().transpose().array();
#pragma omp parallel for if (self.grad.numel() > (1 << 15))
      for (int64_t r = 0; r < dY.rows(); ++r) {
        Eigen::ArrayXf dxh = (dY.row(r).array() * g).transpose();
        float m1 = dxh.mean();
        float m2 = (dxh * XH.row(r).array().transpose()).mean();
        auto dx = rstd[r] * (dxh - m1 - XH.row(r).array().transpose() * m2).transpose();
        if (fresh) dX.row(r).array() = dx;
        else dX.row(r).array() += dx;
      }
    }
    if (gamma.requires_grad()) grad_buffer(*gamma.node()).vec() += (dY.array() * XH.array()).colwise().sum().transpose().matrix();
    if (beta.requires_grad()) grad_buffer(*beta.node()).vec() += dY.colwise().sum().transpose();
  });
}

Var rms_norm(const Var& x, const Var& gamma, float eps) {
  // y = x·r·γ,  r = 1/√(mean(x²) + ε)
  check_affine("rms_norm", x, gamma);
  auto X = x.value().mat();
  int64_t rows = X.rows();
  Tensor y = Tensor::uninitialized(x.shape());
  std::vector<float> rinv(static_cast<size_t>(rows));
  auto Y = y.mat();
  auto g = gamma.value().vec().transpose().array();
#pragma omp parallel for if (x.numel() > (1 << 15))
  for (int64_t r = 0; r < rows; ++r) {
    rinv[r] = 1.0f / std::sqrt(X.row(r).squaredNorm() / static_cast<float>(X.cols()) + eps);
    Y.row(r) = X.row(r).array() * rinv[r] * g;
  }
  return make_result(std::move(y), {x, gamma}, [x, gamma, rinv](Node& self) {
    // dx = r·(dy⊙γ) − x·r³·mean(dy⊙γ⊙x);  dγ = Σ_rows dy ⊙ x·r
    auto dY = self.grad.mat();
    auto X = x.value().mat();
    auto g = gamma.value().vec().transpose().array();
    if (x.requires_grad()) {
      auto [G, fresh] = grad_target(*x.node());
      MatMap dX(G, dY.rows(), dY.cols());
#pragma omp parallel for if (self.grad.numel() > (1 << 15))
      for (int64_t r = 0; r < dY.rows(); ++r) {
        float r1 = rinv[r];
        float m = (dY.row(r).array() * g * X.row(r).array()).mean();
        auto dx = r1 * dY.row(r).array() * g - X.row(r).array() * (r1 * r1 * r1 * m);
        if (fresh) dX.row(r).array() = dx;
        else dX.row(r).array() += dx;
      }
    }
    if (gamma.requires_grad()) {
      Eigen::ArrayXf dg = Eigen::ArrayXf::Zero(X.cols());
      for (int64_t r = 0; r < dY.rows(); ++r) dg += (dY.row(r).array() * X.row(r).array()).transpose() * rinv[r];
      grad_buffer(*gamma.node()).vec().array() += dg;
    }
  });
}

Tensor dropout_mask(const Shape& shape, float p, Rng& rng) {
  if (p < 0.0f || p >= 1.0f) throw std::invalid_argument("dropout: p must be in [0, 1), got " + std::to_string(p));
  Tensor mask = Tensor::uninitialized(shape);
  const float keep_scale = 1.0f / (1.0f - p);
  float* m = mask.data();
  // Row by row along the first axis, so that data-parallel ranks draw their rows' masks (Rng::RowSlice).
  const int64_t rows = shape.empty() ? 1 : shape[0];
  const int64_t per_row = shape.empty() ? 1 : shape_numel(Shape(shape.begin() + 1, shape.end()));
  rng.fill_uniform_rows(m, rows, per_row);
  for (int64_t i = 0; i < mask.numel(); ++i) m[i] = m[i] >= p ? keep_scale : 0.0f;
  return mask;
}

Var dropout(const Var& x, float p, Rng& rng, bool training) {
  if (p < 0.0f || p >= 1.0f) throw std::invalid_argument("dropout: p must be in [0, 1), got " + std::to_string(p));
  if (!training || p == 0.0f) return x;
  // y = x·m/(1−p) with m ~ Bernoulli(1−p);  dx = dy·m/(1−p)
  Tensor mask = dropout_mask(x.shape(), p, rng);
  Tensor y = Tensor::uninitialized(x.shape());
  y.vec() = x.value().vec().cwiseProduct(mask.vec());
  return make_result(std::move(y), {x}, [x, mask](Node& self) {
    grad_buffer(*x.node()).vec() += self.grad.vec().cwiseProduct(mask.vec());
  });
}

}  // namespace llactr

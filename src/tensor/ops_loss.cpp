// Losses and similarities, each with its gradient written beside it.
#include <cmath>

#include "llactr/tensor/ops.h"

namespace llactr {

Var bce_with_logits(const Var& logits, const Tensor& targets) {
  // ℓ(z, t) = max(z, 0) − z·t + log(1 + e^{−|z|})   (= −t·log σ(z) − (1−t)·log(1−σ(z)), stably)
  // ∂ℓ/∂z = σ(z) − t
  if (logits.shape() != targets.shape()) shape_error("bce_with_logits", logits.shape(), targets.shape(), "(logits, targets) differ");
  int64_t n = logits.numel();
  if (n == 0) throw std::invalid_argument("bce_with_logits: empty batch");
  const float* Z = logits.value().data();
  const float* T = targets.data();
  double total = 0.0;
  for (int64_t i = 0; i < n; ++i) total += std::max(Z[i], 0.0f) - Z[i] * T[i] + std::log1p(std::exp(-std::abs(Z[i])));
  return make_result(Tensor::scalar(static_cast<float>(total / n)), {logits}, [logits, targets, n](Node& self) {
    float* G = grad_buffer(*logits.node()).data();
    const float* Z = logits.value().data();
    const float* T = targets.data();
    float s = self.grad[0] / static_cast<float>(n);
    for (int64_t i = 0; i < n; ++i) G[i] += s * (1.0f / (1.0f + std::exp(-Z[i])) - T[i]);
  });
}

Var kl_div(const Var& log_p, const Var& target) {
  // L = Σ t·(log t − log p) / B, B = log_p.dim(0);  ∂L/∂log p = −t/B;  ∂L/∂t = (log t + 1 − log p)/B
  // Terms with t = 0 contribute 0 and get gradient 0 (the limit of t·log t).
  if (log_p.shape() != target.shape()) shape_error("kl_div", log_p.shape(), target.shape(), "(log_p, target) differ");
  if (log_p.shape().empty() || log_p.dim(0) == 0) throw std::invalid_argument("kl_div: need a batch dimension");
  int64_t n = log_p.numel();
  float inv_b = 1.0f / static_cast<float>(log_p.dim(0));
  const float* LP = log_p.value().data();
  const float* T = target.value().data();
  double total = 0.0;
  for (int64_t i = 0; i < n; ++i)
    if (T[i] > 0.0f) total += T[i] * (std::log(T[i]) - LP[i]);
  return make_result(Tensor::scalar(static_cast<float>(total * inv_b)), {log_p, target}, [log_p, target, n, inv_b](Node& self) {
    const float* LP = log_p.value().data();
    const float* T = target.value().data();
    float s = self.grad[0] * inv_b;
    if (log_p.requires_grad()) {
      float* G = grad_buffer(*log_p.node()).data();
      for (int64_t i = 0; i < n; ++i) G[i] -= s * T[i];
    }
    if (target.requires_grad()) {
      float* G = grad_buffer(*target.node()).data();
      for (int64_t i = 0; i < n; ++i)
        if (T[i] > 0.0f) G[i] += s * (std::log(T[i]) + 1.0f - LP[i]);
    }
  });
}

Var l2_normalize(const Var& x, float eps) {
  // y = x / n, n = max(‖x‖, ε);  dx = (dy − y·(y·dy)) / n when ‖x‖ > ε, else dy / ε
  auto X = x.value().mat();
  Tensor y(x.shape());
  auto Y = y.mat();
  std::vector<float> norm(static_cast<size_t>(X.rows()));
  for (int64_t r = 0; r < X.rows(); ++r) {
    norm[r] = std::max(X.row(r).norm(), eps);
    Y.row(r) = X.row(r) / norm[r];
  }
  return make_result(std::move(y), {x}, [x, norm, eps](Node& self) {
    auto Y = self.value.mat();
    auto dY = self.grad.mat();
    auto dX = grad_buffer(*x.node()).mat();
    for (int64_t r = 0; r < Y.rows(); ++r) {
      if (norm[r] > eps) dX.row(r) += (dY.row(r) - Y.row(r) * Y.row(r).dot(dY.row(r))) / norm[r];
      else dX.row(r) += dY.row(r) / eps;
    }
  });
}

Var cosine_similarity(const Var& a, const Var& b, float eps) {
  // cos = (a/max(‖a‖,ε)) · (b/max(‖b‖,ε)), as PyTorch: the dot of the two normalised vectors.
  if (a.shape() != b.shape() || a.shape().empty()) shape_error("cosine_similarity", a.shape(), b.shape(), "need equal shapes [.., D]");
  Shape out_shape(a.shape().begin(), a.shape().end() - 1);
  Var prod = mul(l2_normalize(a, eps), l2_normalize(b, eps));
  return reshape(sum(prod, -1), out_shape);
}

Var cross_entropy(const Var& logits, const std::vector<int32_t>& targets) {
  // ℓ = −log softmax(z)[t];  ∂ℓ/∂z = softmax(z) − onehot(t); averaged over rows with t ≥ 0.
  const Shape& s = logits.shape();
  if (s.size() != 2 || static_cast<int64_t>(targets.size()) != s[0])
    shape_error("cross_entropy", s, {static_cast<int64_t>(targets.size())}, "(logits, targets) need [M, C] and M targets");
  int64_t C = s[1];
  Tensor probs(s);
  auto Z = logits.value().mat();
  auto P = probs.mat();
  double total = 0.0;
  int64_t counted = 0;
  for (int64_t r = 0; r < s[0]; ++r) {
    int32_t t = targets[r];
    if (t >= C) throw std::invalid_argument("cross_entropy: target " + std::to_string(t) + " in row " + std::to_string(r) + " is not below " + std::to_string(C) + " classes");
    float m = Z.row(r).maxCoeff();
    P.row(r) = (Z.row(r).array() - m).exp();
    float z = P.row(r).sum();
    P.row(r) /= z;
    if (t < 0) continue;
    total += -(Z(r, t) - m - std::log(z));
    ++counted;
  }
  float inv = counted ? 1.0f / static_cast<float>(counted) : 0.0f;
  return make_result(Tensor::scalar(static_cast<float>(total * inv)), {logits}, [logits, targets, probs, inv](Node& self) {
    auto G = grad_buffer(*logits.node()).mat();
    auto P = probs.mat();
    float s = self.grad[0] * inv;
    for (int64_t r = 0; r < P.rows(); ++r) {
      if (targets[r] < 0) continue;
      G.row(r) += s * P.row(r);
      G(r, targets[r]) -= s;
    }
  });
}

Var mse(const Var& a, const Var& b) {
  // L = mean((a − b)²);  ∂L/∂a = 2(a − b)/n = −∂L/∂b
  if (a.shape() != b.shape()) shape_error("mse", a.shape(), b.shape(), "differ");
  return mean_all(square(sub(a, b)));
}

}  // namespace llactr

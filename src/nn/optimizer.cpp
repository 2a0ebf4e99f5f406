#include "llactr/nn/optimizer.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace llactr {

namespace {
void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument(what);
}
}  // namespace

Optimizer::Optimizer(std::vector<Var> params, float lr, SparseUpdate sparse)
    : params_(std::move(params)), lr_(lr), sparse_(sparse) {
  for (size_t i = 0; i < params_.size(); ++i) {
    require(bool(params_[i]), "optimizer: parameter " + std::to_string(i) + " is an empty Var");
    require(params_[i].requires_grad(),
            "optimizer: parameter " + std::to_string(i) + " '" + params_[i].name() + "' does not require grad");
  }
  set_lr(lr);
}

void Optimizer::set_lr(float lr) {
  require(lr >= 0.0f && std::isfinite(lr), "optimizer: learning rate must be finite and >= 0, got " + std::to_string(lr));
  lr_ = lr;
}

// ---- SGD

Sgd::Sgd(std::vector<Var> params, SgdOptions opt) : Optimizer(std::move(params), opt.lr, opt.sparse), opt_(opt) {
  require(opt.momentum >= 0.0f, "Sgd: momentum must be >= 0");
  require(opt.weight_decay >= 0.0f, "Sgd: weight_decay must be >= 0");
  momentum_.resize(params_.size());
  if (opt.momentum > 0.0f)
    for (size_t i = 0; i < params_.size(); ++i) momentum_[i].assign(static_cast<size_t>(params_[i].numel()), 0.0f);
}

void Sgd::step() {
  const float lr = lr_, mu = opt_.momentum, wd = opt_.weight_decay;
  for (size_t i = 0; i < params_.size(); ++i) {
    Node& n = *params_[i].node();
    if (n.grad.empty()) continue;
    float* P = n.value.data();
    const float* G = n.grad.data();
    float* B = momentum_[i].data();
    for_each_range(i, [&](int64_t begin, int64_t end) {
      for (int64_t j = begin; j < end; ++j) {
        float d = G[j] + wd * P[j];
        // A zero-initialised buffer makes the first step buf = g, as PyTorch's clone.
        if (mu > 0.0f) d = B[j] = mu * B[j] + d;
        P[j] -= lr * d;
      }
    });
  }
}

// ---- Adam and AdamW

Adam::Adam(std::vector<Var> params, AdamOptions opt) : Adam(std::move(params), opt, false) {}

Adam::Adam(std::vector<Var> params, AdamOptions opt, bool decoupled)
    : Optimizer(std::move(params), opt.lr, opt.sparse), opt_(opt), decoupled_(decoupled) {
  require(opt.beta1 >= 0.0f && opt.beta1 < 1.0f, "Adam: beta1 must be in [0, 1)");
  require(opt.beta2 >= 0.0f && opt.beta2 < 1.0f, "Adam: beta2 must be in [0, 1)");
  require(opt.eps >= 0.0f, "Adam: eps must be >= 0");
  require(opt.weight_decay >= 0.0f, "Adam: weight_decay must be >= 0");
  steps_.assign(params_.size(), 0);
  m_.resize(params_.size());
  v_.resize(params_.size());
  for (size_t i = 0; i < params_.size(); ++i) {
    m_[i].assign(static_cast<size_t>(params_[i].numel()), 0.0f);
    v_[i].assign(static_cast<size_t>(params_[i].numel()), 0.0f);
  }
}

void Adam::step() {
  const float lr = lr_, b1 = opt_.beta1, b2 = opt_.beta2, eps = opt_.eps, wd = opt_.weight_decay;
  const bool decoupled = decoupled_;
  for (size_t i = 0; i < params_.size(); ++i) {
    Node& n = *params_[i].node();
    if (n.grad.empty()) continue;
    const int64_t t = ++steps_[i];
    // Bias corrections in double: 1 - 0.999^t loses digits in float for small t.
    const float step_size = static_cast<float>(lr / (1.0 - std::pow(double(b1), double(t))));
    const float bc2_sqrt = static_cast<float>(std::sqrt(1.0 - std::pow(double(b2), double(t))));
    const float shrink = 1.0f - lr * wd;  // AdamW's decoupled decay factor
    float* P = n.value.data();
    const float* G = n.grad.data();
    float* M = m_[i].data();
    float* V = v_[i].data();
    for_each_range(i, [&](int64_t begin, int64_t end) {
      for (int64_t j = begin; j < end; ++j) {
        float g = G[j];
        if (decoupled)
          P[j] *= shrink;
        else
          g += wd * P[j];
        M[j] = b1 * M[j] + (1.0f - b1) * g;
        V[j] = b2 * V[j] + (1.0f - b2) * g * g;
        P[j] -= step_size * M[j] / (std::sqrt(V[j]) / bc2_sqrt + eps);
      }
    });
  }
}

}  // namespace llactr

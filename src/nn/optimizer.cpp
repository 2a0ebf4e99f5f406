#include "llactr/nn/optimizer.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace llactr {

namespace {
void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument(what);
}

// The update loops are free functions over restrict pointers with their constants as value
// parameters: inside a [&] lambda, a store to P[j] might alias a captured float such as beta1,
// which kept GCC from vectorising them. (Adam's √ also needs -fno-math-errno, in the Makefile.)

// SGD on P[0, n): d = g + wd·p; with momentum buf = mu·buf + d (a zero buffer makes the first
// step buf = g, as PyTorch's clone), d = buf; p -= lr·d.
void sgd_update(float* __restrict P, const float* __restrict G, float* __restrict B, int64_t n, float lr, float mu,
                float wd) {
  if (mu > 0.0f) {
    for (int64_t j = 0; j < n; ++j) {
      B[j] = mu * B[j] + (G[j] + wd * P[j]);
      P[j] -= lr * B[j];
    }
  } else {
    for (int64_t j = 0; j < n; ++j) P[j] -= lr * (G[j] + wd * P[j]);
  }
}

// Adam on P[0, n). Coupled L2 adds wd·p to g (Adam); decoupled shrinks p by 1 - lr·wd (AdamW).
//   m = b1·m + (1 - b1)·g,  v = b2·v + (1 - b2)·g²,  p -= step_size · m / (√v / √(1 - b2^t) + eps)
void adam_update(float* __restrict P, const float* __restrict G, float* __restrict M, float* __restrict V, int64_t n,
                 float b1, float b2, float eps, float wd, bool decoupled, float shrink, float step_size,
                 float bc2_sqrt) {
  if (decoupled)
    for (int64_t j = 0; j < n; ++j) P[j] *= shrink;
  const float coupled_wd = decoupled ? 0.0f : wd;
  for (int64_t j = 0; j < n; ++j) {
    const float g = G[j] + coupled_wd * P[j];
    M[j] = b1 * M[j] + (1.0f - b1) * g;
    V[j] = b2 * V[j] + (1.0f - b2) * g * g;
    P[j] -= step_size * M[j] / (std::sqrt(V[j]) / bc2_sqrt + eps);
  }
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
      sgd_update(P + begin, G + begin, B ? B + begin : nullptr, end - begin, lr, mu, wd);
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
  weight_decay_.assign(params_.size(), opt.weight_decay);
  m_.resize(params_.size());
  v_.resize(params_.size());
  for (size_t i = 0; i < params_.size(); ++i) {
    m_[i].assign(static_cast<size_t>(params_[i].numel()), 0.0f);
    v_[i].assign(static_cast<size_t>(params_[i].numel()), 0.0f);
  }
}

void Adam::step() {
  const float lr = lr_, b1 = opt_.beta1, b2 = opt_.beta2, eps = opt_.eps;
  const bool decoupled = decoupled_;
  for (size_t i = 0; i < params_.size(); ++i) {
    Node& n = *params_[i].node();
    if (n.grad.empty()) continue;
    const float wd = weight_decay_[i];
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
      adam_update(P + begin, G + begin, M + begin, V + begin, end - begin, b1, b2, eps, wd, decoupled, shrink, step_size,
                  bc2_sqrt);
    });
  }
}

void Adam::set_weight_decay(size_t i, float wd) {
  require(i < params_.size(), "Adam::set_weight_decay: no parameter " + std::to_string(i));
  require(wd >= 0.0f, "Adam: weight_decay must be >= 0");
  weight_decay_[i] = wd;
}

Adam::ParamState Adam::state(size_t i) const { return {steps_.at(i), m_.at(i), v_.at(i)}; }

void Adam::restore(size_t i, ParamState s) {
  require(i < params_.size(), "Adam::restore: no parameter " + std::to_string(i));
  require(s.m.size() == m_[i].size() && s.v.size() == v_[i].size() && s.steps >= 0,
          "Adam::restore: parameter " + std::to_string(i) + " '" + params_[i].name() + "' has " +
              std::to_string(m_[i].size()) + " elements, the saved moments " + std::to_string(s.m.size()));
  steps_[i] = s.steps;
  m_[i] = std::move(s.m);
  v_[i] = std::move(s.v);
}

}  // namespace llactr

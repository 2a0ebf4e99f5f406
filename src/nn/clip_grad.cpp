#include "llactr/nn/clip_grad.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace llactr {

namespace {
// Calls f(ptr, count) on each block of a gradient that can be non-zero.
template <class F>
void for_each_grad_block(Node& n, F&& f) {
  if (n.sparse_rows) {
    const int64_t D = n.value.numel() / n.value.dim(0);
    for (int32_t r : n.touched_rows) f(n.grad.data() + r * D, D);
  } else {
    f(n.grad.data(), n.grad.numel());
  }
}
}  // namespace

float clip_grad_norm(const std::vector<Var>& params, float max_norm) {
  if (!(max_norm > 0.0f)) throw std::invalid_argument("clip_grad_norm: max_norm must be > 0, got " + std::to_string(max_norm));
  double sq = 0.0;
  for (const Var& p : params) {
    if (!p.has_grad()) continue;
    for_each_grad_block(*p.node(), [&](const float* g, int64_t n) {
      for (int64_t j = 0; j < n; ++j) sq += double(g[j]) * double(g[j]);
    });
  }
  const double norm = std::sqrt(sq);
  if (!std::isfinite(norm)) return static_cast<float>(norm);
  const double coef = double(max_norm) / (norm + 1e-6);
  if (coef < 1.0) {
    const float c = static_cast<float>(coef);
    for (const Var& p : params) {
      if (!p.has_grad()) continue;
      for_each_grad_block(*p.node(), [&](float* g, int64_t n) {
        for (int64_t j = 0; j < n; ++j) g[j] *= c;
      });
    }
  }
  return static_cast<float>(norm);
}

}  // namespace llactr

#include "llactr/nn/init.h"

#include <cmath>
#include <stdexcept>

namespace llactr::init {

Fans fans(const Tensor& w) {
  if (w.rank() < 2) throw std::invalid_argument("init: fan in/out need a weight of rank >= 2, got " + shape_str(w.shape()));
  int64_t receptive = 1;
  for (int a = 2; a < w.rank(); ++a) receptive *= w.dim(a);
  return {w.dim(1) * receptive, w.dim(0) * receptive};
}

void uniform(Tensor& t, Rng& rng, float lo, float hi) {
  if (!(lo <= hi)) throw std::invalid_argument("init::uniform: need lo <= hi");
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = rng.uniform(lo, hi);
}

void normal(Tensor& t, Rng& rng, float std, float mean) {
  if (!(std >= 0.0f)) throw std::invalid_argument("init::normal: need std >= 0");
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = rng.normal(mean, std);
}

void xavier_uniform(Tensor& w, Rng& rng, float gain) {
  Fans f = fans(w);
  float a = gain * static_cast<float>(std::sqrt(6.0 / double(f.in + f.out)));
  uniform(w, rng, -a, a);
}

void xavier_normal(Tensor& w, Rng& rng, float gain) {
  Fans f = fans(w);
  normal(w, rng, gain * static_cast<float>(std::sqrt(2.0 / double(f.in + f.out))));
}

void torch_linear(Tensor& W, Tensor& b, Rng& rng) {
  Fans f = fans(W);
  // kaiming_uniform(a): bound = gain·√(3 / fan_in) with gain = √(2 / (1 + a²)); a = √5 gives 1/√fan_in.
  // An empty weight (fan_in = 0) gets bound 0, as PyTorch's bias init.
  float bound = f.in > 0 ? static_cast<float>(1.0 / std::sqrt(double(f.in))) : 0.0f;
  uniform(W, rng, -bound, bound);
  if (b.empty()) return;
  if (b.numel() != f.out) shape_error("init::torch_linear", W.shape(), b.shape(), "(W, b): b must have W.dim(0) elements");
  uniform(b, rng, -bound, bound);
}

}  // namespace llactr::init

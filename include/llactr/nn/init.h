// Parameter initialisers, as torch.nn.init. Each fills a tensor in place from an Rng, drawing
// one number per element in element order, so the same seed gives the same values.
//
// Fans follow PyTorch for a weight stored [out, in, k...]: fan_in = in·k..., fan_out = out·k...
// (so a Linear weight W: [out, in] has fan_in = in). Tensors of rank < 2 have no fans and throw
// std::invalid_argument in the functions that need them.
//
//   Rng rng(seed);
//   Var W = parameter(Tensor({out, in}), "W"), b = parameter(Tensor({out}), "b");
//   init::torch_linear(W.value(), b.value(), rng);
#pragma once
#include <cstdint>

#include "llactr/tensor/rng.h"
#include "llactr/tensor/tensor.h"

namespace llactr::init {

struct Fans {
  int64_t in, out;
};
Fans fans(const Tensor& w);

void uniform(Tensor& t, Rng& rng, float lo, float hi);   // U[lo, hi)
void normal(Tensor& t, Rng& rng, float std, float mean = 0.0f);

// U(-a, a) with a = gain·sqrt(6 / (fan_in + fan_out)).
void xavier_uniform(Tensor& w, Rng& rng, float gain = 1.0f);
// N(0, std²) with std = gain·sqrt(2 / (fan_in + fan_out)).
void xavier_normal(Tensor& w, Rng& rng, float gain = 1.0f);

// PyTorch's nn.Linear.reset_parameters: W ~ kaiming_uniform(a = √5), which works out to
// U(-1/√fan_in, 1/√fan_in), then b ~ U(-1/√fan_in, 1/√fan_in) with W's fan_in.
// W is drawn first, then b. Pass an empty Tensor for b when there is no bias.
void torch_linear(Tensor& W, Tensor& b, Rng& rng);

}  // namespace llactr::init

#include "llactr/nn/linear.h"

#include "llactr/nn/init.h"
#include "llactr/tensor/ops.h"

namespace llactr {

Linear::Linear(int64_t in, int64_t out, Rng& rng, const std::string& name, bool bias) {
  W = parameter(Tensor({out, in}), name + ".W");
  init::xavier_normal(W.value(), rng);
  if (bias) b = parameter(Tensor({out}, 0.0f), name + ".b");
}

Var Linear::forward(const Var& x) const { return linear(x, W, b); }

std::vector<Var> Linear::parameters() const {
  if (b) return {W, b};
  return {W};
}

}  // namespace llactr

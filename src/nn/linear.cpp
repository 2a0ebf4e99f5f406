#include "llactr/nn/linear.h"

#include "llactr/nn/init.h"
#include "llactr/tensor/ops.h"

namespace llactr {

Linear::Linear(int64_t in, int64_t out, Rng& rng, const std::string& name, bool bias, LinearInit how) {
  W = parameter(Tensor({out, in}), name + ".W");
  if (bias) b = parameter(Tensor({out}, 0.0f), name + ".b");
  if (how == LinearInit::Torch) {
    Tensor none;
    init::torch_linear(W.value(), bias ? b.value() : none, rng);
  } else {
    init::xavier_normal(W.value(), rng);
  }
}

Var Linear::forward(const Var& x) const { return linear(x, W, b); }

std::vector<Var> Linear::parameters() const {
  if (b) return {W, b};
  return {W};
}

}  // namespace llactr

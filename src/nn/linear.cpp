#include "llactr/nn/linear.h"

#include "llactr/nn/init.h"
#include "llactr/tensor/ops.h"

namespace llactr {

Linear::Linear(int64_t in, int64_t out, Rng& rng, const std::string& name, bool bias) {
  W = parameter(Tensor({out, in}), name + ".W");
  init::xavier_normal(W.value(), rng);
  if (bias) b = parameter(Tensor({out}, 0.0f), name + ".b");
}

// The bias is added by a broadcasting add rather than inside linear(): linear's bias gradient
// is an Eigen column sum whose rounding depends on the heap alignment of the data, while add
// reduces the stretched operand in a fixed serial order, so runs repeat bit for bit.
Var Linear::forward(const Var& x) const { return b ? add(linear(x, W), b) : linear(x, W); }

std::vector<Var> Linear::parameters() const {
  if (b) return {W, b};
  return {W};
}

}  // namespace llactr

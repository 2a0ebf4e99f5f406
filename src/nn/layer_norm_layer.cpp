#include "llactr/nn/layer_norm_layer.h"

#include "llactr/tensor/ops.h"

namespace llactr {

LayerNorm::LayerNorm(int64_t dim, const std::string& name)
    : gamma(parameter(Tensor({dim}, 1.0f), name + ".gamma")), beta(parameter(Tensor({dim}, 0.0f), name + ".beta")) {}

Var LayerNorm::forward(const Var& x) const { return layer_norm(x, gamma, beta); }

}  // namespace llactr

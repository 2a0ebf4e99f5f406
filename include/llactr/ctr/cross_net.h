// The full-rank cross network: each layer crosses the input with the current vector elementwise
// (Wang et al., WWW 2021; FuxiCTR's CrossNetV2, full-rank, no mixture of experts):
//   x_{l+1} = x_0 ⊙ (W_l x_l + b_l) + x_l,     W_l: [F, F], b_l: [F],  F = N·D
#pragma once
#include <string>
#include <vector>

#include "llactr/nn/linear.h"

namespace llactr {

struct CrossNetwork {
  std::vector<Linear> layers;  // each F -> F, Xavier normal W, zero b

  CrossNetwork() = default;
  CrossNetwork(int64_t dim, int num_layers, Rng& rng, const std::string& name);
  Var forward(const Var& x0) const;  // x0: [B, F] -> [B, F]
  std::vector<Var> parameters() const;
};

}  // namespace llactr

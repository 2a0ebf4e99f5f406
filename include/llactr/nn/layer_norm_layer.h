// Layer normalisation over the last axis with a learned gain (ones) and bias (zeros), as nn.LayerNorm.
#pragma once
#include <string>
#include <vector>

#include "llactr/tensor/autograd.h"

namespace llactr {

struct LayerNorm {
  Var gamma, beta;  // [D]

  LayerNorm() = default;
  LayerNorm(int64_t dim, const std::string& name);
  Var forward(const Var& x) const;  // x: [.., D] -> [.., D]
  std::vector<Var> parameters() const { return {gamma, beta}; }
};

}  // namespace llactr

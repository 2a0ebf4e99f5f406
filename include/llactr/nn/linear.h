// A fully connected layer y = x·Wᵀ + b, initialised as FuxiCTR does (Xavier normal W, zero b).
#pragma once
#include <string>
#include <vector>

#include "llactr/tensor/autograd.h"

namespace llactr {

class Rng;

struct Linear {
  Var W;  // [out, in]
  Var b;  // [out]; an empty Var when the layer has no bias

  Linear() = default;
  Linear(int64_t in, int64_t out, Rng& rng, const std::string& name, bool bias = true);

  Var forward(const Var& x) const;  // x: [.., in] -> [.., out]
  std::vector<Var> parameters() const;
  int64_t in_dim() const { return W.dim(1); }
  int64_t out_dim() const { return W.dim(0); }
};

}  // namespace llactr

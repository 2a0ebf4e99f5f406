// A fully connected layer y = x·Wᵀ + b, initialised as FuxiCTR does (Xavier normal W, zero b)
// or as torch.nn.Linear does by itself (W and b uniform in ±1/√in).
#pragma once
#include <string>
#include <vector>

#include "llactr/tensor/autograd.h"

namespace llactr {

class Rng;

enum class LinearInit {
  XavierNormal,  // FuxiCTR's init_weights: Xavier normal W, zero b
  Torch,         // torch.nn.Linear's reset_parameters: W, then b, uniform in ±1/√in
};

struct Linear {
  Var W;  // [out, in]
  Var b;  // [out]; an empty Var when the layer has no bias

  Linear() = default;
  Linear(int64_t in, int64_t out, Rng& rng, const std::string& name, bool bias = true,
         LinearInit init = LinearInit::XavierNormal);

  Var forward(const Var& x) const;  // x: [.., in] -> [.., out]
  std::vector<Var> parameters() const;
  int64_t in_dim() const { return W.dim(1); }
  int64_t out_dim() const { return W.dim(0); }
};

}  // namespace llactr

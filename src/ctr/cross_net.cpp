#include "llactr/ctr/cross_net.h"

#include "llactr/tensor/ops.h"

namespace llactr {

CrossNetwork::CrossNetwork(int64_t dim, int num_layers, Rng& rng, const std::string& name) {
  for (int l = 0; l < num_layers; ++l) layers.emplace_back(dim, dim, rng, name + "." + std::to_string(l));
}

Var CrossNetwork::forward(const Var& x0) const {
  Var x = x0;
  for (const Linear& l : layers) x = add(mul(x0, l.forward(x)), x);  // x0 ⊙ (W x + b) + x
  return x;
}

std::vector<Var> CrossNetwork::parameters() const {
  std::vector<Var> ps;
  for (const Linear& l : layers) ps.insert(ps.end(), {l.W, l.b});
  return ps;
}

}  // namespace llactr

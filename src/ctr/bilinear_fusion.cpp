#include "llactr/ctr/bilinear_fusion.h"

#include <stdexcept>
#include <string>

#include "llactr/ctr/interactions.h"
#include "llactr/nn/init.h"
#include "llactr/tensor/ops.h"

namespace llactr {

BilinearFusion::BilinearFusion(int64_t dx, int64_t dy, int heads, Rng& rng, LinearInit init) {
  if (heads < 1 || dx % heads || dy % heads)
    throw std::invalid_argument("BilinearFusion: " + std::to_string(heads) + " heads do not divide the widths " +
                                std::to_string(dx) + " and " + std::to_string(dy));
  wx = Linear(dx, 1, rng, "fusion.wx", true, init);
  wy = Linear(dy, 1, rng, "fusion.wy", true, init);
  Tensor w({heads * (dx / heads) * (dy / heads), 1});
  init::xavier_normal(w, rng);
  w.reshape_inplace({heads, dx / heads, dy / heads});
  wxy = parameter(std::move(w), "fusion.wxy");
}

Var BilinearFusion::forward(const Var& x, const Var& y) const {
  // First-order terms [B, 1] -> [B], then Σ_h x_hᵀ W_h y_h as one fused op.
  Var first = reshape(add(wx.forward(x), wy.forward(y)), {x.dim(0)});
  return add(first, bilinear_heads(x, y, wxy));
}

std::vector<Var> BilinearFusion::parameters() const { return {wx.W, wx.b, wy.W, wy.b, wxy}; }

}  // namespace llactr

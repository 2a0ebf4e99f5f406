// Multi-head bilinear fusion of two streams' outputs into one logit (Mao et al., AAAI 2023;
// FuxiCTR's InteractionAggregation): first-order terms of each stream plus, per head h,
// the bilinear form x_hᵀ W_h y_h of the heads' slices.
//   y = w_xᵀx + b_x + w_yᵀy + b_y + Σ_h x_hᵀ W_h y_h     x: [B, dx], y: [B, dy] -> [B]
// Separate from the model that uses it so that bench/ can time it.
#pragma once
#include <vector>

#include "llactr/nn/linear.h"

namespace llactr {

struct BilinearFusion {
  Linear wx, wy;  // dx -> 1, dy -> 1
  Var wxy;        // [H, dx/H, dy/H]: FuxiCTR's w_xy [H·dx/H·dy/H, 1], Xavier normal

  BilinearFusion() = default;
  // Throws std::invalid_argument unless heads divides both dx and dy.
  BilinearFusion(int64_t dx, int64_t dy, int heads, Rng& rng, LinearInit init = LinearInit::XavierNormal);
  Var forward(const Var& x, const Var& y) const;  // x: [B, dx], y: [B, dy] -> [B]
  std::vector<Var> parameters() const;
};

}  // namespace llactr

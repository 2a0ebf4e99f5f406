// FinalMLP's two building blocks (Mao et al., AAAI 2023), as FuxiCTR's model_zoo/FinalMLP with
// no context features. Separate from the model so that bench/ can time each on its own.
//
//   feature selection:  g_k = 2·σ(MLP_fs_k(c_k)),  c_k a learned [1, D] vector (zeros at start)
//                       x̃_k = vec(E) ⊙ g_k                          k = 1, 2
//   bilinear fusion:    y = w_xᵀx + b_x + w_yᵀy + b_y + Σ_heads x_hᵀ W_h y_h
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "llactr/ctr/backbone.h"
#include "llactr/nn/linear.h"
#include "llactr/nn/mlp.h"

namespace llactr {

struct FeatureSelection {
  Var ctx1, ctx2;    // [1, D]
  Mlp gate1, gate2;  // D -> hidden -> N·D, sigmoid

  FeatureSelection() = default;
  FeatureSelection(int64_t num_fields, int64_t dim, const std::vector<int64_t>& hidden, Rng& rng,
                   LinearInit init = LinearInit::XavierNormal);
  // (g_1, g_2), each [1, N·D]: the gates do not depend on the row, so they are computed once per batch.
  std::pair<Var, Var> gates(const ForwardContext& ctx) const;
  // flat: [B, N·D] -> (x̃_1, x̃_2) = (flat ⊙ g_1, flat ⊙ g_2), each [B, N·D]. The model does not form
  // them: it folds each gate into its stream's first layer (Mlp::forward_scaled).
  std::pair<Var, Var> forward(const Var& flat, const ForwardContext& ctx) const;
  std::vector<Var> parameters() const;  // ctx1, ctx2, gate1's, gate2's
};

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

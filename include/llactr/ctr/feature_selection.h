// Feature-selection gates for a two-stream model (Mao et al., AAAI 2023; FuxiCTR's
// FeatureSelection with no context features): each stream k gets its own view of the
// flattened field embeddings, scaled elementwise by a learned gate in (0, 2).
//   g_k = 2·σ(MLP_k(c_k)),  c_k a learned [1, D] vector (zeros at start)     [1, N·D]
//   x̃_k = vec(E) ⊙ g_k                                                      k = 1, 2
// Separate from the model that uses it so that bench/ can time it.
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
  // flat: [B, N·D] -> (x̃_1, x̃_2) = (flat ⊙ g_1, flat ⊙ g_2), each [B, N·D]. A model may instead
  // fold each gate into its stream's first layer (Mlp::forward_scaled) and not form them.
  std::pair<Var, Var> forward(const Var& flat, const ForwardContext& ctx) const;
  std::vector<Var> parameters() const;  // ctx1, ctx2, gate1's, gate2's
};

}  // namespace llactr

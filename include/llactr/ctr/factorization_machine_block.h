// The factorization machine block: the N×N matrix of the fields' dot products, projected to
// rank k and fed through a normalised MLP (the FMB of Zhang et al., ICML 2024; FuxiCTR's
// FactorizationMachineBlock). Separate from the model that stacks it so that bench/ can time it.
//
// X comes as vec(X) per row, [B, N·D] (a model may keep it flat from layer to layer):
//   F = X Xᵀ P                          [B, N, k]   (P: [N, k] low-rank projection, N(0, 1) init)
//   fmb = ReLU(MLP(LayerNorm(vec F)))   [B, out_dim]
#pragma once
#include <string>
#include <vector>

#include "llactr/ctr/backbone.h"
#include "llactr/nn/layer_norm_layer.h"
#include "llactr/nn/linear.h"
#include "llactr/nn/mlp.h"

namespace llactr {

struct FactorizationMachineBlock {
  Var P;           // [N, k]
  LayerNorm norm;  // over N·k
  Mlp mlp;         // N·k -> hidden -> out_dim

  FactorizationMachineBlock() = default;
  // Draws P, then the MLP (with `init`) from rng.
  FactorizationMachineBlock(int64_t num_fields, int64_t project_dim, const std::vector<int64_t>& hidden,
                            int64_t out_dim, LinearInit init, Rng& rng, const std::string& name);
  Var forward(const Var& X, const ForwardContext& ctx) const;  // X: [B, N·D] -> [B, out_dim]
  std::vector<Var> parameters() const;
};

}  // namespace llactr

// The linear compression block: a linear map of the flattened field embeddings to a narrower
// width, with dropout while training (the LCB of Zhang et al., ICML 2024; FuxiCTR's
// LinearCompressionBlock). Separate from the model that stacks it so that bench/ can time it.
//   lcb = Dropout(W vec X + b)   X: [B, N·D] -> [B, out_dim]
#pragma once
#include <string>
#include <vector>

#include "llactr/ctr/backbone.h"
#include "llactr/nn/linear.h"

namespace llactr {

struct LinearCompressionBlock {
  Linear proj;  // N·D -> out_dim
  float dropout = 0;

  LinearCompressionBlock() = default;
  LinearCompressionBlock(int64_t in_dim, int64_t out_dim, float dropout, LinearInit init, Rng& rng,
                         const std::string& name);
  Var forward(const Var& X, const ForwardContext& ctx) const;  // X: [B, N·D] -> [B, out_dim]
  std::vector<Var> parameters() const { return proj.parameters(); }
};

}  // namespace llactr

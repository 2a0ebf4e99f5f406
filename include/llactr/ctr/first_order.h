// The first-order (linear) term of a CTR model: a weight per feature id, summed over the row's
// fields, plus an optional global bias (FuxiCTR's LR_Layer). The model files say which use it.
#pragma once
#include <string>
#include <vector>

#include "llactr/nn/embedding.h"

namespace llactr {

struct FirstOrder {
  Embedding w;  // [V, 1], N(0, std²) like the embeddings
  Var bias;     // [1] zero, or empty when use_bias is false

  FirstOrder() = default;
  FirstOrder(int64_t vocab, float std, bool use_bias, Rng& rng, const std::string& name);
  // ids: [B, N] -> [B]:  bias + Σ_i w[ids_bi].  When weights is given it receives [B, N].
  Var forward(const int32_t* ids, int64_t B, int64_t N, Var* weights = nullptr) const;
  std::vector<Var> parameters() const;
};

}  // namespace llactr

// The interacting layer: multi-head self-attention over the fields, with a residual connection
// (Song et al., CIKM 2019), as FuxiCTR's MultiHeadSelfAttention with its defaults
// (no scaling of the scores, no layer norm, no dropout on the attention weights):
//   per head h:  Q = X W_q^h, K = X W_k^h, V = X W_v^h           [B, N, d_h]
//                O^h = softmax(Q Kᵀ) V                           [B, N, d_h]
//   out = ReLU([O^1 .. O^H] + X W_res)                           [B, N, A],  A = H·d_h
// W_res is the identity (no parameter) when the input width already equals A.
#pragma once
#include <string>
#include <vector>

#include "llactr/nn/linear.h"

namespace llactr {

struct MultiHeadSelfAttention {
  Linear Wq, Wk, Wv;  // in -> A, no bias; head h uses output columns [h·d_h, (h+1)·d_h)
  Linear Wres;        // in -> A, no bias; absent (empty W) when in == A
  int heads = 1;

  MultiHeadSelfAttention() = default;
  // Throws std::invalid_argument unless heads divides attention_dim.
  MultiHeadSelfAttention(int64_t in, int64_t attention_dim, int heads, Rng& rng, const std::string& name);
  Var forward(const Var& X) const;  // X: [B, N, in] -> [B, N, A]
  int64_t out_dim() const { return Wq.out_dim(); }
  std::vector<Var> parameters() const;
};

}  // namespace llactr

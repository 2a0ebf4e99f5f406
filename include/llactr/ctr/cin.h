// The compressed interaction network: explicit vector-wise feature interactions of bounded
// degree, each layer the Hadamard products of the previous layer's feature maps with the input
// fields, compressed by learned weights (Lian et al., KDD 2018; FuxiCTR's CompressedInteractionNet
// without its final Linear, which the model that uses it owns).
//
// Layer k maps the previous feature maps X^{k-1} [B, M, D] (X^0 = E, M = N at k = 1) to
//   X^k[b, o, :] = Σ_{i<N} Σ_{m<M} W^k[o, i·M + m] · (X^0[b, i, :] ⊙ X^{k-1}[b, m, :]) + b^k[o]
// i.e. FuxiCTR's einsum("bhd,bmd->bhmd") followed by a kernel-1 Conv1d with H_k filters; the
// output is the sum over D of every layer's maps, concatenated: [B, Σ_k H_k].
#pragma once
#include <string>
#include <vector>

#include "llactr/tensor/autograd.h"

namespace llactr {

class Rng;

// One CIN layer as a fused op with a hand-written backward: the [B, N·M, D] outer-product tensor
// (1.6 GB at B = 4096, N = M = 39, D = 64) is never formed. Per row it is one [N·H, M] x [M, D]
// product and a weighted sum over fields; the backward recomputes that product.
// X0: [B, N, D], Xk: [B, M, D], W: [H, N·M], bias: [H] -> [B, H, D]
Var cin_layer(const Var& X0, const Var& Xk, const Var& W, const Var& bias);

struct CompressedInteractionNet {
  std::vector<Var> W;     // layer k: [H_k, N·H_{k-1}], Xavier normal (as the Conv1d weight [H_k, N·H_{k-1}, 1])
  std::vector<Var> bias;  // layer k: [H_k], zeros

  CompressedInteractionNet() = default;
  // Throws std::invalid_argument for no layers or a width < 1.
  CompressedInteractionNet(int64_t num_fields, const std::vector<int64_t>& units, Rng& rng, const std::string& name);
  Var forward(const Var& E) const;  // E: [B, N, D] -> [B, Σ_k H_k]
  int64_t out_dim() const;
  std::vector<Var> parameters() const;  // W_1, b_1, W_2, b_2, ..
};

}  // namespace llactr

#include "llactr/ctr/self_attention.h"

#include <stdexcept>

#include "llactr/tensor/ops.h"

namespace llactr {

MultiHeadSelfAttention::MultiHeadSelfAttention(int64_t in, int64_t attention_dim, int heads_, Rng& rng,
                                               const std::string& name)
    : heads(heads_) {
  if (heads < 1 || attention_dim % heads)
    throw std::invalid_argument(name + ": " + std::to_string(heads) + " heads do not divide attention_dim " +
                                std::to_string(attention_dim));
  Wq = Linear(in, attention_dim, rng, name + ".Wq", false);
  Wk = Linear(in, attention_dim, rng, name + ".Wk", false);
  Wv = Linear(in, attention_dim, rng, name + ".Wv", false);
  if (in != attention_dim) Wres = Linear(in, attention_dim, rng, name + ".Wres", false);
}

Var MultiHeadSelfAttention::forward(const Var& X) const {
  const int64_t dh = out_dim() / heads;
  // Projections for all heads at once.
  Var Q = Wq.forward(X), K = Wk.forward(X), V = Wv.forward(X);  // [B, N, A]
  // Attention per head over the fields.
  std::vector<Var> outs;
  for (int h = 0; h < heads; ++h) {
    Var Qh = slice(Q, 2, h * dh, dh), Kh = slice(K, 2, h * dh, dh), Vh = slice(V, 2, h * dh, dh);  // [B, N, dh]
    Var scores = softmax(bmm(Qh, Kh, false, true));  // [B, N, N]
    outs.push_back(bmm(scores, Vh));                 // [B, N, dh]
  }
  Var O = heads == 1 ? outs[0] : concat(outs, 2);  // [B, N, A]
  // Residual and ReLU.
  return relu(add(O, Wres.W ? Wres.forward(X) : X));
}

std::vector<Var> MultiHeadSelfAttention::parameters() const {
  if (Wres.W) return {Wq.W, Wk.W, Wv.W, Wres.W};
  return {Wq.W, Wk.W, Wv.W};
}

}  // namespace llactr

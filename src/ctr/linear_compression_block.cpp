#include "llactr/ctr/linear_compression_block.h"

#include "llactr/tensor/ops.h"

namespace llactr {

LinearCompressionBlock::LinearCompressionBlock(int64_t in_dim, int64_t out_dim, float dropout_rate, LinearInit init,
                                               Rng& rng, const std::string& name)
    : proj(in_dim, out_dim, rng, name, true, init), dropout(dropout_rate) {}

Var LinearCompressionBlock::forward(const Var& X, const ForwardContext& ctx) const {
  Var c = proj.forward(X);  // [B, out_dim]
  if (ctx.training && dropout > 0) c = llactr::dropout(c, dropout, *ctx.rng, true);
  return c;
}

}  // namespace llactr

#include "llactr/ctr/wukong_layers.h"

#include "llactr/ctr/interactions.h"
#include "llactr/nn/init.h"
#include "llactr/tensor/ops.h"
#include "llactr/tensor/rng.h"

namespace llactr {

FactorizationMachineBlock::FactorizationMachineBlock(const BackboneConfig& c, const WuKongOptions& w, Rng& rng,
                                                     const std::string& name) {
  const int64_t N = c.input_fields(), k = w.project_dim;
  Tensor p({N, k});
  init::normal(p, rng, 1.0f);
  P = parameter(std::move(p), name + ".P");
  norm = LayerNorm(N * k, name + ".norm");
  MlpOptions o;
  o.hidden = w.fmb_units;
  o.output_dim = w.fmb_dim;
  o.init = linear_init(c);
  mlp = Mlp(N * k, o, rng, name + ".mlp");
}

Var FactorizationMachineBlock::forward(const Var& X, const ForwardContext& ctx) const {
  // The N×N interaction matrix X Xᵀ, never formed, projected to rank k: X (Xᵀ P).
  Var F = fmb_interaction(X, P);  // [B, N·k]
  return relu(mlp.forward(norm.forward(F), ctx.training, ctx.rng));  // [B, fmb_dim]
}

std::vector<Var> FactorizationMachineBlock::parameters() const {
  std::vector<Var> ps{P};
  for (const auto& part : {norm.parameters(), mlp.parameters()}) ps.insert(ps.end(), part.begin(), part.end());
  return ps;
}

LinearCompressionBlock::LinearCompressionBlock(const BackboneConfig& c, const WuKongOptions& w, Rng& rng,
                                               const std::string& name)
    : proj(int64_t(c.input_fields()) * c.embedding_dim, w.compression_dim, rng, name, true, linear_init(c)),
      dropout(w.dropout) {}

Var LinearCompressionBlock::forward(const Var& X, const ForwardContext& ctx) const {
  Var c = proj.forward(X);  // [B, compression_dim]
  if (ctx.training && dropout > 0) c = llactr::dropout(c, dropout, *ctx.rng, true);
  return c;
}

}  // namespace llactr

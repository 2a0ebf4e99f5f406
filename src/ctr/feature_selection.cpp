#include "llactr/ctr/feature_selection.h"

#include "llactr/tensor/ops.h"

namespace llactr {

FeatureSelection::FeatureSelection(int64_t num_fields, int64_t dim, const std::vector<int64_t>& hidden, Rng& rng,
                                   LinearInit init) {
  MlpOptions o;
  o.init = init;
  o.hidden = hidden;
  o.output_dim = num_fields * dim;
  o.output_activation = Activation::Sigmoid;
  ctx1 = parameter(Tensor({1, dim}, 0.0f), "fs1.ctx");
  ctx2 = parameter(Tensor({1, dim}, 0.0f), "fs2.ctx");
  gate1 = Mlp(dim, o, rng, "fs1.gate");
  gate2 = Mlp(dim, o, rng, "fs2.gate");
}

std::pair<Var, Var> FeatureSelection::gates(const ForwardContext& ctx) const {
  Var g1 = mul_scalar(gate1.forward(ctx1, ctx.training, ctx.rng), 2.0f);  // [1, N·D] in (0, 2)
  Var g2 = mul_scalar(gate2.forward(ctx2, ctx.training, ctx.rng), 2.0f);
  return {g1, g2};
}

std::pair<Var, Var> FeatureSelection::forward(const Var& flat, const ForwardContext& ctx) const {
  auto [g1, g2] = gates(ctx);
  return {mul(flat, g1), mul(flat, g2)};
}

std::vector<Var> FeatureSelection::parameters() const {
  std::vector<Var> ps{ctx1, ctx2};
  for (const Mlp* g : {&gate1, &gate2})
    for (const Var& p : g->parameters()) ps.push_back(p);
  return ps;
}

}  // namespace llactr

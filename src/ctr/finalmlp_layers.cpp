#include "llactr/ctr/finalmlp_layers.h"

#include <stdexcept>

#include "llactr/ctr/interactions.h"
#include "llactr/nn/init.h"
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

BilinearFusion::BilinearFusion(int64_t dx, int64_t dy, int heads, Rng& rng, LinearInit init) {
  if (heads < 1 || dx % heads || dy % heads)
    throw std::invalid_argument("BilinearFusion: " + std::to_string(heads) + " heads do not divide the widths " +
                                std::to_string(dx) + " and " + std::to_string(dy));
  wx = Linear(dx, 1, rng, "fusion.wx", true, init);
  wy = Linear(dy, 1, rng, "fusion.wy", true, init);
  Tensor w({heads * (dx / heads) * (dy / heads), 1});
  init::xavier_normal(w, rng);
  w.reshape_inplace({heads, dx / heads, dy / heads});
  wxy = parameter(std::move(w), "fusion.wxy");
}

Var BilinearFusion::forward(const Var& x, const Var& y) const {
  // First-order terms [B, 1] -> [B], then Σ_h x_hᵀ W_h y_h as one fused op.
  Var first = reshape(add(wx.forward(x), wy.forward(y)), {x.dim(0)});
  return add(first, bilinear_heads(x, y, wxy));
}

std::vector<Var> BilinearFusion::parameters() const { return {wx.W, wx.b, wy.W, wy.b, wxy}; }

}  // namespace llactr

#include "llactr/methods/clickprompt/clickprompt_head.h"

#include "llactr/tensor/ops.h"

namespace llactr::methods {

ClickPromptHead::ClickPromptHead(int64_t d, float alpha_init, Rng& rng) {
  MlpOptions o;
  o.hidden = {d};
  o.activation = Activation::Tanh;
  o.output_dim = 1;
  plm_ = Mlp(d, o, rng, "clickprompt.plm_head");
  alpha_ = parameter(Tensor({1}, alpha_init), "clickprompt.alpha");
}

Var ClickPromptHead::plm_logit(const Var& pooled) const {
  return reshape(plm_.forward(pooled, false, nullptr), {pooled.dim(0)});  // [B, 1] -> [B]
}

Var ClickPromptHead::fused_logit(const Var& z_plm, const Var& z_ctr) const {
  // α·z_plm + (1 − α)·z_ctr = z_ctr + α·(z_plm − z_ctr);  ∂/∂α = z_plm − z_ctr, summed over B.
  return add(z_ctr, mul(alpha_, sub(z_plm, z_ctr)));
}

std::vector<Var> ClickPromptHead::parameters() const {
  std::vector<Var> ps = plm_.parameters();
  ps.push_back(alpha_);
  return ps;
}

}  // namespace llactr::methods

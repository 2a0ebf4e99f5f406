// ClickPrompt's fine-tuning heads (docs/CLICKPROMPT.md; the reference's nlp_head and weighted add):
//
//   p     = mean of the text tokens' final hidden states (with the prompts in place)   p: [B, d]
//   z_plm = Linear(d -> d) - Tanh - Linear(d -> 1) (p)                                  z_plm: [B]
//   z     = α·z_plm + (1 − α)·z_ctr                                                     z: [B]
//
// z_ctr is the backbone's own logit. α is one learnable number, initialised to 0.5 and used as it
// is, neither squashed nor clamped, as the reference's nn.Parameter (so it may leave [0, 1]).
// Xavier-normal weights and zero biases, as the reference's weight_init.
#pragma once
#include <cstdint>
#include <vector>

#include "llactr/nn/mlp.h"

namespace llactr::methods {

class ClickPromptHead {
 public:
  ClickPromptHead() = default;
  ClickPromptHead(int64_t d, float alpha_init, Rng& rng);

  Var plm_logit(const Var& pooled) const;                  // p: [B, d] -> z_plm: [B]
  Var fused_logit(const Var& z_plm, const Var& z_ctr) const;  // [B], [B] -> α·z_plm + (1 − α)·z_ctr: [B]
  const Var& alpha() const { return alpha_; }              // [1]
  std::vector<Var> parameters() const;                     // the MLP's, then α

 private:
  Mlp plm_;
  Var alpha_;
};

}  // namespace llactr::methods

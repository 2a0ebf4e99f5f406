// FwFM (Pan et al. 2018) with FuxiCTR's default "FiLV" linear term:
//   y = w_Lᵀ vec(E) + b + Σ_d h_d,    h = Σ_{i<j} r_ij e_i ⊙ e_j  [B, D]
// r and b are FuxiCTR's interaction_weight_layer = Linear(N(N-1)/2, 1); w_L = Linear(N·D, 1, no bias).
#include "llactr/ctr/backbone.h"
#include "llactr/ctr/interactions.h"
#include "llactr/nn/init.h"
#include "llactr/nn/linear.h"
#include "llactr/tensor/ops.h"

namespace llactr {
namespace {

class FwFm : public Backbone {
 public:
  FwFm(const BackboneConfig& cfg, Rng& rng) : Backbone("FwFM", cfg, rng) {
    // r and b are the [1, P] weight and the bias of a Linear(P, 1), and initialised as one.
    const int64_t P = num_pairs(cfg.input_fields());
    const Linear rb(P, 1, rng, "fwfm.r", true, linear_init(cfg));
    Tensor r = rb.W.value();  // [1, P] -> [P]
    r.reshape_inplace({P});
    r_ = llactr::parameter(std::move(r), "fwfm.r");
    bias_ = llactr::parameter(rb.b.value(), "fwfm.bias");
    linear_ = Linear(int64_t(cfg.input_fields()) * cfg.embedding_dim, 1, rng, "fwfm.linear", false, linear_init(cfg));
    own({r_, bias_});
    own(linear_.parameters());
  }

  Var logit(const Var& E, const int32_t*, const ForwardContext&) override {
    const int64_t B = E.dim(0);
    Var lin = reshape(linear_.forward(reshape(E, {B, -1})), {B});  // [B]
    hidden_ = field_weighted_interaction(E, r_);                              // [B, D]
    return add(add(lin, sum(hidden_, 1)), bias_);
  }
  int64_t hidden_dim() const override { return cfg_.embedding_dim; }

 private:
  Var r_, bias_;  // [P], [1]
  Linear linear_;
};

}  // namespace

BackboneEntry fwfm_backbone() {
  return {"FwFM", {}, construct<FwFm>,
          /*torch_init=*/true, /*paper_six=*/true, {}};
}

}  // namespace llactr

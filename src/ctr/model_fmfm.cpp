// FmFM / FM² (Sun et al. 2021), field_interaction_type "matrixed" as in LLaCTR's FuxiCTR code:
//   y = Σ_i w[x_i] + Σ_d h_d,    h = Σ_{i<j} (e_iᵀ M_ij) ⊙ e_j  [B, D],   M: [N(N-1)/2, D, D]
#include "llactr/ctr/backbone.h"
#include "llactr/ctr/first_order.h"
#include "llactr/ctr/interactions.h"
#include "llactr/nn/init.h"
#include "llactr/tensor/ops.h"

namespace llactr {
namespace {

class FmFm : public Backbone {
 public:
  FmFm(const BackboneConfig& cfg, Rng& rng)
      : Backbone("FmFM", cfg, rng), linear_(cfg.vocab_size, embedding_init_std(cfg), false, rng, "fmfm.linear") {
    const int64_t P = num_pairs(cfg.input_fields()), D = cfg.embedding_dim;
    Tensor M({P, D, D});
    init::xavier_normal(M, rng);  // torch fans of [P, D, D]: in = D·D, out = P·D
    M_ = llactr::parameter(std::move(M), "fmfm.M");
    own(linear_.parameters());
    own(M_);
  }

  Var logit(const Var& E, const int32_t* ids, const ForwardContext&) override {
    hidden_ = field_matrixed_interaction(E, M_);  // [B, D]
    return add(linear_.forward(ids, E.dim(0), cfg_.num_fields), sum(hidden_, 1));
  }
  int64_t hidden_dim() const override { return cfg_.embedding_dim; }

 private:
  FirstOrder linear_;
  Var M_;  // [P, D, D]
};

}  // namespace

BackboneEntry fmfm_backbone() {
  return {"FmFM", {}, construct<FmFm>,
          /*torch_init=*/true, /*paper_six=*/true, {}};
}

}  // namespace llactr

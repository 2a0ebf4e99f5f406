// FM (Rendle 2010), as FuxiCTR's FM_Layer with bias:
//   y = b + Σ_i w[x_i] + Σ_d h_d,    h = ½[(Σ_i e_i)² − Σ_i e_i²]  [B, D]   (O(N·D))
#include "llactr/ctr/backbone.h"
#include "llactr/ctr/first_order.h"
#include "llactr/ctr/interactions.h"
#include "llactr/tensor/ops.h"

namespace llactr {
namespace {

class Fm : public Backbone {
 public:
  Fm(const BackboneConfig& cfg, Rng& rng)
      : Backbone("FM", cfg, rng), linear_(cfg.vocab_size, embedding_init_std(cfg), true, rng, "fm.linear") {
    own(linear_.parameters());
  }

  Var logit(const Var& E, const int32_t* ids, const ForwardContext&) override {
    const int64_t B = E.dim(0);
    hidden_ = fm_interaction(E);                                     // [B, D]
    return add(linear_.forward(ids, B, cfg_.num_fields), sum(hidden_, 1));  // [B]
  }
  int64_t hidden_dim() const override { return cfg_.embedding_dim; }

 private:
  FirstOrder linear_;
};

}  // namespace

BackboneEntry fm_backbone() {
  return {"FM", {}, construct<Fm>,
          /*torch_init=*/true, /*paper_six=*/true, {}};
}

}  // namespace llactr

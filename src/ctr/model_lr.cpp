// LR: logistic regression on the same ids, the floor every backbone must beat.
//   y = b + Σ_i w[x_i]            h = [w[x_1], .., w[x_N]]  [B, N]
#include "llactr/ctr/backbone.h"
#include "llactr/ctr/first_order.h"

namespace llactr {
namespace {

class Lr : public Backbone {
 public:
  Lr(const BackboneConfig& cfg, Rng& rng)
      : Backbone("LR", cfg, rng), linear_(cfg.vocab_size, embedding_init_std(cfg), true, rng, "lr") {
    own(linear_.parameters());
  }

  // E is unused: LR has no embeddings beyond its first-order weights.
  Var logit(const Var& E, const int32_t* ids, const ForwardContext&) override {
    return linear_.forward(ids, E.dim(0), cfg_.num_fields, &hidden_);
  }
  int64_t hidden_dim() const override { return cfg_.num_fields; }

 private:
  FirstOrder linear_;
};

}  // namespace

BackboneEntry lr_backbone() {
  return {"LR", {}, construct<Lr>,
          /*torch_init=*/true, /*paper_six=*/false, {}};
}

}  // namespace llactr

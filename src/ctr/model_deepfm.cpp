// DeepFM (Guo et al. 2017), as FuxiCTR: a factorization machine without bias plus an MLP over the concatenated E.
//   y = Σ_i w[x_i] + Σ_d fm(E)_d + MLP(vec E)        h = last hidden layer of the MLP [B, 128]
#include "llactr/ctr/backbone.h"
#include "llactr/ctr/first_order.h"
#include "llactr/ctr/interactions.h"
#include "llactr/nn/mlp.h"
#include "llactr/tensor/ops.h"

namespace llactr {
namespace {

struct DeepFmOptions {
  std::vector<int64_t> mlp{300, 300, 128};  // FuxiCTR's DeepFM default
};

const OptionTable<DeepFmOptions>& deepfm_options() {
  static const OptionTable<DeepFmOptions> table =
      OptionTable<DeepFmOptions>().units("deepfm-mlp", &DeepFmOptions::mlp, "DeepFM's MLP: hidden units (dropout: --net-dropout)");
  return table;
}

class DeepFm : public Backbone {
 public:
  DeepFm(const BackboneConfig& cfg, Rng& rng)
      : Backbone("DeepFM", cfg, rng),
        own_(deepfm_options().read(cfg.options)),
        linear_(cfg.vocab_size, embedding_init_std(cfg), false, rng, "fm.linear") {
    MlpOptions o;
    o.hidden = own_.mlp;
    o.dropout = cfg.net_dropout;
    o.output_dim = 1;
    o.init = linear_init(cfg);
    mlp_ = Mlp(int64_t(cfg.input_fields()) * cfg.embedding_dim, o, rng, "mlp");
    own(linear_.parameters());
    own(mlp_.parameters());
  }

  Var logit(const Var& E, const int32_t* ids, const ForwardContext& ctx) override {
    const int64_t B = E.dim(0);
    Var fm = add(linear_.forward(ids, B, cfg_.num_fields), sum(fm_interaction(E), 1));  // [B]
    Var flat = reshape(E, {B, -1});                                                      // [B, N·D]
    Var deep = reshape(mlp_.forward(flat, ctx.training, ctx.rng, &hidden_), {B});        // [B]
    return add(fm, deep);
  }
  int64_t hidden_dim() const override { return own_.mlp.back(); }

 private:
  DeepFmOptions own_;
  FirstOrder linear_;
  Mlp mlp_;
};

}  // namespace

BackboneEntry deepfm_backbone() {
  return {"DeepFM", deepfm_options().options(), construct<DeepFm>,
          /*torch_init=*/true, /*paper_six=*/true, {}};
}

}  // namespace llactr

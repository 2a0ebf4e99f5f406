// AutoInt (Song et al., CIKM 2019): L interacting layers (multi-head self-attention over the
// fields with residual connections, self_attention.h), then a linear output:
//   X_0 = E,  X_l = MHSA_l(X_{l-1})  [B, N, A]
//   y = w_fcᵀ vec(X_L) + b;   h = vec(X_L)  [B, N·A]
// As the paper and FuxiCTR with dnn_hidden_units = [] and use_wide = False (no "AutoInt+" DNN).
#include "llactr/ctr/backbone.h"
#include "llactr/ctr/self_attention.h"
#include "llactr/tensor/ops.h"

namespace llactr {
namespace {

struct AutoIntOptions {  // the paper's setting: 3 layers, 2 heads, d' = 32
  int layers = 3;
  int heads = 2;
  int64_t attention_dim = 32;
};

const OptionTable<AutoIntOptions>& autoint_options() {
  using O = AutoIntOptions;
  static const OptionTable<O> table =
      OptionTable<O>()
          .integer("autoint-layers", &O::layers, between(1, 64), "AutoInt's interacting layers")
          .integer("autoint-heads", &O::heads, between(1, 1024), "AutoInt's attention heads (they divide the attention width)")
          .integer("autoint-attention-dim", &O::attention_dim, between(1, 1 << 20), "AutoInt's attention width d'");
  return table;
}

class AutoInt : public Backbone {
 public:
  AutoInt(const BackboneConfig& cfg, Rng& rng) : Backbone("AutoInt", cfg, rng), own_(autoint_options().read(cfg.options)) {
    int64_t in = cfg.embedding_dim;
    for (int l = 0; l < own_.layers; ++l) {
      layers_.emplace_back(in, own_.attention_dim, own_.heads, rng, "attention" + std::to_string(l));
      own(layers_.back().parameters());
      in = own_.attention_dim;
    }
    fc_ = Linear(cfg.input_fields() * own_.attention_dim, 1, rng, "fc");
    own(fc_.parameters());
  }

  Var logit(const Var& E, const int32_t*, const ForwardContext&) override {
    const int64_t B = E.dim(0);
    Var X = E;
    for (const MultiHeadSelfAttention& layer : layers_) X = layer.forward(X);  // [B, N, A]
    hidden_ = reshape(X, {B, -1});                                              // [B, N·A]
    return reshape(fc_.forward(hidden_), {B});
  }
  int64_t hidden_dim() const override { return cfg_.input_fields() * own_.attention_dim; }

 private:
  AutoIntOptions own_;
  std::vector<MultiHeadSelfAttention> layers_;
  Linear fc_;
};

}  // namespace

BackboneEntry autoint_backbone() {
  return {"AutoInt", autoint_options().options(), construct<AutoInt>,
          /*torch_init=*/false, /*paper_six=*/false, {}};
}

}  // namespace llactr

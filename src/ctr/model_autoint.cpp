// AutoInt (Song et al., CIKM 2019): L interacting layers (multi-head self-attention over the
// fields with residual connections, self_attention.h), then a linear output:
//   X_0 = E,  X_l = MHSA_l(X_{l-1})  [B, N, A]
//   y = w_fcᵀ vec(X_L) + b;   h = vec(X_L)  [B, N·A]
// As the paper and FuxiCTR with dnn_hidden_units = [] and use_wide = False (no "AutoInt+" DNN).
#include <stdexcept>

#include "llactr/ctr/models.h"
#include "llactr/ctr/self_attention.h"
#include "llactr/tensor/ops.h"

namespace llactr {
namespace {

class AutoInt : public Backbone {
 public:
  AutoInt(const BackboneConfig& cfg, Rng& rng) : Backbone("AutoInt", cfg, rng) {
    if (cfg.autoint_layers < 1) throw std::invalid_argument("AutoInt: need autoint_layers >= 1");
    int64_t in = cfg.embedding_dim;
    for (int l = 0; l < cfg.autoint_layers; ++l) {
      layers_.emplace_back(in, cfg.autoint_attention_dim, cfg.autoint_heads, rng, "attention" + std::to_string(l));
      own(layers_.back().parameters());
      in = cfg.autoint_attention_dim;
    }
    fc_ = Linear(cfg.input_fields() * cfg.autoint_attention_dim, 1, rng, "fc");
    own(fc_.parameters());
  }

  Var logit(const Var& E, const int32_t*, const ForwardContext&) override {
    const int64_t B = E.dim(0);
    Var X = E;
    for (const MultiHeadSelfAttention& layer : layers_) X = layer.forward(X);  // [B, N, A]
    hidden_ = reshape(X, {B, -1});                                              // [B, N·A]
    return reshape(fc_.forward(hidden_), {B});
  }
  int64_t hidden_dim() const override { return cfg_.input_fields() * cfg_.autoint_attention_dim; }

 private:
  std::vector<MultiHeadSelfAttention> layers_;
  Linear fc_;
};

}  // namespace

std::unique_ptr<Backbone> make_autoint(const BackboneConfig& cfg, Rng& rng) { return std::make_unique<AutoInt>(cfg, rng); }

}  // namespace llactr

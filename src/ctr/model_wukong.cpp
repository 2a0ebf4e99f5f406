// WuKong (Zhang et al., ICML 2024), as FuxiCTR's model_zoo/WuKong. L interaction layers, each
//   FMB:  F = X Xᵀ P  [B, N, k]  (X: [B, N, D], P: [N, k] low-rank projection, N(0, 1) init)
//         fmb = ReLU(MLP(LayerNorm(vec F)))                 [B, fmb_dim]
//   LCB:  lcb = Dropout(W vec X + b)                        [B, compression_dim]
//   X' = LayerNorm(Linear([fmb, lcb]) + vec X)              [B, N·D]
// then y = MLP(vec X_L) with hidden [32, 32];  h = the MLP's last hidden layer [B, 32].
#include "llactr/ctr/models.h"
#include "llactr/ctr/wukong_layers.h"
#include "llactr/tensor/ops.h"

namespace llactr {
namespace {

struct WuKongLayer {
  FactorizationMachineBlock fmb;
  LinearCompressionBlock lcb;
  Linear transform;    // fmb_dim + compression_dim -> N·D
  LayerNorm out_norm;  // over N·D

  WuKongLayer(const BackboneConfig& c, Rng& rng, const std::string& name)
      : fmb(c, rng, name + ".fmb"),
        lcb(c, rng, name + ".lcb"),
        transform(c.wukong_fmb_dim + c.wukong_compression_dim, int64_t(c.input_fields()) * c.embedding_dim, rng,
                  name + ".transform", true, linear_init(c)),
        out_norm(int64_t(c.input_fields()) * c.embedding_dim, name + ".norm") {}

  // X: vec(X) per row [B, N·D] -> [B, N·D]
  Var forward(const Var& X, const ForwardContext& ctx) const {
    // The two blocks, then residual + LayerNorm.
    Var cat = concat({fmb.forward(X, ctx), lcb.forward(X, ctx)}, 1);  // [B, fmb_dim + compression_dim]
    return out_norm.forward(add(transform.forward(cat), X));          // [B, N·D]
  }

  std::vector<Var> parameters() const {
    std::vector<Var> ps;
    for (const auto& part : {fmb.parameters(), lcb.parameters(), transform.parameters(), out_norm.parameters()})
      ps.insert(ps.end(), part.begin(), part.end());
    return ps;
  }
};

class WuKong : public Backbone {
 public:
  WuKong(const BackboneConfig& cfg, Rng& rng) : Backbone("WuKong", cfg, rng) {
    for (int l = 0; l < cfg.wukong_layers; ++l) {
      layers_.emplace_back(cfg, rng, "layer" + std::to_string(l));
      own(layers_.back().parameters());
    }
    MlpOptions o;
    o.hidden = cfg.wukong_mlp;
    o.output_dim = 1;
    o.init = linear_init(cfg);
    mlp_ = Mlp(int64_t(cfg.input_fields()) * cfg.embedding_dim, o, rng, "mlp");
    own(mlp_.parameters());
  }

  Var logit(const Var& E, const int32_t*, const ForwardContext& ctx) override {
    const int64_t B = E.dim(0);
    Var X = reshape(E, {B, -1});  // vec(E) per row: [B, N·D], flat through every layer
    for (const WuKongLayer& layer : layers_) X = layer.forward(X, ctx);
    return reshape(mlp_.forward(X, ctx.training, ctx.rng, &hidden_), {B});
  }
  int64_t hidden_dim() const override {
    return cfg_.wukong_mlp.empty() ? int64_t(cfg_.input_fields()) * cfg_.embedding_dim : cfg_.wukong_mlp.back();
  }

 private:
  std::vector<WuKongLayer> layers_;
  Mlp mlp_;
};

}  // namespace

std::unique_ptr<Backbone> make_wukong(const BackboneConfig& cfg, Rng& rng) {
  return std::make_unique<WuKong>(cfg, rng);
}

}  // namespace llactr

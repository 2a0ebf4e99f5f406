// WuKong (Zhang et al., ICML 2024), as FuxiCTR's model_zoo/WuKong. L interaction layers, each
//   FMB:  F = X Xᵀ P  [B, N, k]  (X: [B, N, D], P: [N, k] low-rank projection, N(0, 1) init)
//         fmb = ReLU(MLP(LayerNorm(vec F)))                 [B, fmb_dim]
//   LCB:  lcb = Dropout(W vec X + b)                        [B, compression_dim]
//   X' = LayerNorm(Linear([fmb, lcb]) + vec X)              [B, N·D]
// then y = MLP(vec X_L) with hidden [32, 32];  h = the MLP's last hidden layer [B, 32].
#include "llactr/ctr/factorization_machine_block.h"
#include "llactr/ctr/linear_compression_block.h"
#include "llactr/nn/layer_norm_layer.h"
#include "llactr/tensor/ops.h"

namespace llactr {
namespace {

// WuKong's own options (--wukong-*); the defaults are FuxiCTR's.
struct WuKongOptions {
  int layers = 3;                          // interaction layers
  std::vector<int64_t> fmb_units{32, 32};  // the FMB's MLP: hidden units
  int64_t fmb_dim = 40;                    // the FMB's output width
  int64_t compression_dim = 40;            // the LCB's output width
  int64_t project_dim = 8;                 // k of the low-rank projection P
  std::vector<int64_t> mlp{32, 32};        // the final MLP: hidden units
  float dropout = 0.2f;                    // in the LCB, as FuxiCTR
};

const OptionTable<WuKongOptions>& wukong_options() {
  using O = WuKongOptions;
  static const OptionTable<O> table =
      OptionTable<O>()
          .number("wukong-dropout", &O::dropout, between(0, 0.99), "dropout in WuKong's linear compression blocks")
          .integer("wukong-layers", &O::layers, between(1, 64), "WuKong's interaction layers")
          .units("wukong-fmb-units", &O::fmb_units, "WuKong's factorization machine block: hidden units")
          .integer("wukong-fmb-dim", &O::fmb_dim, between(1, 1 << 20), "WuKong's factorization machine block: output width")
          .integer("wukong-compression-dim", &O::compression_dim, between(1, 1 << 20),
                   "WuKong's linear compression block: output width")
          .integer("wukong-project-dim", &O::project_dim, between(1, 1 << 20), "WuKong's low-rank projection k")
          .units("wukong-mlp", &O::mlp, "WuKong's final MLP: hidden units");
  return table;
}

struct WuKongLayer {
  FactorizationMachineBlock fmb;
  LinearCompressionBlock lcb;
  Linear transform;    // fmb_dim + compression_dim -> N·D
  LayerNorm out_norm;  // over N·D

  WuKongLayer(const BackboneConfig& c, const WuKongOptions& w, Rng& rng, const std::string& name)
      : fmb(c.input_fields(), w.project_dim, w.fmb_units, w.fmb_dim, linear_init(c), rng, name + ".fmb"),
        lcb(int64_t(c.input_fields()) * c.embedding_dim, w.compression_dim, w.dropout, linear_init(c), rng,
            name + ".lcb"),
        transform(w.fmb_dim + w.compression_dim, int64_t(c.input_fields()) * c.embedding_dim, rng,
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
  WuKong(const BackboneConfig& cfg, Rng& rng) : Backbone("WuKong", cfg, rng), own_(wukong_options().read(cfg.options)) {
    for (int l = 0; l < own_.layers; ++l) {
      layers_.emplace_back(cfg, own_, rng, "layer" + std::to_string(l));
      own(layers_.back().parameters());
    }
    MlpOptions o;
    o.hidden = own_.mlp;
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
  int64_t hidden_dim() const override { return own_.mlp.back(); }

 private:
  WuKongOptions own_;
  std::vector<WuKongLayer> layers_;
  Mlp mlp_;
};

}  // namespace

BackboneEntry wukong_backbone() {
  return {"WuKong", wukong_options().options(), construct<WuKong>,
          /*torch_init=*/true, /*paper_six=*/true,
          // 1e-3 memorises within 1-2 epochs; 1e-4 is better on validation on ML-100K and ml-1m-u2999
          // (docs/BACKBONES.md, "WuKong's learning rate").
          {{"lr", "1e-4"}},
          /*released_fie_constant=*/true};
}

}  // namespace llactr

// FinalMLP (Mao et al., AAAI 2023), as FuxiCTR's model_zoo/FinalMLP with no context features:
//   g_1, g_2 = FeatureSelection gates [1, N·D];  x̃_k = vec(E) ⊙ g_k   (ctr/feature_selection.h)
//   x = MLP_1(x̃_1) [B, d1],  y = MLP_2(x̃_2) [B, d2]   (each gate folded into the first layer's weights)
//   logit = BilinearFusion(x, y) (ctr/bilinear_fusion.h);   h = [x, y]  [B, d1 + d2]
#include <stdexcept>

#include "llactr/ctr/bilinear_fusion.h"
#include "llactr/ctr/feature_selection.h"
#include "llactr/tensor/ops.h"

namespace llactr {
namespace {

struct FinalMlpOptions {
  std::vector<int64_t> mlp1{64, 64, 64};
  std::vector<int64_t> mlp2{64, 64, 64};
  std::vector<int64_t> fs_hidden{64};
  int heads = 2;
};

const OptionTable<FinalMlpOptions>& finalmlp_options() {
  using O = FinalMlpOptions;
  static const OptionTable<O> table =
      OptionTable<O>()
          .units("finalmlp-mlp1", &O::mlp1, "FinalMLP's first stream: hidden units (both streams' dropout: --net-dropout)")
          .units("finalmlp-mlp2", &O::mlp2, "FinalMLP's second stream: hidden units")
          .units("finalmlp-fs-hidden", &O::fs_hidden, "FinalMLP's feature-selection gates: hidden units")
          .integer("finalmlp-heads", &O::heads, between(1, 1024),
                   "FinalMLP's bilinear fusion heads (they divide both streams' last widths)");
  return table;
}

class FinalMlp : public Backbone {
 public:
  FinalMlp(const BackboneConfig& cfg, Rng& rng) : Backbone("FinalMLP", cfg, rng) {
    const FinalMlpOptions sizes = finalmlp_options().read(cfg.options);
    const int64_t F = int64_t(cfg.input_fields()) * cfg.embedding_dim;
    const int H = sizes.heads;
    if (sizes.mlp1.back() % H || sizes.mlp2.back() % H)
      throw std::invalid_argument("FinalMLP: the last widths of --finalmlp-mlp1 and --finalmlp-mlp2 must divide by "
                                  "--finalmlp-heads");
    MlpOptions o1, o2;
    o1.hidden = sizes.mlp1;
    o1.dropout = cfg.net_dropout;
    o2.hidden = sizes.mlp2;
    o2.dropout = cfg.net_dropout;
    o1.init = o2.init = linear_init(cfg);
    mlp1_ = Mlp(F, o1, rng, "mlp1");
    mlp2_ = Mlp(F, o2, rng, "mlp2");
    fs_ = FeatureSelection(cfg.input_fields(), cfg.embedding_dim, sizes.fs_hidden, rng, linear_init(cfg));
    fusion_ = BilinearFusion(mlp1_.out_dim(), mlp2_.out_dim(), H, rng, linear_init(cfg));
    own(mlp1_.parameters());
    own(mlp2_.parameters());
    own(fs_.parameters());
    own(fusion_.parameters());
  }

  Var logit(const Var& E, const int32_t*, const ForwardContext& ctx) override {
    const int64_t B = E.dim(0);
    Var flat = reshape(E, {B, -1});  // [B, N·D]
    // Feature selection: the gates g_k [1, N·D]; the two streams see x̃_k = flat ⊙ g_k, which
    // forward_scaled computes as flat · (W ⊙ g_k)ᵀ without forming x̃_k.
    auto [g1, g2] = fs_.gates(ctx);
    Var x = mlp1_.forward_scaled(flat, g1, ctx.training, ctx.rng);  // [B, dx]
    Var y = mlp2_.forward_scaled(flat, g2, ctx.training, ctx.rng);  // [B, dy]
    hidden_ = concat({x, y}, 1);
    // Fusion.
    return fusion_.forward(x, y);
  }
  int64_t hidden_dim() const override { return mlp1_.out_dim() + mlp2_.out_dim(); }

 private:
  Mlp mlp1_, mlp2_;
  FeatureSelection fs_;
  BilinearFusion fusion_;
};

}  // namespace

BackboneEntry finalmlp_backbone() {
  return {"FinalMLP", finalmlp_options().options(), construct<FinalMlp>,
          /*torch_init=*/true, /*paper_six=*/true, {}, /*released_fie_constant=*/true};
}

}  // namespace llactr

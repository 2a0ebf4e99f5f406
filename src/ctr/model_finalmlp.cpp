// FinalMLP (Mao et al., AAAI 2023), as FuxiCTR's model_zoo/FinalMLP with no context features:
//   feature selection:  g_k = 2·σ(MLP_fs_k(c_k)),  c_k a learned bias [D] (zeros at start)
//                       x̃_k = vec(E) ⊙ g_k                          k = 1, 2
//   two streams:        x = MLP_1(x̃_1) [B, d1],  y = MLP_2(x̃_2) [B, d2]
//   bilinear fusion:    y = w_xᵀx + b_x + w_yᵀy + b_y + Σ_heads x_hᵀ W_h y_h
//   h = [x, y]  [B, d1 + d2]
// The gate input is one vector for the whole batch, so each gate is computed once per batch
// ([1, N·D]) and broadcast, instead of repeated per row as FuxiCTR does; the values are the same.
#include <stdexcept>

#include "llactr/ctr/models.h"
#include "llactr/nn/init.h"
#include "llactr/nn/mlp.h"
#include "llactr/tensor/ops.h"

namespace llactr {
namespace {

class FinalMlp : public Backbone {
 public:
  FinalMlp(const BackboneConfig& cfg, Rng& rng) : Backbone("FinalMLP", cfg, rng) {
    const int64_t F = int64_t(cfg.num_fields) * cfg.embedding_dim, D = cfg.embedding_dim;
    const int H = cfg.finalmlp_heads;
    if (cfg.finalmlp_mlp1.empty() || cfg.finalmlp_mlp2.empty() || H < 1 || cfg.finalmlp_mlp1.back() % H ||
        cfg.finalmlp_mlp2.back() % H)
      throw std::invalid_argument("FinalMLP: both MLPs need hidden layers whose last width divides by the heads");
    MlpOptions o1, o2, fs;
    o1.hidden = cfg.finalmlp_mlp1;
    o1.dropout = cfg.net_dropout;
    o2.hidden = cfg.finalmlp_mlp2;
    o2.dropout = cfg.net_dropout;
    mlp1_ = Mlp(F, o1, rng, "mlp1");
    mlp2_ = Mlp(F, o2, rng, "mlp2");
    fs.hidden = cfg.finalmlp_fs_hidden;
    fs.output_dim = F;
    fs.output_activation = Activation::Sigmoid;
    ctx1_ = llactr::parameter(Tensor({1, D}, 0.0f), "fs1.ctx");
    ctx2_ = llactr::parameter(Tensor({1, D}, 0.0f), "fs2.ctx");
    gate1_ = Mlp(D, fs, rng, "fs1.gate");
    gate2_ = Mlp(D, fs, rng, "fs2.gate");

    const int64_t dx = mlp1_.out_dim(), dy = mlp2_.out_dim();
    wx_ = Linear(dx, 1, rng, "fusion.wx");
    wy_ = Linear(dy, 1, rng, "fusion.wy");
    Tensor w({H * (dx / H) * (dy / H), 1});  // FuxiCTR's w_xy [H·dx_h·dy_h, 1], Xavier normal
    init::xavier_normal(w, rng);
    w.reshape_inplace({H, dx / H, dy / H});
    wxy_ = llactr::parameter(std::move(w), "fusion.wxy");

    own(mlp1_.parameters());
    own(mlp2_.parameters());
    own({ctx1_, ctx2_});
    own(gate1_.parameters());
    own(gate2_.parameters());
    own(wx_.parameters());
    own(wy_.parameters());
    own(wxy_);
  }

  Var logit(const Var& E, const int32_t*, const ForwardContext& ctx) override {
    const int64_t B = E.dim(0);
    Var flat = reshape(E, {B, -1});  // [B, F]
    // Feature selection: gates [1, F] in (0, 2), broadcast over the batch.
    Var g1 = mul_scalar(gate1_.forward(ctx1_, ctx.training, ctx.rng), 2.0f);
    Var g2 = mul_scalar(gate2_.forward(ctx2_, ctx.training, ctx.rng), 2.0f);
    // Two streams.
    Var x = mlp1_.forward(mul(flat, g1), ctx.training, ctx.rng);  // [B, dx]
    Var y = mlp2_.forward(mul(flat, g2), ctx.training, ctx.rng);  // [B, dy]
    hidden_ = concat({x, y}, 1);
    // Fusion: first-order terms, then one bilinear form per head.
    Var out = reshape(add(wx_.forward(x), wy_.forward(y)), {B});
    const int64_t H = wxy_.dim(0), dxh = wxy_.dim(1), dyh = wxy_.dim(2);
    for (int64_t k = 0; k < H; ++k) {
      Var Wk = reshape(slice(wxy_, 0, k, 1), {dxh, dyh});
      Var xW = matmul(slice(x, 1, k * dxh, dxh), Wk);              // [B, dyh]
      out = add(out, sum(mul(xW, slice(y, 1, k * dyh, dyh)), 1));  // [B]
    }
    return out;
  }
  int64_t hidden_dim() const override { return mlp1_.out_dim() + mlp2_.out_dim(); }

 private:
  Mlp mlp1_, mlp2_, gate1_, gate2_;
  Var ctx1_, ctx2_;  // [1, D]
  Linear wx_, wy_;
  Var wxy_;  // [H, dx/H, dy/H]
};

}  // namespace

std::unique_ptr<Backbone> make_finalmlp(const BackboneConfig& cfg, Rng& rng) {
  return std::make_unique<FinalMlp>(cfg, rng);
}

}  // namespace llactr

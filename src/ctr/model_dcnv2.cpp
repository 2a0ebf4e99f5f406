// DCNv2 (Wang et al., WWW 2021), as FuxiCTR's model_zoo/DCNv2 with its default "parallel"
// structure and the full-rank cross network (no low-rank mixture):
//   x0 = vec(E)  [B, N·D]
//   c = CrossNetwork(x0) [B, N·D],   d = DNN(x0) [B, d_last]      (cross_net.h)
//   y = w_fcᵀ [c, d] + b;   h = [c, d]  [B, N·D + d_last]
#include "llactr/ctr/backbone.h"
#include "llactr/ctr/cross_net.h"
#include "llactr/nn/mlp.h"
#include "llactr/tensor/ops.h"

namespace llactr {
namespace {

struct Dcnv2Options {
  int layers = 3;                           // FuxiCTR's num_cross_layers
  std::vector<int64_t> mlp{300, 300, 128};  // the parallel DNN (FuxiCTR's default)
};

const OptionTable<Dcnv2Options>& dcnv2_options() {
  using O = Dcnv2Options;
  static const OptionTable<O> table = OptionTable<O>()
                                          .integer("dcnv2-layers", &O::layers, between(1, 64), "DCNv2's cross layers")
                                          .units("dcnv2-mlp", &O::mlp, "DCNv2's parallel DNN: hidden units (dropout: --net-dropout)");
  return table;
}

class Dcnv2 : public Backbone {
 public:
  Dcnv2(const BackboneConfig& cfg, Rng& rng) : Backbone("DCNv2", cfg, rng) {
    const Dcnv2Options sizes = dcnv2_options().read(cfg.options);
    const int64_t F = int64_t(cfg.input_fields()) * cfg.embedding_dim;
    cross_ = CrossNetwork(F, sizes.layers, rng, "cross");
    MlpOptions o;
    o.hidden = sizes.mlp;
    o.dropout = cfg.net_dropout;
    dnn_ = Mlp(F, o, rng, "dnn");
    fc_ = Linear(F + dnn_.out_dim(), 1, rng, "fc");
    own(cross_.parameters());
    own(dnn_.parameters());
    own(fc_.parameters());
  }

  Var logit(const Var& E, const int32_t*, const ForwardContext& ctx) override {
    const int64_t B = E.dim(0);
    Var x0 = reshape(E, {B, -1});                                  // [B, N·D]
    // Cross network and DNN side by side, both on x0.
    Var c = cross_.forward(x0);                                    // [B, N·D]
    Var d = dnn_.forward(x0, ctx.training, ctx.rng);               // [B, d_last]
    hidden_ = concat({c, d}, 1);
    return reshape(fc_.forward(hidden_), {B});
  }
  int64_t hidden_dim() const override { return int64_t(cfg_.input_fields()) * cfg_.embedding_dim + dnn_.out_dim(); }

 private:
  CrossNetwork cross_;
  Mlp dnn_;
  Linear fc_;
};

}  // namespace

BackboneEntry dcnv2_backbone() {
  return {"DCNv2", dcnv2_options().options(), construct<Dcnv2>,
          /*torch_init=*/false, /*paper_six=*/false, {}};
}

}  // namespace llactr

// DCNv2 (Wang et al., WWW 2021), as FuxiCTR's model_zoo/DCNv2 with its default "parallel"
// structure and the full-rank cross network (no low-rank mixture):
//   x0 = vec(E)  [B, N·D]
//   c = CrossNetwork(x0) [B, N·D],   d = DNN(x0) [B, d_last]      (cross_net.h)
//   y = w_fcᵀ [c, d] + b;   h = [c, d]  [B, N·D + d_last]
#include <stdexcept>

#include "llactr/ctr/cross_net.h"
#include "llactr/ctr/models.h"
#include "llactr/nn/mlp.h"
#include "llactr/tensor/ops.h"

namespace llactr {
namespace {

class Dcnv2 : public Backbone {
 public:
  Dcnv2(const BackboneConfig& cfg, Rng& rng) : Backbone("DCNv2", cfg, rng) {
    const int64_t F = int64_t(cfg.input_fields()) * cfg.embedding_dim;
    if (cfg.dcnv2_cross_layers < 1 || cfg.dcnv2_dnn.empty())
      throw std::invalid_argument("DCNv2: need dcnv2_cross_layers >= 1 and a non-empty dcnv2_dnn");
    cross_ = CrossNetwork(F, cfg.dcnv2_cross_layers, rng, "cross");
    MlpOptions o;
    o.hidden = cfg.dcnv2_dnn;
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

std::unique_ptr<Backbone> make_dcnv2(const BackboneConfig& cfg, Rng& rng) { return std::make_unique<Dcnv2>(cfg, rng); }

}  // namespace llactr

// xDeepFM (Lian et al., KDD 2018), as FuxiCTR's model_zoo/xDeepFM:
//   y = Σ_i w[x_i] + w_cinᵀ p + b_cin + MLP(vec E)
//   p = CIN(E)  [B, Σ_k H_k]  (sum-pooled feature maps, cin.h);  MLP hidden [64, 64, 64] -> 1
//   h = [p, last hidden layer of the MLP]  [B, Σ_k H_k + 64]
#include <stdexcept>

#include "llactr/ctr/cin.h"
#include "llactr/ctr/first_order.h"
#include "llactr/ctr/models.h"
#include "llactr/nn/mlp.h"
#include "llactr/tensor/ops.h"

namespace llactr {
namespace {

class XDeepFm : public Backbone {
 public:
  XDeepFm(const BackboneConfig& cfg, Rng& rng)
      : Backbone("xDeepFM", cfg, rng), linear_(cfg.vocab_size, cfg.embedding_std, false, rng, "lr") {
    if (cfg.xdeepfm_dnn.empty()) throw std::invalid_argument("xDeepFM: need a non-empty xdeepfm_dnn");
    cin_ = CompressedInteractionNet(cfg.input_fields(), cfg.xdeepfm_cin, rng, "cin");
    cin_fc_ = Linear(cin_.out_dim(), 1, rng, "cin.fc");
    MlpOptions o;
    o.hidden = cfg.xdeepfm_dnn;
    o.dropout = cfg.net_dropout;
    o.output_dim = 1;
    dnn_ = Mlp(int64_t(cfg.input_fields()) * cfg.embedding_dim, o, rng, "dnn");
    own(linear_.parameters());
    own(cin_.parameters());
    own(cin_fc_.parameters());
    own(dnn_.parameters());
  }

  Var logit(const Var& E, const int32_t* ids, const ForwardContext& ctx) override {
    const int64_t B = E.dim(0);
    // Linear part, CIN and DNN, all read E.
    Var lr = linear_.forward(ids, B, cfg_.num_fields);                           // [B]
    Var p = cin_.forward(E);                                                      // [B, Σ H_k]
    Var last;
    Var deep = dnn_.forward(reshape(E, {B, -1}), ctx.training, ctx.rng, &last);  // [B, 1]
    hidden_ = concat({p, last}, 1);
    return add(lr, reshape(add(cin_fc_.forward(p), deep), {B}));
  }
  int64_t hidden_dim() const override { return cin_.out_dim() + cfg_.xdeepfm_dnn.back(); }

 private:
  FirstOrder linear_;
  CompressedInteractionNet cin_;
  Linear cin_fc_;
  Mlp dnn_;
};

}  // namespace

std::unique_ptr<Backbone> make_xdeepfm(const BackboneConfig& cfg, Rng& rng) {
  return std::make_unique<XDeepFm>(cfg, rng);
}

}  // namespace llactr

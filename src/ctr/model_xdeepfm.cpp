// xDeepFM (Lian et al., KDD 2018), as FuxiCTR's model_zoo/xDeepFM:
//   y = Σ_i w[x_i] + w_cinᵀ p + b_cin + MLP(vec E)
//   p = CIN(E)  [B, Σ_k H_k]  (sum-pooled feature maps, cin.h);  MLP hidden [64, 64, 64] -> 1
//   h = [p, last hidden layer of the MLP]  [B, Σ_k H_k + 64]
#include "llactr/ctr/backbone.h"
#include "llactr/ctr/cin.h"
#include "llactr/ctr/first_order.h"
#include "llactr/nn/mlp.h"
#include "llactr/tensor/ops.h"

namespace llactr {
namespace {

struct XDeepFmOptions {
  std::vector<int64_t> cin{16, 16, 16};  // FuxiCTR's class defaults
  std::vector<int64_t> mlp{64, 64, 64};
};

const OptionTable<XDeepFmOptions>& xdeepfm_options() {
  using O = XDeepFmOptions;
  static const OptionTable<O> table = OptionTable<O>()
                                          .units("xdeepfm-cin", &O::cin, "xDeepFM's CIN: feature maps per layer")
                                          .units("xdeepfm-mlp", &O::mlp, "xDeepFM's DNN: hidden units (dropout: --net-dropout)");
  return table;
}

class XDeepFm : public Backbone {
 public:
  XDeepFm(const BackboneConfig& cfg, Rng& rng)
      : Backbone("xDeepFM", cfg, rng),
        own_(xdeepfm_options().read(cfg.options)),
        linear_(cfg.vocab_size, cfg.embedding_std, false, rng, "lr") {
    cin_ = CompressedInteractionNet(cfg.input_fields(), own_.cin, rng, "cin");
    cin_fc_ = Linear(cin_.out_dim(), 1, rng, "cin.fc");
    MlpOptions o;
    o.hidden = own_.mlp;
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
  int64_t hidden_dim() const override { return cin_.out_dim() + own_.mlp.back(); }

 private:
  XDeepFmOptions own_;
  FirstOrder linear_;
  CompressedInteractionNet cin_;
  Linear cin_fc_;
  Mlp dnn_;
};

}  // namespace

BackboneEntry xdeepfm_backbone() {
  return {"xDeepFM", xdeepfm_options().options(), construct<XDeepFm>,
          /*torch_init=*/false, /*paper_six=*/false, {}};
}

}  // namespace llactr

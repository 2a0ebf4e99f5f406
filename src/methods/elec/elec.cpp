#include "llactr/methods/elec/elec.h"

#include <cmath>
#include <stdexcept>

#include "llactr/ctr/trainer_state.h"
#include "llactr/tensor/ops.h"
#include "llactr/tensor/param_values.h"
#include "llactr/tensor/rng.h"

namespace llactr::methods {

Var elec_distillation_loss(const Var& z_V, const Var& h_V, const Var& z_G, const Var& h_G, const Linear& W,
                           float alpha, float beta, float tau) {
  Var loss;
  if (alpha > 0) {
    // Score: the soft target t = σ(z_G/τ) is a constant (sg), so ∂/∂z_V = α(σ(z_V/τ) − t)/(τ·B) and G gets nothing.
    Tensor t = z_G.value();  // [B]
    for (int64_t i = 0; i < t.numel(); ++i) t[i] = 1.0f / (1.0f + std::exp(-t[i] / tau));
    loss = mul_scalar(bce_with_logits(mul_scalar(z_V, 1.0f / tau), t), alpha);
  }
  if (beta > 0) {
    // Representation: mse = mean over B·d_G of (W·h_V − sg[h_G])² = mean_b ‖·‖² / d_G.
    Var rep = mul_scalar(mse(W.forward(h_V), detach(h_G)), beta);  // W·h_V: [B, d_G]
    loss = loss ? add(loss, rep) : rep;
  }
  return loss;
}

// ---- the injector

ElecInjector::ElecInjector(const ElecPrepared& prep, ElecInject inject, int64_t embedding_dim, Rng& rng)
    : inject_(inject), D_(embedding_dim), without_llm_(prep.without_llm) {
  if (!without_llm_) {
    if (prep.embedding_dim != embedding_dim)
      throw std::invalid_argument("ELEC: stage 1 built T for D = " + std::to_string(prep.embedding_dim) +
                                  ", the backbone has D = " + std::to_string(embedding_dim));
    // A fresh T with stage 1's weights: each backbone starts from them and trains its own copy.
    ElecTower tower(prep.vectors.dim, embedding_dim, prep.t_hidden, rng);
    restore_values(tower.parameters(), prep.tower);
    T_ = tower.T;
  }
  if (inject_ == ElecInject::Hidden) w_v_ = Linear(embedding_dim, 1, rng, "elec.w_v", false);
}

std::vector<Var> ElecInjector::parameters() {
  std::vector<Var> ps = without_llm_ ? std::vector<Var>{} : T_.parameters();
  if (inject_ == ElecInject::Hidden) ps.push_back(w_v_.W);
  return ps;
}

Var ElecInjector::vector(const data::Batch& batch) const {
  const int64_t B = int64_t(batch.size);
  if (without_llm_) return constant(Tensor({B, D_}, 0.0f));
  if (batch.dense_dim < 1) throw std::invalid_argument("ELEC: the batch carries no LLM vectors (Split::dense)");
  Tensor p({B, batch.dense_dim}, std::vector<float>(batch.dense.begin(), batch.dense.begin() + B * batch.dense_dim));
  return T_.forward(constant(std::move(p)), false, nullptr);  // [B, D]
}

Var ElecInjector::extra_fields(const Var&, const data::Batch& batch) {
  if (inject_ != ElecInject::Field) return Var();
  return reshape(vector(batch), {int64_t(batch.size), 1, D_});  // [B, 1, D]
}

Var ElecInjector::extra_logit(const Var&, const data::Batch& batch) {
  if (inject_ != ElecInject::Hidden) return Var();
  return reshape(w_v_.forward(vector(batch)), {int64_t(batch.size)});  // [B]
}

// ---- the distiller

ElecDistiller::ElecDistiller(Backbone& gain, ElecInjector& injector, int64_t vanilla_hidden_dim, bool train_gain,
                             const ElecOptions& o, Rng& rng)
    : gain_(gain),
      injector_(injector),
      W_(vanilla_hidden_dim, gain.hidden_dim(), rng, "elec.W"),
      train_gain_(train_gain),
      alpha_(o.alpha),
      beta_(o.beta),
      tau_(o.tau),
      dropout_rng_(o.seed ^ 0x9a1du) {}

std::vector<Var> ElecDistiller::parameters() {
  std::vector<Var> ps = W_.parameters();
  if (train_gain_) {
    for (const Var& p : gain_.parameters()) ps.push_back(p);
    for (const Var& p : injector_.parameters()) ps.push_back(p);
  }
  return ps;
}

Var ElecDistiller::extra_loss(const Var&, const Var& h_V, const Var& z_V, const data::Batch& batch) {
  Var z_G, h_G;
  {
    // A fixed G (two-stage) is run without recording: it needs no gradient and no dropout.
    std::unique_ptr<NoGrad> fixed = train_gain_ ? nullptr : std::make_unique<NoGrad>();
    z_G = forward_logits(gain_, batch, ForwardContext{train_gain_, &dropout_rng_}, &injector_);  // [B]
    h_G = gain_.hidden();                                                                         // [B, d_G]
  }
  Var loss = elec_distillation_loss(z_V, h_V, z_G, h_G, W_, alpha_, beta_, tau_);
  if (train_gain_) {
    Tensor y({int64_t(batch.size)}, std::vector<float>(batch.labels.begin(), batch.labels.begin() + batch.size));
    Var bce_G = bce_with_logits(z_G, y);
    loss = loss ? add(loss, bce_G) : bce_G;
  }
  return loss;
}

// ---- the driver

data::Split with_vectors(const data::Split& split, const std::vector<float>& p, int dim) {
  data::Split s = split;
  if (p.empty()) return s;
  if (p.size() != split.size() * size_t(dim))
    throw std::invalid_argument("ELEC: " + std::to_string(p.size()) + " vector values for " + std::to_string(split.size()) +
                                " rows of dimension " + std::to_string(dim));
  s.dense = p;
  s.dense_dim = dim;
  return s;
}

ElecResult run_elec(const data::Dataset& dataset, const std::string& backbone, const BackboneConfig& cfg,
                    const TrainConfig& train_cfg, const ElecPrepared& prep, const ElecOptions& o) {
  o.validate();
  const int dim = prep.without_llm ? 0 : prep.vectors.dim;
  const data::Split train_s = with_vectors(dataset.train, prep.vectors.train, dim);
  const data::Split valid_s = with_vectors(dataset.valid, prep.vectors.valid, dim);
  const data::Split test_s = with_vectors(dataset.test, prep.vectors.test, dim);

  // V first from Rng(seed): the same initialisation as the base method; then G, T, W from the same generator.
  ElecResult r;
  Rng init(train_cfg.seed);
  r.vanilla_model = make_backbone(backbone, cfg, init);
  BackboneConfig gain_cfg = cfg;
  gain_cfg.extra_fields = o.inject == ElecInject::Field ? 1 : 0;
  r.gain_model = make_backbone(backbone, gain_cfg, init);
  ElecInjector injector(prep, o.inject, cfg.embedding_dim, init);

  const bool joint = o.schedule == ElecSchedule::Joint;
  // Each training keeps its own state file (--resume): G's, then V's.
  TrainConfig gain_cfg_train = train_cfg, vanilla_cfg_train = train_cfg;
  gain_cfg_train.state.path = state_part(train_cfg.state.path, "gain");
  vanilla_cfg_train.state.path = state_part(train_cfg.state.path, "vanilla");
  if (!joint) r.gain_train = train(*r.gain_model, train_s, valid_s, gain_cfg_train, &injector);  // G to early stopping
  ElecDistiller distiller(*r.gain_model, injector, r.vanilla_model->hidden_dim(), joint, o, init);
  r.train = train(*r.vanilla_model, train_s, valid_s, vanilla_cfg_train, &distiller);
  r.train_seconds = r.train.train_seconds + r.gain_train.train_seconds;

  r.vanilla = evaluate(*r.vanilla_model, dataset.test, eval_fields(dataset), train_cfg.batch_size);  // V alone
  r.gain = evaluate(*r.gain_model, test_s, eval_fields(dataset), train_cfg.batch_size, &injector);
  r.gain.infer_us_per_sample += prep.llm_us_per_sample;  // G serves one LLM forward per sample
  return r;
}

}  // namespace llactr::methods

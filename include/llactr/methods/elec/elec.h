// ELEC's two networks and the distillation between them (docs/ELEC.md).
//
//   gain network G:    E_G = [E; v]  [B, N+1, D],  v = T(p) [B, D]   -> z_G [B], h_G [B, d_G]
//                      (inject hidden: z_G = backbone(E) + w_vᵀ v, the same as v joining h
//                       before a linear output layer)
//   vanilla network V: the same backbone on E [B, N, D] alone          -> z_V [B], h_V [B, d_V]
//
//   L = BCE(y, σ(z_G)) + BCE(y, σ(z_V)) + α·BCE(sg[σ(z_G/τ)], σ(z_V/τ)) + β·‖W·h_V − sg[h_G]‖²/d_G
//
// V is the model the trainer trains and early-stops on; G, T and W are an Enhancer's parameters.
// Only V is served: its checkpoint needs no GGUF.
//
//   ElecPrepared prep = prepare_elec(d, cfg.embedding_dim, o);             // once per dataset
//   ElecResult r = run_elec(d, backbone, cfg, TrainConfig{}, prep, o);     // per backbone and seed
#pragma once
#include <memory>
#include <string>

#include "llactr/ctr/backbone.h"
#include "llactr/ctr/trainer.h"
#include "llactr/methods/elec/elec_llm.h"

namespace llactr::methods {

// α·BCE(sg[σ(z_G/τ)], σ(z_V/τ)) + β·mean_b ‖W·h_V − sg[h_G]‖² / d_G  -> scalar [].
// z_V, z_G: [B];  h_V: [B, d_V];  h_G: [B, d_G];  W: d_V -> d_G.  No gradient reaches z_G or h_G.
Var elec_distillation_loss(const Var& z_V, const Var& h_V, const Var& z_G, const Var& h_G, const Linear& W,
                           float alpha, float beta, float tau);

// Gives G its LLM vector: v = T(p) from each batch row's cached p (Batch::dense), or v = 0 without LLM.
class ElecInjector : public Enhancer {
 public:
  ElecInjector(const ElecPrepared& prep, ElecInject inject, int64_t embedding_dim, Rng& rng);
  std::vector<Var> parameters() override;
  Var extra_fields(const Var& E, const data::Batch& batch) override;  // field: [B, 1, D]
  Var extra_logit(const Var& E, const data::Batch& batch) override;   // hidden: w_vᵀ v  [B]
  Var vector(const data::Batch& batch) const;                          // v: [B, D]

 private:
  ElecInject inject_;
  int64_t D_;
  bool without_llm_;
  Mlp T_;          // from stage 1
  Linear w_v_;     // hidden only: D -> 1, no bias
};

// The distillation enhancer of V's training: runs G on the same batch and adds G's BCE (when G
// trains), α·score and β·representation distillation. train_gain = false (two-stage): G is fixed.
class ElecDistiller : public Enhancer {
 public:
  ElecDistiller(Backbone& gain, ElecInjector& injector, int64_t vanilla_hidden_dim, bool train_gain,
                const ElecOptions& o, Rng& rng);
  std::vector<Var> parameters() override;
  Var extra_loss(const Var& E, const Var& h, const Var& y, const data::Batch& batch) override;
  std::vector<Rng*> rngs() override { return {&dropout_rng_}; }

 private:
  Backbone& gain_;
  ElecInjector& injector_;
  Linear W_;  // d_V -> d_G
  bool train_gain_;
  float alpha_, beta_, tau_;
  Rng dropout_rng_;
};

// A copy of the split with each row's cached p attached as Batch::dense (dense_dim 0 without LLM).
data::Split with_vectors(const data::Split& split, const std::vector<float>& p, int dim);

struct ElecResult {
  TrainResult train;            // V's training (joint: G trains with it)
  TrainResult gain_train;       // two-stage only: G's own training
  EvalResult vanilla, gain;     // test metrics of V (method `elec`) and G (method `elec-gain`)
  double train_seconds = 0;     // all training of this backbone (both stages)
  std::unique_ptr<Backbone> vanilla_model, gain_model;
};

// Trains G and V on one backbone with one seed (train.seed; the models' init from it too).
// G's inference time includes one LLM forward per sample (prep.llm_us_per_sample, measured).
ElecResult run_elec(const data::Dataset& dataset, const std::string& backbone, const BackboneConfig& cfg,
                    const TrainConfig& train, const ElecPrepared& prep, const ElecOptions& options);

}  // namespace llactr::methods

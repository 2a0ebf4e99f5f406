// The common interface of the CTR backbones, and the backbone table that lists them (one row per
// model file, src/ctr/model_*.cpp).
//
// A backbone maps a batch of B rows of N global feature ids to B logits in two steps:
//
//   Var E = model.embed(ids, B);               // E: [B, N, D], one shared offset table
//   Var y = model.logit(E, ids, ctx);          // y: [B]; model.hidden() is now h: [B, d_h]
//
// The LLM-enhanced methods hook in between: LLaCTR adds a loss on E and a logit term on E,
// ELEC distils h, ClickPrompt turns h into prompts. docs/BACKBONES.md gives each model's
// equations and what its h is.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "llactr/nn/linear.h"
#include "llactr/tensor/autograd.h"
#include "llactr/util/option.h"

namespace llactr {

class Rng;

// How a backbone's parameters start.
enum class ParamInit {
  FuxiCtr,  // FuxiCTR's init_weights: embeddings N(0, embedding_std²), Linear Xavier normal, zero bias
  Torch,    // PyTorch's own defaults: embeddings N(0, 1), Linear W and b uniform in ±1/√in. Two of
            // the LLaCTR code's models never call init_weights, so they start like this (docs/BACKBONES.md).
};
ParamInit parse_param_init(const std::string& name);  // "fuxictr" or "torch"; throws std::invalid_argument
const char* param_init_name(ParamInit p);
std::string param_init_text(const ParamInit& p);  // param_init_name as a string (the option's formatter)

// What every backbone shares. Each model's own sizes are its options (its row in the backbone
// table below), held here by name in `options`.
struct BackboneConfig {
  int num_fields = 0;        // N: the id fields of a row
  // Extra embedding fields the caller appends to E before logit() (ELEC's gain network: 1, the
  // LLM vector). Field-dependent parameters are sized for N + extra_fields; first-order terms
  // read only the N ids. 0 = the plain backbone.
  int extra_fields = 0;
  int input_fields() const { return num_fields + extra_fields; }  // N' = the fields logit() sees
  int64_t vocab_size = 0;    // rows of the embedding table (the encoder's total vocabulary)
  int embedding_dim = 32;    // D (--embedding-dim)
  float embedding_std = 1e-4f;  // with ParamInit::FuxiCtr
  // Parameters with an explicit init of their own (LayerNorm's (1, 0), and those each model's file
  // names) keep it under both.
  // ParamInit::Torch works for the rows whose torch_init is true; the others reject it.
  ParamInit init = ParamInit::FuxiCtr;  // --init
  float net_dropout = 0.0f;  // --net-dropout: dropout in the models' deep MLPs (each row's help says where)
  // The models' own options by name, as their rows declare them ("mymodel-mlp" -> "400,400,400");
  // an absent one takes its declared default, and a model ignores the other models' options.
  OptionValues options;
};

// The shared options above (--embedding-dim, --init, --net-dropout), bound to BackboneConfig.
const OptionTable<BackboneConfig>& backbone_config_options();

// The std of the embedding tables (and first-order tables) and the Linear init that cfg.init implies.
float embedding_init_std(const BackboneConfig& cfg);
LinearInit linear_init(const BackboneConfig& cfg);

// What a forward pass may use besides its inputs: dropout needs training mode and an Rng.
struct ForwardContext {
  bool training = false;
  Rng* rng = nullptr;  // required when training and the model has dropout
};

class Backbone {
 public:
  virtual ~Backbone() = default;
  Backbone(const Backbone&) = delete;
  Backbone& operator=(const Backbone&) = delete;

  const std::string& name() const { return name_; }
  const BackboneConfig& config() const { return cfg_; }

  // ids: [B, N] global ids, row-major -> E: [B, N, D]
  Var embed(const int32_t* ids, int64_t B) const;
  // E: [B, N', D] (N' = input_fields(): the N id fields, then the extra ones) for the same rows
  // as ids [B, N] -> logits [B]; sets hidden().
  virtual Var logit(const Var& E, const int32_t* ids, const ForwardContext& ctx) = 0;
  // h: [B, hidden_dim()] of the most recent logit() call.
  const Var& hidden() const { return hidden_; }
  virtual int64_t hidden_dim() const = 0;

  // Every trainable tensor, the embedding table first; names are unique ("embedding", "mlp.0.W", ..).
  const std::vector<Var>& parameters() const { return params_; }
  Var parameter(const std::string& name) const;  // throws std::invalid_argument if absent
  int64_t num_parameters() const;                // total elements

 protected:
  // Draws the embedding table N(0, embedding_init_std(cfg)²) from rng: the first draws of every model.
  Backbone(std::string name, const BackboneConfig& cfg, Rng& rng);
  void own(const Var& p) { params_.push_back(p); }
  void own(const std::vector<Var>& ps) { params_.insert(params_.end(), ps.begin(), ps.end()); }

  std::string name_;
  BackboneConfig cfg_;
  Var table_;   // [V, D]
  Var hidden_;  // set by logit()
  std::vector<Var> params_;
};

// The backbone table: one row per model, given by the model's own file (src/ctr/model_<name>.cpp)
// and listed in src/ctr/backbone_table.cpp; run_experiment, its --help, per-backbone overrides and
// checkpoints loop over it and name no model.
struct BackboneEntry {
  std::string name;  // as --backbones spells it, and Backbone::name()
  // The model's own options (sizes), named with its lowercased name: MyModel's --mymodel-mlp.
  std::vector<Option> options;
  std::unique_ptr<Backbone> (*make)(const BackboneConfig& cfg, Rng& rng);
  bool torch_init = false;   // implements ParamInit::Torch
  bool paper_six = false;    // one of the six backbones of the LLaCTR paper's table (--backbones six)
  // Training settings chosen on validation for this model, which a run uses unless they are set
  // for all backbones or for it (apps/backbone_overrides.h): {{"lr", "1e-4"}}.
  std::vector<std::pair<std::string, std::string>> settings;
  // LLaCTR's --llactr-fie-mode released (docs/LLACTR.md): the released LLaCTR code adds the FIE term
  // to this model's logit as the constant λ_FIE·Σ_p s̃_p, the same for every sample, instead of
  // the per-sample Σ_p s̃_p ⟨e_i, e_j⟩. LlactrEnhancer reads it from the row; the per-sample
  // mode ignores it.
  bool released_fie_constant = false;
};

// The factory of a row whose model class takes (cfg, rng): {"Name", options, construct<Model>, ..}.
template <class Model>
std::unique_ptr<Backbone> construct(const BackboneConfig& cfg, Rng& rng) {
  return std::make_unique<Model>(cfg, rng);
}

const std::vector<BackboneEntry>& backbone_table();
const BackboneEntry& backbone_entry(const std::string& name);  // std::invalid_argument listing the known names
const std::vector<std::string>& backbone_names();              // the table's names, in its order
// The named row's own options, each with its value in `given` or else its default.
OptionValues backbone_option_values(const std::string& name, const OptionValues& given);
// Throws std::invalid_argument for an unknown name (listing the known ones), an option no row
// declares, or a bad config.
std::unique_ptr<Backbone> make_backbone(const std::string& name, const BackboneConfig& cfg, Rng& rng);

// Adds a row to the table for the registration's lifetime (a model outside the library, e.g. a
// test's toy; std::logic_error for a name already taken):
//   const BackboneRegistration toy({"Toy", toy_options().options(), construct<Toy>});
class BackboneRegistration {
 public:
  explicit BackboneRegistration(BackboneEntry entry);
  ~BackboneRegistration();
  BackboneRegistration(const BackboneRegistration&) = delete;
  BackboneRegistration& operator=(const BackboneRegistration&) = delete;

 private:
  std::string name_;
};

}  // namespace llactr

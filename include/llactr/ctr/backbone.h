// The common interface of the CTR backbones (FM, DeepFM, FwFM, FmFM, FinalMLP, WuKong, DCNv2,
// xDeepFM, AutoInt, LR).
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
#include <vector>

#include "llactr/nn/linear.h"
#include "llactr/tensor/autograd.h"

namespace llactr {

class Rng;

// How a backbone's parameters start.
enum class ParamInit {
  FuxiCtr,  // FuxiCTR's init_weights: embeddings N(0, embedding_std²), Linear Xavier normal, zero bias
  Torch,    // PyTorch's own defaults: embeddings N(0, 1), Linear W and b uniform in ±1/√in. The LLaCTR
            // code's FinalMLP and WuKong never call init_weights, so they start like this.
};
ParamInit parse_param_init(const std::string& name);  // "fuxictr" or "torch"; throws std::invalid_argument
const char* param_init_name(ParamInit p);

// Sizes and architecture. The defaults are the ones run_experiment uses (docs/BACKBONES.md).
struct BackboneConfig {
  int num_fields = 0;        // N: the id fields of a row
  // Extra embedding fields the caller appends to E before logit() (ELEC's gain network: 1, the
  // LLM vector). Field-dependent parameters are sized for N + extra_fields; first-order terms
  // read only the N ids. 0 = the plain backbone.
  int extra_fields = 0;
  int input_fields() const { return num_fields + extra_fields; }  // N' = the fields logit() sees
  int64_t vocab_size = 0;    // rows of the embedding table (the encoder's total vocabulary)
  int embedding_dim = 32;    // D
  float embedding_std = 1e-4f;  // with ParamInit::FuxiCtr
  // Parameters with an explicit init of their own keep it under both: FmFM's M and FinalMLP's w_xy
  // (Xavier normal), WuKong's P (N(0, 1)), LayerNorm (1, 0), FinalMLP's gate inputs (0).
  // ParamInit::Torch is implemented for LR and the paper's six; the others reject it.
  ParamInit init = ParamInit::FuxiCtr;

  std::vector<int64_t> deepfm_hidden{300, 300, 128};
  float net_dropout = 0.0f;  // DeepFM's and FinalMLP's MLPs

  std::vector<int64_t> finalmlp_mlp1{64, 64, 64};
  std::vector<int64_t> finalmlp_mlp2{64, 64, 64};
  std::vector<int64_t> finalmlp_fs_hidden{64};
  int finalmlp_heads = 2;

  int wukong_layers = 3;
  std::vector<int64_t> wukong_fmb_units{32, 32};
  int64_t wukong_fmb_dim = 40;
  int64_t wukong_compression_dim = 40;
  int64_t wukong_project_dim = 8;
  std::vector<int64_t> wukong_mlp{32, 32};
  float wukong_dropout = 0.2f;  // in the LCB, as FuxiCTR

  int dcnv2_cross_layers = 3;                    // FuxiCTR's num_cross_layers
  std::vector<int64_t> dcnv2_dnn{300, 300, 128};  // the parallel DNN (as DeepFM's)

  std::vector<int64_t> xdeepfm_cin{16, 16, 16};  // FuxiCTR's class defaults
  std::vector<int64_t> xdeepfm_dnn{64, 64, 64};

  int autoint_layers = 3;  // the paper's setting: 3 layers, 2 heads, d' = 32
  int autoint_heads = 2;
  int64_t autoint_attention_dim = 32;
};

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

// "LR", "FM", "DeepFM", "FwFM", "FmFM", "FinalMLP", "WuKong", "DCNv2", "xDeepFM", "AutoInt" (exact names).
const std::vector<std::string>& backbone_names();
// Throws std::invalid_argument for an unknown name (listing the known ones) or a bad config.
std::unique_ptr<Backbone> make_backbone(const std::string& name, const BackboneConfig& cfg, Rng& rng);

}  // namespace llactr

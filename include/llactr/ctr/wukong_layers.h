// WuKong's two blocks (Zhang et al., ICML 2024), as FuxiCTR's model_zoo/WuKong. Separate from
// the model so that bench/ can time each on its own.
//
// Both take X as vec(X) per row, [B, N·D]: the model keeps it flat from layer to layer.
//
//   FMB:  F = X Xᵀ P  [B, N, k]   (P: [N, k] low-rank projection, N(0, 1) init)
//         fmb = ReLU(MLP(LayerNorm(vec F)))                 [B, fmb_dim]
//   LCB:  lcb = Dropout(W vec X + b)                        [B, compression_dim]
#pragma once
#include <string>
#include <vector>

#include "llactr/ctr/backbone.h"
#include "llactr/nn/layer_norm_layer.h"
#include "llactr/nn/linear.h"
#include "llactr/nn/mlp.h"

namespace llactr {

// WuKong's own options (--wukong-*), declared in src/ctr/model_wukong.cpp; the defaults are FuxiCTR's.
struct WuKongOptions {
  int layers = 3;                          // interaction layers
  std::vector<int64_t> fmb_units{32, 32};  // the FMB's MLP: hidden units
  int64_t fmb_dim = 40;                    // the FMB's output width
  int64_t compression_dim = 40;            // the LCB's output width
  int64_t project_dim = 8;                 // k of the low-rank projection P
  std::vector<int64_t> mlp{32, 32};        // the final MLP: hidden units
  float dropout = 0.2f;                    // in the LCB, as FuxiCTR
};

struct FactorizationMachineBlock {
  Var P;           // [N, k]
  LayerNorm norm;  // over N·k
  Mlp mlp;         // N·k -> fmb_units -> fmb_dim

  FactorizationMachineBlock() = default;
  // Uses c's input_fields() and init, w's project_dim, fmb_units and fmb_dim.
  FactorizationMachineBlock(const BackboneConfig& c, const WuKongOptions& w, Rng& rng, const std::string& name);
  Var forward(const Var& X, const ForwardContext& ctx) const;  // X: [B, N·D] -> [B, fmb_dim]
  std::vector<Var> parameters() const;
};

struct LinearCompressionBlock {
  Linear proj;  // N·D -> compression_dim
  float dropout = 0;

  LinearCompressionBlock() = default;
  // Uses c's input_fields(), embedding_dim and init, w's compression_dim and dropout.
  LinearCompressionBlock(const BackboneConfig& c, const WuKongOptions& w, Rng& rng, const std::string& name);
  Var forward(const Var& X, const ForwardContext& ctx) const;  // X: [B, N·D] -> [B, compression_dim]
  std::vector<Var> parameters() const { return proj.parameters(); }
};

}  // namespace llactr

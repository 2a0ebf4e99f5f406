// A multi-layer perceptron as FuxiCTR's MLP_Block: hidden layers Linear -> activation -> dropout,
// then an optional output Linear and output activation. No batch norm.
#pragma once
#include <string>
#include <vector>

#include "llactr/nn/linear.h"

namespace llactr {

enum class Activation { None, Relu, Sigmoid, Tanh };
Var activate(const Var& x, Activation a);
Activation parse_activation(const std::string& name);  // "relu", "sigmoid", "tanh", "none" (any case)

struct MlpOptions {
  std::vector<int64_t> hidden;                // units per hidden layer, e.g. {300, 300, 128}
  Activation activation = Activation::Relu;   // after each hidden layer
  float dropout = 0.0f;                       // after each hidden activation (training only)
  int64_t output_dim = 0;                     // 0: no output layer, the last hidden layer is the output
  Activation output_activation = Activation::None;
  LinearInit init = LinearInit::XavierNormal;  // every layer's
};

class Mlp {
 public:
  Mlp() = default;
  Mlp(int64_t in_dim, const MlpOptions& opt, Rng& rng, const std::string& name);

  // x: [B, in] -> [B, out_dim()]. When last_hidden is given it receives the last hidden layer's
  // output [B, hidden.back()] (the input x itself when there are no hidden layers).
  Var forward(const Var& x, bool training, Rng* rng, Var* last_hidden = nullptr) const;
  // The MLP of x ⊙ s for a row-independent scale s [1, in] (a feature-selection gate), computed
  // as (x ⊙ s)·Wᵀ = x·(W ⊙ s)ᵀ: the first layer's [out, in] weights are scaled instead of the
  // [B, in] input, a pass over the batch less in the forward and in the backward.
  Var forward_scaled(const Var& x, const Var& s, bool training, Rng* rng, Var* last_hidden = nullptr) const;
  std::vector<Var> parameters() const;
  int64_t out_dim() const { return out_dim_; }

 private:
  MlpOptions opt_;
  std::vector<Linear> hidden_;
  Linear output_;
  bool has_output_ = false;
  int64_t out_dim_ = 0;
};

}  // namespace llactr

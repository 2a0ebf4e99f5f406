#include "llactr/nn/mlp.h"

#include <algorithm>
#include <stdexcept>

#include "llactr/tensor/ops.h"
#include "llactr/tensor/rng.h"

namespace llactr {

Var activate(const Var& x, Activation a) {
  switch (a) {
    case Activation::Relu: return relu(x);
    case Activation::Sigmoid: return sigmoid(x);
    case Activation::Tanh: return tanh(x);
    case Activation::None: break;
  }
  return x;
}

Activation parse_activation(const std::string& name) {
  std::string s = name;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  if (s == "relu") return Activation::Relu;
  if (s == "sigmoid") return Activation::Sigmoid;
  if (s == "tanh") return Activation::Tanh;
  if (s == "none" || s.empty()) return Activation::None;
  throw std::invalid_argument("unknown activation '" + name + "' (relu, sigmoid, tanh, none)");
}

Mlp::Mlp(int64_t in_dim, const MlpOptions& opt, Rng& rng, const std::string& name) : opt_(opt) {
  if (opt.dropout < 0.0f || opt.dropout >= 1.0f) throw std::invalid_argument(name + ": dropout must be in [0, 1)");
  int64_t d = in_dim;
  for (size_t i = 0; i < opt.hidden.size(); ++i) {
    hidden_.emplace_back(d, opt.hidden[i], rng, name + "." + std::to_string(i), true, opt.init);
    d = opt.hidden[i];
  }
  if (opt.output_dim > 0) {
    output_ = Linear(d, opt.output_dim, rng, name + ".out", true, opt.init);
    has_output_ = true;
    d = opt.output_dim;
  }
  out_dim_ = d;
}

Var Mlp::forward(const Var& x, bool training, Rng* rng, Var* last_hidden) const {
  return forward_scaled(x, Var(), training, rng, last_hidden);
}

Var Mlp::forward_scaled(const Var& x, const Var& s, bool training, Rng* rng, Var* last_hidden) const {
  Var y = x;
  for (size_t i = 0; i < hidden_.size(); ++i) {
    const Linear& layer = hidden_[i];
    // First layer with a scale: y = x · (W ⊙ s)ᵀ + b;  W ⊙ s: [out, in].
    Var W = i == 0 && s ? mul(layer.W, s) : layer.W;
    y = opt_.activation == Activation::Relu ? linear_relu(y, W, layer.b) : activate(linear(y, W, layer.b), opt_.activation);
    if (training && opt_.dropout > 0.0f) {
      if (!rng) throw std::logic_error("Mlp: dropout in training needs an Rng");
      y = dropout(y, opt_.dropout, *rng, true);
    }
  }
  if (last_hidden) *last_hidden = y;
  if (has_output_) {
    const bool first = hidden_.empty() && s;
    y = activate(first ? linear(y, mul(output_.W, s), output_.b) : output_.forward(y), opt_.output_activation);
  }
  return y;
}

std::vector<Var> Mlp::parameters() const {
  std::vector<Var> ps;
  for (const Linear& l : hidden_)
    for (const Var& p : l.parameters()) ps.push_back(p);
  if (has_output_)
    for (const Var& p : output_.parameters()) ps.push_back(p);
  return ps;
}

}  // namespace llactr

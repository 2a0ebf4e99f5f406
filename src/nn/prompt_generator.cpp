#include "llactr/nn/prompt_generator.h"

#include <stdexcept>

#include "llactr/tensor/ops.h"

namespace llactr {

int64_t PromptShape::width() const {
  return mode == PromptMode::Prefix ? prompts * n_layer * 2 * kv_dim : prompts * d_model;
}

PromptGenerator::PromptGenerator(int64_t in_dim, const PromptShape& shape, Rng& rng, const std::string& name)
    : shape_(shape) {
  auto need = [&](bool ok, const std::string& what) {
    if (!ok) throw std::invalid_argument(name + ": " + what);
  };
  need(in_dim >= 1, "the input width d_h must be >= 1");
  need(shape.prompts >= 0, "the number of prompts K must be >= 0, not " + std::to_string(shape.prompts));
  if (shape.mode == PromptMode::Prefix) {
    need(shape.hidden >= 1 && shape.n_layer >= 1 && shape.kv_dim >= 1, "prefix mode needs H', L and d_kv >= 1");
    if (shape.prompts == 0) return;
    MlpOptions o;
    o.hidden = {shape.hidden};
    o.activation = Activation::Tanh;
    o.output_dim = shape.width();
    prefix_ = Mlp(in_dim, o, rng, name);
  } else {
    need(shape.d_model >= 1, "input mode needs the model width d >= 1");
    for (int64_t k = 0; k < shape.prompts; ++k)
      soft_.emplace_back(in_dim, shape.d_model, rng, name + "." + std::to_string(k));
  }
}

Var PromptGenerator::forward(const Var& h) const {
  if (shape_.prompts == 0) return Var();
  if (shape_.mode == PromptMode::Prefix) return prefix_.forward(h, false, nullptr);  // [B, K·L·2·d_kv]
  std::vector<Var> tokens;                                                         // K x [B, d]
  for (const Linear& layer : soft_) tokens.push_back(layer.forward(h));
  return concat(tokens, 1);  // [B, K·d]: row b is [K, d]
}

std::vector<Var> PromptGenerator::parameters() const {
  if (shape_.mode == PromptMode::Prefix) return shape_.prompts == 0 ? std::vector<Var>{} : prefix_.parameters();
  std::vector<Var> ps;
  for (const Linear& layer : soft_)
    for (const Var& p : layer.parameters()) ps.push_back(p);
  return ps;
}

}  // namespace llactr

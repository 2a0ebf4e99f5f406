// ClickPrompt's prompt generator (Lin et al., WWW'24; docs/CLICKPROMPT.md): soft prompts for a
// language model, generated from a CTR model's final representation h.
//
//   prefix mode:  P = Linear(d_h -> H') - Tanh - Linear(H' -> K·L·2·d_kv) (h)     h: [B, d_h] -> P: [B, K·L·2·d_kv]
//                 row b of P, viewed [K, L, 2, n_kv_head, head_dim], holds for prompt k and layer l
//                 a key (index 0 of the "2" axis) and a value (1) per key/value head:
//                   key   of (b, k, l, g)[e] = P[b, ((k·L + l)·2 + 0)·d_kv + g·head_dim + e]
//                   value of (b, k, l, g)[e] = P[b, ((k·L + l)·2 + 1)·d_kv + g·head_dim + e]
//                 (d_kv = n_kv_head·head_dim). This is the reference's prompts.view(B, K, 2L, heads,
//                 head_dim) with key and value of layer l at 2l and 2l + 1, and it is the transformer's
//                 prefix layout [B, K, L, 2, d_kv] (llm/model/attention.h), so P goes to it unchanged.
//   input mode:   K soft token embeddings, token k = Linear_k(d_h -> d)(h)       h: [B, d_h] -> [B, K·d]
//                 (row b viewed [K, d]), to be prepended to the text's token embeddings.
//
// Initialisation as the reference's weight_init: Xavier-normal weights, zero biases (each of input
// mode's K layers drawn as its own Linear, in order k = 0..K-1). K = 0 generates nothing.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "llactr/nn/linear.h"
#include "llactr/nn/mlp.h"

namespace llactr {

enum class PromptMode { Prefix, Input };

struct PromptShape {
  PromptMode mode = PromptMode::Prefix;
  int64_t prompts = 10;  // K >= 0
  int64_t hidden = 0;    // H' (prefix mode), >= 1
  int64_t n_layer = 0;   // L (prefix mode), >= 1
  int64_t kv_dim = 0;    // d_kv = n_kv_head · head_dim (prefix mode), >= 1
  int64_t d_model = 0;   // d (input mode), >= 1
  // Width of one row of the generated prompts: K·L·2·d_kv (prefix) or K·d (input).
  int64_t width() const;
};

class PromptGenerator {
 public:
  PromptGenerator() = default;
  // Throws std::invalid_argument for in_dim < 1, K < 0, or a size the mode needs that is < 1.
  PromptGenerator(int64_t in_dim, const PromptShape& shape, Rng& rng, const std::string& name);

  // h: [B, d_h] -> [B, shape.width()]; an empty Var when K = 0.
  Var forward(const Var& h) const;
  std::vector<Var> parameters() const;
  const PromptShape& shape() const { return shape_; }

 private:
  PromptShape shape_;
  Mlp prefix_;                 // prefix mode
  std::vector<Linear> soft_;   // input mode: one layer per soft token
};

}  // namespace llactr

// Picks the next token from logits: greedy (temperature 0) or softmax(logits / T) restricted to
// the top_k most likely tokens, drawn with a seeded std::mt19937_64 (same seed -> same tokens).
#pragma once
#include <cstdint>
#include <random>
#include <vector>

namespace llactr::llm {

struct SamplerOptions {
  float temperature = 0.0f;  // <= 0: greedy (argmax; ties -> lowest id)
  int top_k = 0;             // <= 0 or >= vocab: no restriction
  uint64_t seed = 0;
};

class Sampler {
 public:
  Sampler(const SamplerOptions& options, int n_vocab);  // preallocates, so sample() does not
  int32_t sample(const float* logits);                  // logits: [n_vocab]

 private:
  SamplerOptions opt_;
  int n_vocab_;
  std::mt19937_64 rng_;
  std::vector<int32_t> ids_;  // [n_vocab] candidate ids, best first after partial sort
  std::vector<float> probs_;  // [n_vocab]
};

}  // namespace llactr::llm

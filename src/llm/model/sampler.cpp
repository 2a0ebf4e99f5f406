#include "llactr/llm/model/sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace llactr::llm {

Sampler::Sampler(const SamplerOptions& options, int n_vocab)
    : opt_(options), n_vocab_(n_vocab), rng_(options.seed), ids_(n_vocab), probs_(n_vocab) {
  if (n_vocab <= 0) throw std::invalid_argument("Sampler: empty vocabulary");
}

int32_t Sampler::sample(const float* logits) {
  if (opt_.temperature <= 0.0f) return int32_t(std::max_element(logits, logits + n_vocab_) - logits);

  // The k best ids, best first (ties -> lower id, so the order is deterministic).
  const int k = (opt_.top_k <= 0 || opt_.top_k > n_vocab_) ? n_vocab_ : opt_.top_k;
  std::iota(ids_.begin(), ids_.end(), 0);
  std::partial_sort(ids_.begin(), ids_.begin() + k, ids_.end(), [&](int32_t a, int32_t b) {
    return logits[a] > logits[b] || (logits[a] == logits[b] && a < b);
  });
  // p_i = softmax(logit_i / T) over those k, then one uniform draw against the running sum.
  const float max_logit = logits[ids_[0]];
  float sum = 0.0f;
  for (int i = 0; i < k; ++i) sum += probs_[i] = std::exp((logits[ids_[i]] - max_logit) / opt_.temperature);
  const float u = std::uniform_real_distribution<float>(0.0f, sum)(rng_);
  float acc = 0.0f;
  for (int i = 0; i < k; ++i) {
    acc += probs_[i];
    if (u < acc) return ids_[i];
  }
  return ids_[k - 1];
}

}  // namespace llactr::llm

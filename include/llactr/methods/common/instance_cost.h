// What an instance-level LLM-enhanced method (ELEC, KAR: one LLM pass per training sample) would
// cost with the same model, measured on a few thousand samples and extrapolated to the train
// split — the denominator of LLaCTR's efficiency argument (docs/SSFT.md).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "llactr/data/dataset.h"
#include "llactr/llm/model/language_model.h"

namespace llactr::methods {

struct InstanceCost {
  int samples = 0;            // samples timed (every (n_train / samples)-th train row)
  int64_t tokens = 0;         // their instance texts' tokens (methods/instance_text.h), after truncation
  int truncated = 0;          // texts longer than the model's context, cut to n_ctx tokens
  double seconds = 0;         // wall time of their forward passes (tokenisation excluded)
  size_t train_samples = 0;   // the train split's size
  double est_tokens = 0, est_seconds = 0;  // extrapolated to the whole train split
};

// One inference forward pass (final hidden states, no logits) per sampled instance text, `batch` at a time.
InstanceCost measure_instance_cost(const data::Dataset& dataset, const llm::LanguageModel& lm, int samples, int batch);

}  // namespace llactr::methods

// Autoregressive generation for one sequence with a KV cache: the prompt is processed in one
// batched pass, then one token per step. After the first step nothing is heap-allocated.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "llactr/llm/model/sampler.h"
#include "llactr/llm/model/transformer.h"

namespace llactr::llm {

// Generates up to n_new tokens after `prompt` (non-empty), stopping after `stop_id` if it is
// produced (-1: never stop early). on_token, if set, is called with each new token as it comes.
std::vector<int32_t> generate(const Model& model, const std::vector<int32_t>& prompt, int n_new,
                              Sampler& sampler, int32_t stop_id = -1,
                              const std::function<void(int32_t)>& on_token = {});

// `prompt` followed by the model's greedy continuation: up to n_new tokens, fewer when the model
// writes `stop_id` or the context (n_ctx) has no more room; a prompt that fills the context comes
// back as it is. How the text methods and the knowledge probe read what a model writes about a
// value (methods/common/row_text.h, `llactr probe --generate`).
std::vector<int32_t> with_greedy_continuation(const Model& model, std::vector<int32_t> prompt, int n_new,
                                              int32_t stop_id);

}  // namespace llactr::llm

// One vector per text: the final-norm hidden states of each sequence, pooled. The knowledge probe
// embeds words this way; `llactr embed` does it for one text.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "llactr/llm/model/attention.h"
#include "llactr/llm/model/transformer_weights.h"

namespace llactr::llm {

// Last: the sequence's last position (a causal LM has read the whole text there);
// Mean: the mean over its positions.
enum class Pooling { Last, Mean };
// How options spell them.
inline constexpr std::pair<const char*, Pooling> kPoolingNames[] = {{"last", Pooling::Last}, {"mean", Pooling::Mean}};
// "last" or "mean"; anything else throws std::invalid_argument naming the value.
Pooling parse_pooling(const std::string& name);

// seqs: n non-empty token lists -> [n, d], `batch` sequences per forward_packed call. Errors as
// forward_packed (a sequence longer than the context, a token outside the vocabulary).
std::vector<float> pooled_hidden(const Model& model, const std::vector<std::vector<int32_t>>& seqs, Pooling pooling,
                                 int batch = 64, AttentionMask attention = AttentionMask::Causal);

}  // namespace llactr::llm

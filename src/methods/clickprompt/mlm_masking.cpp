#include "llactr/methods/clickprompt/mlm_masking.h"

#include <stdexcept>
#include <string>

namespace llactr::methods {

MlmVocab mlm_vocab(const llm::Vocab& vocab) {
  const int32_t n = vocab.size();
  MlmVocab v;
  v.mask = vocab.unk_id;
  for (int32_t id = 0; v.mask < 0 && id < n; ++id)
    if (vocab.tokens[size_t(id)] == "_") v.mask = id;
  if (v.mask < 0)
    throw std::invalid_argument("PA-MLM: the " + vocab.model +
                                " vocabulary has no mask token (neither <unk> nor the token \"_\")");

  v.special.assign(size_t(n), 0);
  for (int32_t id = 0; id < n; ++id) {
    const llm::TokenType t = size_t(id) < vocab.types.size() ? vocab.types[size_t(id)] : llm::TokenType::Normal;
    if (t == llm::TokenType::Control || t == llm::TokenType::Unknown || t == llm::TokenType::Unused)
      v.special[size_t(id)] = 1;
  }
  for (int32_t id : {vocab.bos_id, vocab.eos_id, vocab.unk_id, v.mask})
    if (id >= 0) v.special[size_t(id)] = 1;
  for (int32_t id = 0; id < n; ++id)
    if (!v.special[size_t(id)]) v.ordinary.push_back(id);
  if (v.ordinary.empty())
    throw std::invalid_argument("PA-MLM: the " + vocab.model + " vocabulary has only special tokens");
  return v;
}

MaskedText mask_text(const std::vector<int32_t>& tokens, const MlmVocab& vocab, const MlmMasking& m, Rng& rng) {
  auto probability = [](float p) { return p >= 0 && p <= 1; };
  if (!probability(m.rate) || !probability(m.to_mask) || !probability(m.to_random) || m.to_mask + m.to_random > 1)
    throw std::invalid_argument("PA-MLM masking: rate, to_mask, to_random must lie in [0, 1] with to_mask + to_random <= 1");
  const int32_t n_vocab = int32_t(vocab.special.size());
  MaskedText out{tokens, std::vector<int32_t>(tokens.size(), -1)};
  for (size_t t = 0; t < tokens.size(); ++t) {
    const int32_t id = tokens[t];
    if (id < 0 || id >= n_vocab)
      throw std::invalid_argument("PA-MLM masking: token id " + std::to_string(id) + " at position " +
                                  std::to_string(t) + " is outside the vocabulary of " + std::to_string(n_vocab));
    // Position 0 has no row before it to predict it from (the shift below).
    if (t == 0 || vocab.special[size_t(id)] || !(rng.uniform() < m.rate)) continue;
    out.target[t - 1] = id;  // row t - 1's logits predict the token at t (LLM2Vec)
    const float u = rng.uniform();
    if (u < m.to_mask) out.input[t] = vocab.mask;
    else if (u < m.to_mask + m.to_random) out.input[t] = vocab.ordinary[rng.below(vocab.ordinary.size())];
  }
  return out;
}

}  // namespace llactr::methods

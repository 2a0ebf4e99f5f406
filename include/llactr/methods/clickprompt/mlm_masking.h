// The masking of ClickPrompt's PA-MLM (prompt-augmented masked language modelling;
// docs/CLICKPROMPT.md), adapted to a decoder as LLM2Vec's masked next-token prediction does.
//
// As the reference (BERT's recipe): each text token is chosen with probability `rate` (0.15); a
// chosen token becomes the mask token with probability 0.8, a random token with 0.1, and stays as
// it is with 0.1. Special tokens (BOS, EOS, <unk>, every control token) are never chosen; packed
// batches have no padding.
//
// The decoder adaptation (LLM2Vec): the pretrained LM head predicts the token after a row, so the
// chosen token at position t is predicted from the logits of row t - 1. The result's target[t - 1]
// is the original token at t; position 0 has no row before it and is never chosen.
//
//   MlmVocab v = mlm_vocab(tokenizer_vocab);
//   Rng rng(seed);
//   MaskedText m = mask_text(tokens, v, MlmMasking{}, rng);   // m.input to the LLM, CE on rows with m.target[t] >= 0
#pragma once
#include <cstdint>
#include <vector>

#include "llactr/llm/tokenizer/vocab.h"
#include "llactr/tensor/rng.h"

namespace llactr::methods {

struct MlmMasking {
  float rate = 0.15f;       // P(a text token is chosen)
  float to_mask = 0.8f;     // P(a chosen token becomes the mask token)
  float to_random = 0.1f;   // P(a chosen token becomes a random ordinary token); it stays with 1 - to_mask - to_random
};

// The token ids masking needs from a vocabulary.
struct MlmVocab {
  int32_t mask = -1;               // the mask token
  std::vector<uint8_t> special;    // [n_vocab] 1: never chosen, never drawn as a random token
  std::vector<int32_t> ordinary;   // the ids with special = 0: where random tokens are drawn from
};

// The mask token is the vocabulary's <unk> (llama's SentencePiece vocabularies have one; the model
// meets it almost never, so it carries no meaning of its own), else the token "_" (LLM2Vec's
// "blank" mask for vocabularies without one, such as qwen2's byte-level BPE). Special: BOS, EOS,
// <unk>, the mask token and every token typed control, unknown or unused. Throws
// std::invalid_argument when the vocabulary has neither <unk> nor "_", or no ordinary token.
MlmVocab mlm_vocab(const llm::Vocab& vocab);

struct MaskedText {
  std::vector<int32_t> input;   // [n] what the LLM reads
  std::vector<int32_t> target;  // [n] target[t]: the original token at t + 1 if t + 1 was chosen, else -1
};

// Masks one text's token ids, drawing from rng in position order: for each position t >= 1 that
// holds no special token, one uniform (chosen?), and for a chosen one a second uniform (mask,
// random or kept) and, for random, one index into vocab.ordinary. Throws std::invalid_argument
// for rates outside [0, 1] or to_mask + to_random > 1, and for a token id outside the vocabulary.
MaskedText mask_text(const std::vector<int32_t>& tokens, const MlmVocab& vocab, const MlmMasking& masking, Rng& rng);

}  // namespace llactr::methods

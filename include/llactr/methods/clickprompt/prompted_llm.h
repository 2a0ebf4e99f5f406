// ClickPrompt's language model with its prompts (docs/CLICKPROMPT.md): the prompt generator turns
// the backbone's h into soft prompts, and the LLM (LoRA on q and v, or fully tuned) reads the
// instance texts with them in place, under ClickPrompt's attention mask. PA-MLM and the
// fine-tunings share it.
//
//   PromptedLlm llm(lm.model, backbone.hidden_dim(), options);   // checks the LM head
//   llm.check_context(longest_text);                             // K + T <= n_ctx, before training
//   llm::TrainableOutput out = llm.forward(h, batch, training);  // h: [B, d_h] -> out.hidden: [N, d]
#pragma once
#include <cstdint>
#include <vector>

#include "llactr/llm/train/trainable_transformer.h"
#include "llactr/methods/clickprompt/clickprompt_options.h"
#include "llactr/nn/prompt_generator.h"

namespace llactr::methods {

// Throws std::invalid_argument when `model` has no LM head of shape [n_vocab, d] (no output.weight
// and no token embeddings to tie it to): PA-MLM predicts masked tokens through that head.
void require_lm_head(const llm::Model& model);

class PromptedLlm {
 public:
  // The generator for h of width d_h and, under --clickprompt-llm-tune lora, the LLM's LoRA
  // adapters (on q and v, dropout 0.05, as SSFT and ELEC), both drawn from options.seed.
  // Throws std::invalid_argument for a model without an LM head.
  PromptedLlm(const llm::Model& model, int64_t d_h, const ClickPromptOptions& options);

  // Throws std::invalid_argument when K prompts and a text of `longest_text` tokens need more
  // positions than the model's n_ctx, naming both.
  void check_context(size_t longest_text) const;

  // Final-norm hidden states of the batch's texts with the prompts of h in place.
  // h: [B, d_h], batch: B texts (pack_sequences) -> hidden [N, d] (the texts' rows), last [B, d].
  // training: LoRA dropout on.
  llm::TrainableOutput forward(const Var& h, const llm::PackedBatch& batch, bool training);
  // Data-parallel training: the batch of forward() is texts [first, first + count) of a global
  // batch of texts with these token counts, spread over the ranks. The LoRA dropout masks are then
  // the global batch's rows' masks (Rng::RowSlice over the packed rows, soft prompts included), as
  // one process draws them. Holds until the next call; a whole batch (first 0, every text) is the
  // one-process case.
  void set_dropout_slice(const std::vector<int64_t>& text_tokens, size_t first, size_t count);
  // hidden_rows: [n, d] -> [n, n_vocab] through the pretrained LM head.
  Var lm_logits(const Var& hidden_rows) const { return llm_.lm_logits(hidden_rows); }

  // The generator's, then the LLM's: its LoRA adapters, or under --clickprompt-llm-tune full
  // every weight.
  std::vector<Var> parameters() const;
  int64_t width() const { return llm_.config().n_embd; }  // d
  Rng& dropout_rng() { return dropout_rng_; }  // LoRA dropout's, for training-state files

 private:
  ClickPromptOptions options_;
  llm::TrainableTransformer llm_;
  PromptGenerator generator_;
  Rng dropout_rng_;
};

}  // namespace llactr::methods

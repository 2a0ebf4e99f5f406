// ClickPrompt's pre-training: prompt-augmented masked language modelling (PA-MLM;
// docs/CLICKPROMPT.md). No labels: the LLM recovers masked tokens of each instance text from the
// text's context and from the prompts the backbone's h generates, which aligns h with the text.
//
//   per step, B texts:  E = embed(ids); backbone.logit(E) -> h: [B, d_h]
//                       masked texts (mask_text, LLM2Vec's shift) -> hidden: [N, d] with prompts(h)
//                       loss = mean over chosen rows t-1 of CE(lm_head(hidden_{t-1}), x_t)
//   trains: the backbone up to h, the generator, the LoRA adapters (AdamW, no weight decay, so a
//   parameter h does not depend on, such as the backbone's output layer, keeps its initial value).
//
//   PaMlmResult r = pa_mlm(backbone, llm, texts, ids, vocab, options, /*progress=*/true);
#pragma once
#include <cstdint>
#include <vector>

#include "llactr/ctr/backbone.h"
#include "llactr/ctr/trainer.h"
#include "llactr/methods/clickprompt/mlm_masking.h"
#include "llactr/methods/clickprompt/prompted_llm.h"

namespace llactr::methods {

struct PaMlmResult {
  std::vector<double> epoch_loss;  // mean masked-token CE of each epoch's steps
  int64_t steps = 0;
  int64_t tokens = 0;   // text tokens the LLM read in training steps (prompts not counted)
  double seconds = 0;   // wall time of the steps
};

// Trains on `texts` (token ids, one per row) whose rows' global ids are ids ([texts.size(),
// num_fields], row-major), options.mlm_epochs epochs of options.mlm_batch texts in a seeded order
// (options.seed), with options.mask_rate. Checks the context (K + longest text <= n_ctx) first.
// progress: a line with the loss and tokens/s on stderr (live on a terminal, every 30 s in a log).
// state: after each epoch the whole loop's state goes to state.path (a training-state file of kind
// "pa-mlm": the backbone's and the LLM's trainable parameters, AdamW's state, the order, mask and
// both dropout generators, the text order, the losses and counts so far); with state.resume the
// loop continues from it bit for bit, or, when it had finished, only restores its weights.
// Throws std::runtime_error naming the file when its settings (backbone, texts, epochs, batch,
// lr, mask rate, seed) or parameters differ, and TrainingStopped after state.stop_after_epoch.
PaMlmResult pa_mlm(Backbone& backbone, PromptedLlm& llm, const std::vector<std::vector<int32_t>>& texts,
                   const std::vector<int32_t>& ids, const MlmVocab& vocab, const ClickPromptOptions& options,
                   bool progress, const StateFile& state = {});

}  // namespace llactr::methods

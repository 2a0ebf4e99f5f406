// ClickPrompt per backbone and seed (docs/CLICKPROMPT.md): PA-MLM pre-training once, then the
// fine-tunings of --clickprompt-rows, each from the PA-MLM weights, with the trainer (lr 1e-3,
// early stopping on validation AUC with the run's patience, the run's seed):
//
//   clickprompt      z = α·z_plm + (1 − α)·z_ctr   the backbone, generator, LoRA and head train; the LLM runs per batch
//   clickprompt-plm  z = z_plm                     the same parameters; the backbone's own logit is unused
//   clickprompt-ctr  z = z_ctr                     the backbone alone, plain BCE; no LLM at inference
//
// z_plm = head(mean of the text's final hidden states, prompts(h) in place); h = backbone.hidden().
// clickprompt-ctr's "fresh output layer": PA-MLM never changes a parameter that h does not depend
// on (pa_mlm.h), so the output layer is the one every method's backbone starts with.
//
//   RowText text = method_row_text(dataset, options.text(), "clickprompt", lm, true, cost);  // once
//   ClickPromptRun r = run_clickprompt(dataset, lm, text, backbone, bc, tc, options, /*progress=*/true);
#pragma once
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "llactr/ctr/trainer.h"
#include "llactr/data/dataset.h"
#include "llactr/llm/model/language_model.h"
#include "llactr/methods/clickprompt/clickprompt_head.h"
#include "llactr/methods/clickprompt/pa_mlm.h"
#include "llactr/methods/common/instance_text.h"

namespace llactr::methods {

// The token ids of the texts the LLM reads, each distinct text tokenised once. `text`: what the
// text options make of each row (method_row_text).
struct InstanceTokens {
  RowText text;
  const llm::Tokenizer& tokenizer;
  std::unordered_map<std::string, std::vector<int32_t>> by_text;
  const std::vector<int32_t>& of(const data::Split& split, size_t row);
};

// The fused and PLM rows' model as an Enhancer: fuse_logit(z_ctr, h, batch) runs the prompted LLM
// on the batch's texts and returns α·z_plm + (1 − α)·z_ctr, or z_plm (plm_only).
class ClickPromptEnhancer : public Enhancer {
 public:
  // texts: the rows' token ids (tokenised on demand when missing; the map grows).
  ClickPromptEnhancer(PromptedLlm& llm, ClickPromptHead& head, bool plm_only, InstanceTokens& texts);
  std::vector<Var> parameters() override;  // the generator, LoRA, the head (α last)
  Var fuse_logit(const Var& z_ctr, const Var& h, const data::Batch& batch) override;  // -> [B]
  std::vector<Rng*> rngs() override { return {&llm_.dropout_rng()}; }
  int64_t tokens() const { return tokens_; }  // text tokens the LLM has read

 private:
  PromptedLlm& llm_;
  ClickPromptHead& head_;
  bool plm_only_;
  InstanceTokens& texts_;
  int64_t tokens_ = 0;
};

struct ClickPromptRowResult {
  ClickPromptRow row = ClickPromptRow::Ctr;
  TrainResult train;
  EvalResult test;                  // infer µs per sample: the whole model, the LLM forward included
  double finetune_seconds = 0;      // wall time of train() (validation included)
  int64_t finetune_tokens = 0;      // text tokens the LLM read in fine-tuning and validation (0 for ctr)
  double alpha = 0;                 // α after training (fused)
  std::shared_ptr<Backbone> served; // the model that predicts alone: clickprompt-ctr only
};

struct ClickPromptRun {
  PaMlmResult mlm;                  // nothing with --clickprompt-without-mlm
  int64_t mlm_rows = 0;             // texts PA-MLM read per epoch
  int64_t finetune_rows = 0;        // train rows of the fine-tunings that run the LLM (fused, plm)
  int64_t finetune_valid_rows = 0;  // and their validation rows
  std::vector<ClickPromptRowResult> rows;  // in options.rows' order
};

// One backbone (make_backbone(backbone, bc, Rng(tc.seed)), as every method) and seed: PA-MLM,
// then the fine-tunings, the LLM reading `text` of each row. Every check (LM head, K + longest
// text <= n_ctx) comes before training.
ClickPromptRun run_clickprompt(const data::Dataset& dataset, const llm::LanguageModel& lm, const RowText& text,
                               const std::string& backbone,
                               const BackboneConfig& bc, const TrainConfig& tc, ClickPromptOptions options,
                               bool progress);

}  // namespace llactr::methods

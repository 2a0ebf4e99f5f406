// ClickPrompt's options (docs/CLICKPROMPT.md): the prompt generator, the attention mask, how the LLM
// is tuned, PA-MLM pre-training and the fusion of the fine-tuned logits. Every option is spelled
// --clickprompt-<name> on the command line; the members' initialisers are their defaults, and
// validate() checks every value before any data is read.
//
//   ClickPromptOptions o = clickprompt_options(values);  // values: the --clickprompt-* options as given
//   // (clickprompt_option_table() declares them, bound to the members)
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "llactr/llm/train/trainable_transformer.h"
#include "llactr/methods/common/row_text.h"
#include "llactr/nn/prompt_generator.h"
#include "llactr/util/option.h"

namespace llactr::methods {

// --clickprompt-mode prefix|input is a PromptMode (nn/prompt_generator.h), --clickprompt-llm-tune
// lora|full an llm::TuneMode (llm/train/trainable_transformer.h).
enum class PromptAttention { Bidirectional, Causal };  // --clickprompt-attention bidirectional|causal
// The fine-tunings, one result row each: `clickprompt` (z = α·z_plm + (1 − α)·z_ctr),
// `clickprompt-plm` (z = z_plm), `clickprompt-ctr` (the backbone alone). --clickprompt-rows fused,plm,ctr
enum class ClickPromptRow { Fused, Plm, Ctr };

struct ClickPromptOptions {
  // The prompt generator
  int prompts = 10;              // --clickprompt-prompts: K (0 = no prompts)
  int prompt_hidden = 0;         // --clickprompt-prompt-hidden: H' of prefix mode (0 = the LLM's width d)
  PromptMode mode = PromptMode::Prefix;
  PromptAttention attention = PromptAttention::Bidirectional;  // in PA-MLM and in fine-tuning
  // --clickprompt-text-fields: the fields whose sentences form the LLM's text ("" = every field, the
  // instance text), as --elec-text-fields: e.g. the item's own, so that a cold item's text is not
  // outweighed by the ids of the row's user and item (docs/results/knowledge.md).
  std::string text_fields;
  // --clickprompt-text-template and --clickprompt-generate, as ELEC's (methods/common/row_text.h):
  // the text as a template of {Field}s, and the tokens the untuned LLM writes after each distinct
  // text before PA-MLM (0 = none).
  std::string text_template;
  int generate = 0;
  RowTextOptions text() const { return {text_fields, text_template, generate}; }  // the three above

  // The LLM
  llm::TuneMode llm_tune = llm::TuneMode::Lora;
  int lora_rank = 8;             // --clickprompt-lora-r (on q and v, dropout 0.05, as SSFT and ELEC)
  float lora_alpha = 16.0f;      // --clickprompt-lora-alpha

  // PA-MLM pre-training
  float mask_rate = 0.15f;       // --clickprompt-mask-rate: share of text tokens chosen (80% mask, 10% random, 10% kept)
  int mlm_epochs = 1;            // --clickprompt-mlm-epochs
  float mlm_lr = 1e-3f;          // --clickprompt-mlm-lr: AdamW, backbone + generator + LLM
  int mlm_batch = 16;            // --clickprompt-mlm-batch: texts per step
  int64_t mlm_rows = 0;          // --clickprompt-mlm-rows: train rows read (a seeded subsample; 0 = all)
  bool without_mlm = false;      // --clickprompt-without-mlm: fine-tune from scratch (the control)

  // Fine-tuning: z = alpha * z_plm + (1 - alpha) * z_ctr
  std::vector<ClickPromptRow> rows{ClickPromptRow::Fused, ClickPromptRow::Plm, ClickPromptRow::Ctr};  // --clickprompt-rows
  float alpha = 0.5f;            // --clickprompt-alpha: alpha's initial value (learnable, unsquashed)
  int finetune_batch = 64;       // --clickprompt-finetune-batch: texts per step of the rows that run the LLM
  int64_t finetune_rows = 0;     // --clickprompt-finetune-rows: their train rows (a seeded subsample; 0 = all)
  // --clickprompt-finetune-valid-rows: the validation rows those rows early-stop on (a seeded
  // subsample; 0 = all): every epoch runs the LLM over each of them. The test is always whole.
  int64_t finetune_valid_rows = 0;

  uint64_t seed = 2024;          // masking, generator and head initialisation

  std::string label = "clickprompt";  // --clickprompt-label: the rows' names (LABEL, LABEL-plm, LABEL-ctr)
  int threads = 2;               // --clickprompt-threads: the whole method (PA-MLM and every fine-tuning)

  // Throws std::invalid_argument naming the option (as on the command line) and the bad value.
  void validate() const;
};

// The --clickprompt-* options, bound to ClickPromptOptions' members (their defaults).
const OptionTable<ClickPromptOptions>& clickprompt_option_table();
// The values of those options, parsed and validated (std::invalid_argument naming the option).
ClickPromptOptions clickprompt_options(const OptionValues& values);

PromptMode parse_prompt_mode(const std::string& s);                  // "prefix", "input"
PromptAttention parse_prompt_attention(const std::string& s);        // "bidirectional", "causal"
llm::TuneMode parse_clickprompt_llm_tune(const std::string& s);  // "lora", "full"
const char* prompt_mode_name(PromptMode m);
const char* prompt_attention_name(PromptAttention a);
const char* clickprompt_llm_tune_name(llm::TuneMode t);
// "fused,plm,ctr" (any non-empty subset, each once) -> the rows in that order.
std::vector<ClickPromptRow> parse_clickprompt_rows(const std::string& s);
const char* clickprompt_row_name(ClickPromptRow r);  // "fused", "plm", "ctr"
// The result rows' names for these option values, in --clickprompt-rows' order: LABEL (fused),
// LABEL-plm, LABEL-ctr, after --clickprompt-label.
std::vector<std::string> clickprompt_row_names(const OptionValues& options);
std::string format_clickprompt_rows(const std::vector<ClickPromptRow>& rows);  // "fused,plm,ctr"

}  // namespace llactr::methods

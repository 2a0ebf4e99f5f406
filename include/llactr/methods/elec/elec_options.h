// ELEC's options (docs/ELEC.md): stage 1 (adapt the LLM to CTR), the vector cache, the two
// networks and the distillation loss. The members' initialisers are the defaults of the --elec-*
// options that elec_option_table() declares; validate() checks every value before any data is read.
#pragma once
#include <cstdint>
#include <string>

#include "llactr/llm/model/pooled_hidden.h"
#include "llactr/llm/train/trainable_transformer.h"
#include "llactr/methods/common/row_text.h"
#include "llactr/util/option.h"

namespace llactr::methods {

enum class ElecLlmTune { Lora, Frozen };   // --elec-llm-tune lora|frozen
enum class ElecInject { Field, Hidden };   // --elec-inject field|hidden
enum class ElecSchedule { Joint, TwoStage };  // --elec-schedule joint|two-stage

struct ElecOptions {
  // Stage 1
  std::string model_path;        // --llm-model: a llama or qwen2 GGUF
  std::string out_dir = "data/cache/elec";  // --elec-dir: the stage-1 adapters and the vector cache (the method appends /<dataset>)
  ElecLlmTune llm_tune = ElecLlmTune::Lora;
  // --elec-llm-rows: train rows stage 1 reads (a seeded subsample; 0 = all). docs/ELEC.md says
  // why 2000: with stories260K one stage-1 epoch over them costs seconds, so the 20-minute budget
  // of six backbones holds even on a busy 2-core machine.
  int64_t llm_rows = 2000;
  int64_t llm_valid_rows = 1000;  // --elec-llm-valid-rows: validation rows for stage 1's early stopping (0 = all)
  int llm_epochs = 3;            // --elec-llm-epochs: at most; early stopping on validation AUC
  int llm_patience = 1;          // --elec-llm-patience
  float llm_lr = 1e-3f;          // --elec-llm-lr: AdamW, LoRA + T + head
  int llm_batch = 16;            // --elec-llm-batch: texts per stage-1 step (and per cache forward)
  llm::LoraOptions lora;         // r 8, alpha 16, dropout 0.05, q and v (as SSFT)
  int t_hidden = 256;            // T = Linear(d -> 256) - ReLU - Linear(256 -> D)
  // --elec-pool: how the instance text's hidden states become v, in stage 1 and the cache. Mean is
  // our reconstruction (ELEC's text is not public); last is a causal LM's state after the whole text.
  llm::Pooling pool = llm::Pooling::Mean;
  // --elec-text-fields: the fields whose sentences form the text the LLM reads ("" = every field,
  // the instance text). E.g. the item's own fields, so that v describes the item and not the row.
  std::string text_fields;
  // --elec-text-template: the text as a template of {Field}s ("{ItemName} is a"), in place of the
  // instance text's sentences ("" = sentences); exclusive with --elec-text-fields.
  std::string text_template;
  // --elec-generate: tokens the untuned LLM writes after each distinct text, greedily, before the
  // text is pooled (0 = none): a small LM's knowledge is in what it writes (methods/common/row_text.h).
  int generate = 0;
  RowTextOptions text() const { return {text_fields, text_template, generate}; }  // the three above
  bool use_cache = true;         // reuse out_dir's cached vectors when the key matches
  bool progress = true;          // progress lines on stderr

  // The networks and the loss
  ElecInject inject = ElecInject::Field;
  ElecSchedule schedule = ElecSchedule::Joint;
  float alpha = 1.0f;            // --elec-alpha: score distillation weight
  float beta = 0.1f;             // --elec-beta: representation distillation weight
  float tau = 1.0f;              // --elec-tau: temperature of the score distillation
  bool without_llm = false;      // --elec-without-llm: v = 0 (the self-distillation control)
  uint64_t seed = 2024;          // subsample, LoRA init, T, head, W

  // The method's rows and threads
  std::string label = "elec";    // --elec-label: the rows' names (V: LABEL, G: LABEL-gain)
  int threads = 2;               // --elec-threads: stage 1 and the vector cache (G and V train on --threads)

  // Throws std::invalid_argument naming the option (as on the command line) and the bad value.
  void validate() const;
};

// The --elec-* options, bound to ElecOptions' members (their defaults).
const OptionTable<ElecOptions>& elec_option_table();

ElecLlmTune parse_elec_llm_tune(const std::string& s);    // "lora", "frozen"
ElecInject parse_elec_inject(const std::string& s);       // "field", "hidden"
ElecSchedule parse_elec_schedule(const std::string& s);   // "joint", "two-stage"
const char* elec_llm_tune_name(ElecLlmTune t);
const char* elec_inject_name(ElecInject i);
const char* elec_schedule_name(ElecSchedule s);

}  // namespace llactr::methods

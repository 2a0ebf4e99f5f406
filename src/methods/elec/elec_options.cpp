#include "llactr/methods/elec/elec_options.h"

#include "llactr/methods/common/option_checks.h"
#include "llactr/methods/common/row_text.h"

namespace llactr::methods {

namespace {

const std::pair<const char*, ElecLlmTune> kTunes[] = {{"lora", ElecLlmTune::Lora}, {"frozen", ElecLlmTune::Frozen}};
const std::pair<const char*, ElecInject> kInjects[] = {{"field", ElecInject::Field}, {"hidden", ElecInject::Hidden}};
const std::pair<const char*, ElecSchedule> kSchedules[] = {{"joint", ElecSchedule::Joint},
                                                          {"two-stage", ElecSchedule::TwoStage}};

}  // namespace

ElecLlmTune parse_elec_llm_tune(const std::string& s) { return parse_enum("elec-llm-tune", s, kTunes); }
ElecInject parse_elec_inject(const std::string& s) { return parse_enum("elec-inject", s, kInjects); }
ElecSchedule parse_elec_schedule(const std::string& s) { return parse_enum("elec-schedule", s, kSchedules); }
const char* elec_llm_tune_name(ElecLlmTune t) { return enum_name(t, kTunes); }
const char* elec_inject_name(ElecInject i) { return enum_name(i, kInjects); }
const char* elec_schedule_name(ElecSchedule s) { return enum_name(s, kSchedules); }

const OptionTable<ElecOptions>& elec_option_table() {
  using O = ElecOptions;
  static const OptionTable<O> table =
      OptionTable<O>()
          .choice("elec-llm-tune", &O::llm_tune, kTunes,
                  "stage 1: lora (LoRA on q, v + T + head) or frozen (T + head on cached vectors)")
          .integer("elec-llm-rows", &O::llm_rows, at_least(0), "train rows of stage 1 (a seeded subsample; 0 = all)")
          .integer("elec-llm-valid-rows", &O::llm_valid_rows, at_least(0),
                   "validation rows of stage 1's early stopping (0 = all)")
          .integer("elec-llm-epochs", &O::llm_epochs, at_least(1), "stage-1 epochs at most")
          .integer("elec-llm-patience", &O::llm_patience, at_least(1), "stage-1 early-stopping patience")
          .number("elec-llm-lr", &O::llm_lr, above(0), "stage-1 AdamW learning rate")
          .integer("elec-llm-batch", &O::llm_batch, at_least(1), "texts per stage-1 step and per cache forward")
          .choice("elec-pool", &O::pool, llm::kPoolingNames,
                  "v from the instance text's final hidden states: mean (over its tokens) or last (its last token)")
          .text("elec-text-fields", &O::text_fields, false,
                "comma-separated fields whose sentences form the LLM's text (default: every field, the instance text)")
          .text("elec-text-template", &O::text_template, false,
                "the LLM's text as a template of {Field}s, e.g. '{ItemName} is a' (default: the sentences)")
          .integer("elec-generate", &O::generate, between(0, 4096),
                   "tokens the untuned LLM writes after each distinct text, greedily, before pooling (0 = none)")
          .integer("elec-t-hidden", &O::t_hidden, at_least(1), "hidden width of T = Linear(d->H)-ReLU-Linear(H->D)")
          .choice("elec-inject", &O::inject, kInjects, "field (v as one more field of G) or hidden (w_v^T v on G's logit)")
          .choice("elec-schedule", &O::schedule, kSchedules,
                  "joint (one optimiser) or two-stage (G to early stopping, frozen, then V)")
          .number("elec-alpha", &O::alpha, at_least(0), "score distillation weight (0 = w/o score distillation)")
          .number("elec-beta", &O::beta, at_least(0),
                  "representation distillation weight (0 = w/o representation distillation)")
          .number("elec-tau", &O::tau, above(0), "score distillation temperature")
          .flag("elec-without-llm", &O::without_llm, "G gets v = 0: the two-network distillation with no LLM (control)")
          .text("elec-dir", &O::out_dir, true, "stage-1 adapters and the vector cache go to DIR/<dataset>")
          .text("elec-label", &O::label, true, "the rows' method name (V: LABEL, G: LABEL-gain), e.g. for a control")
          .integer("elec-threads", &O::threads, between(1, 1024),
                   "threads of stage 1 and the vector cache (the two networks train on --threads)");
  return table;
}

void ElecOptions::validate() const {
  elec_option_table().check(*this);
  auto num = [](double x) { return std::to_string(x); };
  if (lora.rank < 1) bad_option("elec-lora-r", num(lora.rank), "must be >= 1");
  if (!(lora.dropout >= 0 && lora.dropout < 1)) bad_option("elec-lora-dropout", num(lora.dropout), "must be in [0, 1)");
  if (!without_llm && model_path.empty()) bad_option("llm-model", "''", "ELEC needs a GGUF model (or --elec-without-llm)");
  check_row_text_options(text(), "elec");
}

}  // namespace llactr::methods

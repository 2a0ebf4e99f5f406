#include "llactr/methods/clickprompt/clickprompt_options.h"

#include <algorithm>

#include "llactr/methods/common/option_checks.h"

namespace llactr::methods {

namespace {

const std::pair<const char*, PromptMode> kModes[] = {{"prefix", PromptMode::Prefix}, {"input", PromptMode::Input}};
const std::pair<const char*, PromptAttention> kAttentions[] = {{"bidirectional", PromptAttention::Bidirectional},
                                                               {"causal", PromptAttention::Causal}};
const std::pair<const char*, llm::TuneMode> kTunes[] = {{"lora", llm::TuneMode::Lora}, {"full", llm::TuneMode::Full}};
const std::pair<const char*, ClickPromptRow> kRows[] = {
    {"fused", ClickPromptRow::Fused}, {"plm", ClickPromptRow::Plm}, {"ctr", ClickPromptRow::Ctr}};

}  // namespace

PromptMode parse_prompt_mode(const std::string& s) { return parse_enum("clickprompt-mode", s, kModes); }
PromptAttention parse_prompt_attention(const std::string& s) {
  return parse_enum("clickprompt-attention", s, kAttentions);
}
llm::TuneMode parse_clickprompt_llm_tune(const std::string& s) {
  return parse_enum("clickprompt-llm-tune", s, kTunes);
}
const char* prompt_mode_name(PromptMode m) { return enum_name(m, kModes); }
const char* prompt_attention_name(PromptAttention a) { return enum_name(a, kAttentions); }
const char* clickprompt_llm_tune_name(llm::TuneMode t) { return enum_name(t, kTunes); }
const char* clickprompt_row_name(ClickPromptRow r) { return enum_name(r, kRows); }

std::vector<ClickPromptRow> parse_clickprompt_rows(const std::string& s) {
  std::vector<ClickPromptRow> rows;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = std::min(s.find(',', start), s.size());
    const ClickPromptRow r = parse_enum("clickprompt-rows", s.substr(start, comma - start), kRows);
    if (std::find(rows.begin(), rows.end(), r) != rows.end())
      bad_option("clickprompt-rows", s, std::string("names ") + clickprompt_row_name(r) + " twice");
    rows.push_back(r);
    start = comma + 1;
  }
  return rows;
}

std::string format_clickprompt_rows(const std::vector<ClickPromptRow>& rows) {
  std::string s;
  for (ClickPromptRow r : rows) s += (s.empty() ? "" : ",") + std::string(clickprompt_row_name(r));
  return s;
}

const OptionTable<ClickPromptOptions>& clickprompt_option_table() {
  using O = ClickPromptOptions;
  static const OptionTable<O> table =
      OptionTable<O>()
          .integer("clickprompt-prompts", &O::prompts, at_least(0), "K: soft prompts generated from the backbone's h (0 = none)")
          .integer("clickprompt-prompt-hidden", &O::prompt_hidden, at_least(0),
                   "H' of the prefix generator Linear(d_h->H')-Tanh-Linear (0 = the LLM's width d)")
          .choice("clickprompt-mode", &O::mode, kModes,
                  "prefix (K keys and values per layer) or input (K soft token embeddings)")
          .choice("clickprompt-attention", &O::attention, kAttentions,
                  "the LLM's attention in PA-MLM and fine-tuning: bidirectional or causal")
          .text("clickprompt-text-fields", &O::text_fields, false,
                "comma-separated fields whose sentences form the LLM's text (default: every field, the instance text)")
          .text("clickprompt-text-template", &O::text_template, false,
                "the LLM's text as a template of {Field}s, e.g. '{ItemName} is a' (default: the sentences)")
          .integer("clickprompt-generate", &O::generate, between(0, 4096),
                   "tokens the untuned LLM writes after each distinct text, greedily, before PA-MLM (0 = none)")
          .choice("clickprompt-llm-tune", &O::llm_tune, kTunes, "lora (on q and v) or full (every weight; for tiny models)")
          .integer("clickprompt-lora-r", &O::lora_rank, at_least(1), "LoRA rank")
          .number("clickprompt-lora-alpha", &O::lora_alpha, above(0), "LoRA alpha")
          .number("clickprompt-mask-rate", &O::mask_rate, above_up_to(0, 1),
                  "PA-MLM: share of text tokens chosen (80% mask, 10% random, 10% kept)")
          .integer("clickprompt-mlm-epochs", &O::mlm_epochs, at_least(1),
                   "PA-MLM epochs (--clickprompt-without-mlm skips PA-MLM)")
          .number("clickprompt-mlm-lr", &O::mlm_lr, above(0), "PA-MLM AdamW learning rate (backbone, generator, LLM)")
          .integer("clickprompt-mlm-batch", &O::mlm_batch, at_least(1), "PA-MLM texts per step")
          .integer("clickprompt-mlm-rows", &O::mlm_rows, at_least(0), "PA-MLM train rows (a seeded subsample; 0 = all)")
          .flag("clickprompt-without-mlm", &O::without_mlm, "skip PA-MLM: fine-tune the same model from scratch (control)")
          .custom("clickprompt-rows", &O::rows, parse_clickprompt_rows, format_clickprompt_rows,
                  "which fine-tunings run: fused (row clickprompt), plm (clickprompt-plm), ctr (clickprompt-ctr)")
          .number("clickprompt-alpha", &O::alpha, Range{},
                  "initial alpha of z = alpha*z_plm + (1-alpha)*z_ctr (learnable)")
          .integer("clickprompt-finetune-batch", &O::finetune_batch, at_least(1),
                   "texts per fine-tuning step of the rows that run the LLM (fused, plm)")
          .integer("clickprompt-finetune-rows", &O::finetune_rows, at_least(0),
                   "train rows the rows that run the LLM fine-tune on (a seeded subsample; 0 = all)")
          .integer("clickprompt-finetune-valid-rows", &O::finetune_valid_rows, at_least(0),
                   "validation rows those rows early-stop on (a seeded subsample; 0 = all); the test is whole")
          .text("clickprompt-label", &O::label, true,
                "the rows' method name (LABEL, LABEL-plm, LABEL-ctr), e.g. for a control")
          .integer("clickprompt-threads", &O::threads, between(1, 1024),
                   "threads of the whole method: PA-MLM and every fine-tuning, clickprompt-ctr's too");
  return table;
}

void ClickPromptOptions::validate() const {
  clickprompt_option_table().check(*this);
  if (rows.empty()) bad_option("clickprompt-rows", "", "must name at least one of fused, plm, ctr");
  check_row_text_options(text(), "clickprompt");
}

ClickPromptOptions clickprompt_options(const OptionValues& v) {
  ClickPromptOptions o = clickprompt_option_table().read(v);
  o.validate();
  return o;
}

}  // namespace llactr::methods

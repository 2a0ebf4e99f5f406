#include "llactr/methods/clickprompt_options.h"

#include <algorithm>
#include <cmath>

#include "llactr/methods/option_checks.h"

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

void ClickPromptOptions::validate() const {
  auto num = [](double x) { return std::to_string(x); };
  auto finite_positive = [](float x) { return x > 0 && std::isfinite(x); };
  if (prompts < 0) bad_option("clickprompt-prompts", num(prompts), "the number of prompts K must be >= 0");
  if (prompt_hidden < 0) bad_option("clickprompt-prompt-hidden", num(prompt_hidden), "must be >= 0 (0 = the LLM's width)");
  if (lora_rank < 1) bad_option("clickprompt-lora-r", num(lora_rank), "must be >= 1");
  if (!finite_positive(lora_alpha)) bad_option("clickprompt-lora-alpha", num(lora_alpha), "must be a finite number > 0");
  if (!(mask_rate > 0 && mask_rate <= 1)) bad_option("clickprompt-mask-rate", num(mask_rate), "must be in (0, 1]");
  if (mlm_epochs < 1) bad_option("clickprompt-mlm-epochs", num(mlm_epochs), "must be >= 1 (--clickprompt-without-mlm skips PA-MLM)");
  if (!finite_positive(mlm_lr)) bad_option("clickprompt-mlm-lr", num(mlm_lr), "must be a finite number > 0");
  if (mlm_batch < 1) bad_option("clickprompt-mlm-batch", num(mlm_batch), "must be >= 1");
  if (mlm_rows < 0) bad_option("clickprompt-mlm-rows", num(double(mlm_rows)), "must be >= 0 (0 = every train row)");
  if (!std::isfinite(alpha)) bad_option("clickprompt-alpha", num(alpha), "must be a finite number");
  if (rows.empty()) bad_option("clickprompt-rows", "", "must name at least one of fused, plm, ctr");
  if (finetune_batch < 1) bad_option("clickprompt-finetune-batch", num(finetune_batch), "must be >= 1");
  if (finetune_rows < 0)
    bad_option("clickprompt-finetune-rows", num(double(finetune_rows)), "must be >= 0 (0 = every train row)");
}

std::vector<MethodOption> clickprompt_method_options() {
  return {
      {"clickprompt-prompts", "10", "K: soft prompts generated from the backbone's h (0 = none)", {}},
      {"clickprompt-prompt-hidden", "0", "H' of the prefix generator Linear(d_h->H')-Tanh-Linear (0 = the LLM's width d)", {}},
      {"clickprompt-mode", "prefix", "prefix (K keys and values per layer) or input (K soft token embeddings)", {}},
      {"clickprompt-attention", "bidirectional", "the LLM's attention in PA-MLM and fine-tuning: bidirectional or causal", {}},
      {"clickprompt-llm-tune", "lora", "lora (on q and v) or full (every weight; for tiny models)", {}},
      {"clickprompt-lora-r", "8", "LoRA rank", {}},
      {"clickprompt-lora-alpha", "16", "LoRA alpha", {}},
      {"clickprompt-mask-rate", "0.15", "PA-MLM: share of text tokens chosen (80% mask, 10% random, 10% kept)", {}},
      {"clickprompt-mlm-epochs", "1", "PA-MLM epochs", {}},
      {"clickprompt-mlm-lr", "1e-3", "PA-MLM AdamW learning rate (backbone, generator, LLM)", {}},
      {"clickprompt-mlm-batch", "16", "PA-MLM texts per step", {}},
      {"clickprompt-mlm-rows", "0", "PA-MLM train rows (a seeded subsample; 0 = all)", {}},
      {"clickprompt-without-mlm", "", "skip PA-MLM: fine-tune the same model from scratch (control)", {}, true},
      {"clickprompt-rows", "fused,plm,ctr",
       "which fine-tunings run: fused (row clickprompt), plm (clickprompt-plm), ctr (clickprompt-ctr)", {}},
      {"clickprompt-alpha", "0.5", "initial alpha of z = alpha*z_plm + (1-alpha)*z_ctr (learnable)", {}},
      {"clickprompt-finetune-batch", "64", "texts per fine-tuning step of the rows that run the LLM (fused, plm)", {}},
      {"clickprompt-finetune-rows", "0", "train rows the rows that run the LLM fine-tune on (a seeded subsample; 0 = all)", {}},
      {"clickprompt-label", "clickprompt", "the rows' method name (LABEL, LABEL-plm, LABEL-ctr), e.g. for a control", {}},
  };
}

ClickPromptOptions clickprompt_options(const OptionValues& v) {
  ClickPromptOptions o;
  o.prompts = int_option(v, "clickprompt-prompts");
  o.prompt_hidden = int_option(v, "clickprompt-prompt-hidden");
  o.mode = parse_prompt_mode(v.get("clickprompt-mode"));
  o.attention = parse_prompt_attention(v.get("clickprompt-attention"));
  o.llm_tune = parse_clickprompt_llm_tune(v.get("clickprompt-llm-tune"));
  o.lora_rank = int_option(v, "clickprompt-lora-r");
  o.lora_alpha = float(v.get_double("clickprompt-lora-alpha"));
  o.mask_rate = float(v.get_double("clickprompt-mask-rate"));
  o.mlm_epochs = int_option(v, "clickprompt-mlm-epochs");
  o.mlm_lr = float(v.get_double("clickprompt-mlm-lr"));
  o.mlm_batch = int_option(v, "clickprompt-mlm-batch");
  o.mlm_rows = v.get_int("clickprompt-mlm-rows");
  o.without_mlm = v.get_flag("clickprompt-without-mlm");
  o.rows = parse_clickprompt_rows(v.get("clickprompt-rows"));
  o.alpha = float(v.get_double("clickprompt-alpha"));
  o.finetune_batch = int_option(v, "clickprompt-finetune-batch");
  o.finetune_rows = v.get_int("clickprompt-finetune-rows");
  o.validate();
  return o;
}

}  // namespace llactr::methods

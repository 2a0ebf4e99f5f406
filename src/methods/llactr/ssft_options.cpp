#include "llactr/methods/llactr/ssft_options.h"

#include <climits>
#include <cstdio>
#include <stdexcept>
#include <string_view>

#include "llactr/data/line_parsing.h"

namespace llactr::methods {

namespace {

// ---- the options that are not one member: the loss's name and its two weights

void apply_loss(const std::string& name, SsftOptions& o) {
  if (name == "infonce") o.w_cl = 1, o.w_lg = 0;
  else if (name == "generative") o.w_cl = 0, o.w_lg = 1;
  else if (name == "both") o.w_cl = 1, o.w_lg = 1;
  else bad_option_value("ssft-loss", "infonce, generative or both", "'" + name + "'");
}

// A weight given on its own replaces the one --ssft-loss set; "" (the default) keeps it.
float loss_weight(const char* name, const std::string& text) {
  const double w = parse_option_number(name, text);
  check_option_range(name, w, between(0, 1e6));
  return float(w);
}
void apply_w_cl(const std::string& t, SsftOptions& o) {
  if (!t.empty()) o.w_cl = loss_weight("ssft-w-cl", t);
}
void apply_w_lg(const std::string& t, SsftOptions& o) {
  if (!t.empty()) o.w_lg = loss_weight("ssft-w-lg", t);
}
std::string from_the_loss(const SsftOptions&) { return ""; }

// ---- LoRA's options, bound to SsftOptions::lora (llm::LoraOptions' defaults)

// "q,v" -> {"q", "v"}; empty pieces are skipped ("q,,v" is q and v).
std::vector<std::string> parse_targets(const std::string& s) {
  std::vector<std::string> out;
  for (std::string_view piece : data::split(s, ","))
    if (!piece.empty()) out.emplace_back(piece);
  if (out.empty()) throw std::invalid_argument("--ssft-targets names no projection");
  return out;
}
std::string format_targets(const std::vector<std::string>& targets) {
  std::string s;
  for (const std::string& t : targets) s += (s.empty() ? "" : ",") + t;
  return s;
}

const OptionTable<llm::LoraOptions>& lora_option_table() {
  using L = llm::LoraOptions;
  static const OptionTable<L> table =
      OptionTable<L>()
          .integer("ssft-rank", &L::rank, between(1, 4096), "SSFT: LoRA rank")
          .number("ssft-alpha", &L::alpha, between(0, 1e6), "SSFT: LoRA alpha (scale alpha/rank)")
          .number("ssft-dropout", &L::dropout, between(0, 0.99), "SSFT: LoRA dropout")
          .custom("ssft-targets", &L::targets, parse_targets, format_targets,
                  "SSFT: projections with adapters: q,k,v,o,gate,up,down");
  return table;
}

const std::pair<const char*, std::string> kPools[] = {{"last", "last"}, {"mean", "mean"}};

const OptionTable<SsftOptions>& ssft_option_table() {
  using O = SsftOptions;
  static const OptionTable<O> table =
      OptionTable<O>()
          .integer("ssft-epochs", &O::epochs, between(0, 1000), "SSFT: epochs of LoRA fine-tuning")
          .setter("ssft-loss", apply_loss, ssft_loss_name, "SSFT: infonce, generative or both")
          .setter("ssft-w-cl", apply_w_cl, from_the_loss,
                  "SSFT: weight of the contrastive (InfoNCE) loss (default: from --ssft-loss)")
          .setter("ssft-w-lg", apply_w_lg, from_the_loss, "SSFT: weight of the generative loss (default: from --ssft-loss)")
          .integer("ssft-per-field", &O::per_field, between(1, INT_MAX), "SSFT: feature values sampled per field")
          .number("ssft-heldout", &O::heldout_fraction, between(0, 0.9),
                  "SSFT: share of each field's values held out for the accuracy")
          .number("ssft-lr", &O::lr, between(0, 1), "SSFT: AdamW learning rate")
          .number("ssft-warmup", &O::warmup_ratio, between(0, 1), "SSFT: linear warm-up as a share of all steps")
          .nested(&O::lora, lora_option_table())
          .number("ssft-tau", &O::tau, between(1e-6, 1e6), "SSFT: InfoNCE temperature")
          .integer("ssft-micro-batch", &O::micro_batch, between(1, 1 << 20), "SSFT: prompts per forward/backward")
          .integer("ssft-accum", &O::accum, between(1, 1 << 20), "SSFT: micro-batches per optimiser step")
          .integer("ssft-seed", &O::seed, between(0, double(LONG_MAX)),
                   "SSFT: seed of sampling, shuffling, dropout and LoRA init")
          .choice("ssft-pool", &O::pooling, kPools,
                  "SSFT: last or mean, the hidden-state pooling of prompts and descriptions")
          .text("ssft-prompt", &O::prompt_file, false, "SSFT: prompt template ({feature}, {fields})")
          .text("ssft-dir", &O::out_dir, false,
                "SSFT: its output folder and cache (default data/cache/ssft/<dataset-label>)")
          .integer("ssft-threads", &O::threads, between(1, 1024),
                   "SSFT: threads (results are the same for the same thread count)");
  return table;
}

}  // namespace

std::string ssft_loss_name(const SsftOptions& o) {
  if (o.w_cl == 1 && o.w_lg == 0) return "infonce";
  if (o.w_cl == 0 && o.w_lg == 1) return "generative";
  if (o.w_cl == 1 && o.w_lg == 1) return "both";
  char s[64];
  std::snprintf(s, sizeof s, "w_cl %g, w_lg %g", double(o.w_cl), double(o.w_lg));
  return s;
}

const std::vector<Option>& ssft_option_list() { return ssft_option_table().options(); }

SsftOptions ssft_options(const OptionValues& v, const std::string& dataset_label) {
  SsftOptions o = ssft_option_table().read(v);
  if (o.out_dir.empty()) o.out_dir = "data/cache/ssft/" + dataset_label;
  if (o.w_cl == 0 && o.w_lg == 0) throw std::invalid_argument("--ssft-w-cl and --ssft-w-lg are both 0: SSFT has no loss");
  o.lora.seed = o.seed;
  return o;
}

}  // namespace llactr::methods

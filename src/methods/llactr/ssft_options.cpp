#include "llactr/methods/llactr/ssft_options.h"

#include <climits>
#include <stdexcept>

namespace llactr::methods {

namespace {

// The value given, or the declared default.
std::string value_of(const OptionValues& v, const std::string& name) {
  if (v.has(name)) return v.get(name);
  for (const Option& o : ssft_option_list())
    if (o.name == name) return o.default_value;
  throw std::logic_error("--" + name + " is no SSFT option");
}

long int_in(const OptionValues& v, const std::string& name, long lo, long hi) {
  const long x = parse_option_int(name, value_of(v, name));
  check_option_range(name, double(x), between(double(lo), double(hi)));
  return x;
}

double double_in(const OptionValues& v, const std::string& name, double lo, double hi) {
  const double x = parse_option_number(name, value_of(v, name));
  check_option_range(name, x, between(lo, hi));
  return x;
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = std::min(s.find(',', start), s.size());
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

}  // namespace

const std::vector<Option>& ssft_option_list() {
  static const std::vector<Option> list{
      {"ssft-epochs", "3", "SSFT: epochs of LoRA fine-tuning"},
      {"ssft-loss", "infonce", "SSFT: infonce, generative or both"},
      {"ssft-w-cl", "", "SSFT: weight of the contrastive (InfoNCE) loss (default: from --ssft-loss)"},
      {"ssft-w-lg", "", "SSFT: weight of the generative loss (default: from --ssft-loss)"},
      {"ssft-per-field", "300", "SSFT: feature values sampled per field"},
      {"ssft-heldout", "0.1", "SSFT: share of each field's values held out for the accuracy"},
      {"ssft-lr", "1e-3", "SSFT: AdamW learning rate"},
      {"ssft-warmup", "0.1", "SSFT: linear warm-up as a share of all steps"},
      {"ssft-rank", "8", "SSFT: LoRA rank"},
      {"ssft-alpha", "16", "SSFT: LoRA alpha (scale alpha/rank)"},
      {"ssft-dropout", "0.05", "SSFT: LoRA dropout"},
      {"ssft-targets", "q,v", "SSFT: projections with adapters: q,k,v,o,gate,up,down"},
      {"ssft-tau", "0.02", "SSFT: InfoNCE temperature"},
      {"ssft-micro-batch", "16", "SSFT: prompts per forward/backward"},
      {"ssft-accum", "1", "SSFT: micro-batches per optimiser step"},
      {"ssft-seed", "2024", "SSFT: seed of sampling, shuffling, dropout and LoRA init"},
      {"ssft-pool", "last", "SSFT: last or mean, the hidden-state pooling of prompts and descriptions"},
      {"ssft-prompt", "experiments/ssft_prompt.txt", "SSFT: prompt template ({feature}, {fields})"},
      {"ssft-dir", "", "SSFT: its output folder and cache (default data/cache/ssft/<dataset-label>)"},
      {"ssft-threads", "2", "SSFT: threads (results are the same for the same thread count)"},
  };
  return list;
}

int ssft_threads(const OptionValues& v) { return int(int_in(v, "ssft-threads", 1, 1024)); }

SsftOptions ssft_options(const OptionValues& v, const std::string& dataset_label) {
  SsftOptions o;
  const std::string dir = value_of(v, "ssft-dir");
  o.out_dir = dir.empty() ? "data/cache/ssft/" + dataset_label : dir;
  o.prompt_file = value_of(v, "ssft-prompt");
  o.epochs = int(int_in(v, "ssft-epochs", 0, 1000));
  o.per_field = int(int_in(v, "ssft-per-field", 1, INT_MAX));
  o.heldout_fraction = double_in(v, "ssft-heldout", 0, 0.9);
  o.lr = float(double_in(v, "ssft-lr", 0, 1));
  o.warmup_ratio = double_in(v, "ssft-warmup", 0, 1);
  o.lora.rank = int(int_in(v, "ssft-rank", 1, 4096));
  o.lora.alpha = float(double_in(v, "ssft-alpha", 0, 1e6));
  o.lora.dropout = float(double_in(v, "ssft-dropout", 0, 0.99));
  o.lora.targets = split_commas(value_of(v, "ssft-targets"));
  if (o.lora.targets.empty()) throw std::invalid_argument("--ssft-targets names no projection");
  o.tau = float(double_in(v, "ssft-tau", 1e-6, 1e6));
  const std::string loss = value_of(v, "ssft-loss");
  if (loss == "infonce") o.w_cl = 1, o.w_lg = 0;
  else if (loss == "generative") o.w_cl = 0, o.w_lg = 1;
  else if (loss == "both") o.w_cl = 1, o.w_lg = 1;
  else throw std::invalid_argument("--ssft-loss must be infonce, generative or both, not '" + loss + "'");
  if (!value_of(v, "ssft-w-cl").empty()) o.w_cl = float(double_in(v, "ssft-w-cl", 0, 1e6));
  if (!value_of(v, "ssft-w-lg").empty()) o.w_lg = float(double_in(v, "ssft-w-lg", 0, 1e6));
  if (o.w_cl == 0 && o.w_lg == 0) throw std::invalid_argument("--ssft-w-cl and --ssft-w-lg are both 0: SSFT has no loss");
  o.micro_batch = int(int_in(v, "ssft-micro-batch", 1, 1 << 20));
  o.accum = int(int_in(v, "ssft-accum", 1, 1 << 20));
  o.seed = uint64_t(int_in(v, "ssft-seed", 0, LONG_MAX));
  o.lora.seed = o.seed;
  o.pooling = value_of(v, "ssft-pool");
  if (o.pooling != "last" && o.pooling != "mean")
    throw std::invalid_argument("--ssft-pool must be last or mean, not '" + o.pooling + "'");
  ssft_threads(v);
  return o;
}

}  // namespace llactr::methods

// SSFT's options (--ssft-*, docs/SSFT.md), declared once for LLaCTR's method and `llactr ssft`:
// bound to SsftOptions' members, whose initialisers are their defaults (LoRA's: llm::LoraOptions').
//
//   declare_options(args, ssft_option_list());                       // apps/options.h
//   SsftOptions o = ssft_options(values, "ml100k");                   // values: OptionValues by name
#pragma once
#include <string>
#include <vector>

#include "llactr/methods/llactr/ssft.h"
#include "llactr/util/option.h"

namespace llactr::methods {

// Every --ssft-* option with its default and help (--ssft-threads among them).
const std::vector<Option>& ssft_option_list();
// The values parsed and range-checked (std::invalid_argument naming the option); --ssft-dir
// defaults to data/cache/ssft/<dataset_label>. Absent names take their declared defaults.
SsftOptions ssft_options(const OptionValues& values, const std::string& dataset_label);
// "infonce", "generative" or "both", as --ssft-loss names the weights (w_cl, w_lg); other weights
// as "w_cl 0.5, w_lg 1".
std::string ssft_loss_name(const SsftOptions& o);

}  // namespace llactr::methods

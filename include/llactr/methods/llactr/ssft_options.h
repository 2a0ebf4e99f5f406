// SSFT's options (--ssft-*, docs/SSFT.md), declared once for LLaCTR's method and `llactr ssft`.
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
int ssft_threads(const OptionValues& values);  // --ssft-threads, in [1, 1024]

}  // namespace llactr::methods

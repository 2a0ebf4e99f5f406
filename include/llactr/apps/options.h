// The options every program shares, declared and read in one place, so that one concept has one
// name in every `llactr` subcommand and in ./run_experiment (docs/ARCHITECTURE.md, "Options"):
//
//   data    --dataset --data-dir --dataset-label --cache-dir --drop-fields --schema --descriptions --split-mode
//           --train-ratio --valid-ratio --split-seed --min-count --skip-bad-lines
//   LLM     --llm-model
//   SSFT    --ssft-epochs --ssft-loss --ssft-per-field --ssft-lr --ssft-dir --ssft-threads .. (docs/SSFT.md)
//   methods each row of the method table's options (--llactr-lambda-fre ..), with their aliases
//
// A command declares the groups it reads and adds aliases for its own older spellings
// (`llactr data stats` keeps `--format` for `--dataset`). Every read checks its value's range and
// throws std::invalid_argument naming the option, so commands read all options before loading data.
#pragma once
#include <string>
#include <vector>

#include "llactr/apps/args.h"
#include "llactr/data/dataset.h"
#include "llactr/methods/llactr/ssft_options.h"
#include "llactr/methods/method.h"
#include "llactr/util/option.h"

namespace llactr {

// argv as strings, with the lines of the --config file (`key = value`, '#' comments) inserted as
// leading --key=value arguments so that the command line wins. Throws naming the file and line.
std::vector<std::string> with_config(int argc, char** argv);

void declare_data_options(Args& a);
// Throws for a bad value, and for a data folder that does not exist (saying how to get it).
data::DataOptions data_options(const Args& a);
std::string dataset_label(const Args& a);  // --dataset-label, default the format's name ("ml100k")

void declare_llm_options(Args& a);
std::string llm_model(const Args& a);  // the GGUF path; throws when the file is missing

// The SSFT options; --ssft-dir defaults to data/cache/ssft/<dataset_label>.
void declare_ssft_options(Args& a);
methods::SsftOptions ssft_options(const Args& a, const std::string& dataset_label);

// Declared options (util/option.h) as Args options, with their aliases; help_prefix starts each help.
void declare_options(Args& a, const std::vector<Option>& options, const std::string& help_prefix = "");
// Their values as given (or their defaults); a flag is "1" when given and "" otherwise.
OptionValues option_values(const Args& a, const std::vector<Option>& options);

// Every method's own options (all rows of the method table), with their aliases.
void declare_method_options(Args& a);
OptionValues method_options(const Args& a, const methods::MethodEntry& method);

// "a,b,,c" -> {"a", "b", "c"}: a comma-separated option value, empty items dropped.
std::vector<std::string> split_commas(const std::string& s);

// A value that must lie in [lo, hi]; throws "--name must be in [lo, hi], not v".
long int_in(const Args& a, const std::string& name, long lo, long hi);
double double_in(const Args& a, const std::string& name, double lo, double hi);

}  // namespace llactr

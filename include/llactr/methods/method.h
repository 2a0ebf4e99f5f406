// The method table: the ways ./run_experiment trains a backbone (base, LLaCTR, ELEC, ClickPrompt).
// A method is one file src/methods/method_<name>.cpp and one row in src/methods/method_table.cpp;
// run_experiment knows no method by name (docs/ARCHITECTURE.md).
//
//   const MethodEntry& e = method_entry("llactr");      // throws listing the known names
//   std::unique_ptr<Method> m = e.make(setup);           // checks e.options' values: before any data is loaded
//   m->prepare(dataset);                                 // once per dataset (LLaCTR: SSFT, field embeddings)
//   for (MethodRow& r : m->run(dataset, backbone, bc, tc)) ..   // one (backbone, seed): one or more rows
#pragma once
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "llactr/ctr/backbone.h"
#include "llactr/ctr/trainer.h"
#include "llactr/data/dataset.h"
#include "llactr/util/option.h"

namespace llactr::methods {

// What a method's factory gets: its own options and the shared ones it may use.
struct MethodSetup {
  OptionValues options;       // the method's own options (MethodEntry::options)
  std::string dataset_label;  // the dataset's name in the tables, e.g. "ml100k"
  std::string llm_model;      // --llm-model: the GGUF file
  // The values of the shared options a method may read besides its own (--ssft-*, which LLaCTR
  // and `llactr ssft` share), by name; a name not given takes its declared default.
  OptionValues shared;
  int threads = 1;            // --threads: CTR training (a method's LLM stage has its own option)
  bool quiet = false;         // no progress or per-epoch lines
};

// One row of results.json: a trained model's test metrics and what it cost.
struct MethodRow {
  std::string method;  // the row's name in the tables ("base", "llactr" or its --llactr-label)
  TrainResult train;
  EvalResult test;
  double llm_seconds = 0;  // LLM time the row relies on (LLaCTR: SSFT + field-embedding extraction)
  int64_t llm_tokens = 0;  // tokens the LLM processed for it in those seconds (its share of the LLM cost)
  // Further members of the row's JSON object as (key, JSON value text): settings and extra cost fields.
  std::vector<std::pair<std::string, std::string>> settings;
  // The model that serves this row on its own (saved by --save-checkpoints); null when the row
  // needs more than the backbone to predict (LLaCTR's FIE term).
  std::shared_ptr<Backbone> served;
};

class Method {
 public:
  virtual ~Method() = default;
  // Once per dataset, before any run: the LLM stages whose output every backbone and seed share.
  virtual void prepare(const data::Dataset& /*dataset*/) {}
  // Trains one backbone with one seed (tc.seed) and tests it. The backbone's initialisation is
  // make_backbone(backbone, bc, Rng(tc.seed)), the same for every method, so rows compare like for like.
  virtual std::vector<MethodRow> run(const data::Dataset& dataset, const std::string& backbone,
                                     const BackboneConfig& bc, const TrainConfig& tc) = 0;
};

struct MethodEntry {
  const char* name;  // as --method spells it
  const char* help;  // one line for --help
  std::vector<Option> options;  // its own options (util/option.h), named with its prefix: --llactr-lambda-fre
  // Parses and range-checks setup.options (std::invalid_argument naming the option) and any
  // input file it needs, so that a bad value fails before the data is loaded.
  std::unique_ptr<Method> (*make)(const MethodSetup& setup);
  // The rows' names for these option values, e.g. {"llactr"}; run_experiment names the output folder after them.
  std::vector<std::string> (*row_names)(const OptionValues& options);
};

// The library's rows (base, llactr, elec, clickprompt; src/methods/method_table.cpp) and any registered since.
const std::vector<MethodEntry>& method_table();
const MethodEntry& method_entry(const std::string& name);  // std::invalid_argument listing the known names
// Adds a row to the table for the registration's lifetime: a method outside the library, e.g. a
// test's toy (std::logic_error for a name already taken).
//   const MethodRegistration toy({"toy", "a toy method", toy_options().options(), make_toy, toy_row_names});
class MethodRegistration {
 public:
  explicit MethodRegistration(MethodEntry entry);
  ~MethodRegistration();
  MethodRegistration(const MethodRegistration&) = delete;
  MethodRegistration& operator=(const MethodRegistration&) = delete;

 private:
  std::string name_;
};

// What every method's run ends with: trains `model` (with the enhancer's terms, if any) on train,
// early-stopping on valid, and tests it; the row's method name, costs and settings are the caller's.
MethodRow train_and_test(const data::Dataset& dataset, Backbone& model, const TrainConfig& tc, Enhancer* enhancer);

// Throws std::runtime_error when the GGUF file at `path` is missing, saying how to get one (`make
// data`, --llm-model); `alternative` names one more way out (e.g. "--elec-without-llm"). Throws
// gguf::GgufError when it is not a well-formed GGUF file.
void require_llm_model(const std::string& path, const std::string& alternative = "");

}  // namespace llactr::methods

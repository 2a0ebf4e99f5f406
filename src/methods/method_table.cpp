// The method table (include/llactr/methods/method.h): one row per method.
#include <filesystem>
#include <stdexcept>

#include "llactr/data/line_parsing.h"
#include "llactr/llm/gguf/gguf.h"
#include "llactr/methods/clickprompt_options.h"
#include "llactr/methods/method.h"

namespace llactr::methods {

const std::string& OptionValues::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw std::logic_error("method option --" + name + " was never declared");
  return it->second;
}

double OptionValues::get_double(const std::string& name) const {
  try {
    return data::parse_double(get(name), ("--" + name).c_str());
  } catch (const data::BadLine& e) {
    throw std::invalid_argument(e.what());
  }
}

long OptionValues::get_int(const std::string& name) const {
  try {
    return long(data::parse_int(get(name), ("--" + name).c_str()));
  } catch (const data::BadLine& e) {
    throw std::invalid_argument(e.what());
  }
}

const std::vector<MethodEntry>& method_table() {
  static const std::vector<MethodEntry> table{
      {"base", "the backbone alone", {}, make_base_method, [](const OptionValues&) {
         return std::vector<std::string>{"base"};
       }},
      {"llactr",
       "LLaCTR (arXiv 2505.14057): SSFT field embeddings enhance the backbone's FRE and FIE (docs/LLACTR.md)",
       {{"llactr-lambda-fre", "0.1", "weight of the FRE loss (0 = w/o FRE)", {"lambda-fre"}},
        {"llactr-lambda-fie", "0.1", "weight of the FIE logit (0 = w/o FIE)", {"lambda-fie"}},
        {"llactr-fie-mode", "per-sample",
         "per-sample (the paper, all backbones) or released (FinalMLP/WuKong add a constant)", {"fie-mode"}},
        {"llactr-frozen-adapters", "", "W, b, A, c keep their random init, as the released code", {}, true},
        {"llactr-ssft-epoch", "-1", "which SSFT epoch's field embeddings (-1 = the last; 0 = the untuned LLM, w/o SSFT)",
         {"ssft-epoch"}},
        {"llactr-label", "llactr", "the rows' method name in the tables (e.g. \"w/o FRE\" for an ablation)", {"label"}}},
       make_llactr_method,
       [](const OptionValues& o) { return std::vector<std::string>{o.get("llactr-label")}; }},
      {"elec",
       "ELEC (arXiv 2509.07594): a gain network with the LLM's vector distils into the served vanilla backbone "
       "(docs/ELEC.md)",
       {{"elec-llm-tune", "lora", "stage 1: lora (LoRA on q, v + T + head) or frozen (T + head on cached vectors)", {}},
        {"elec-llm-rows", "2000", "train rows of stage 1 (a seeded subsample; 0 = all)", {}},
        {"elec-llm-valid-rows", "1000", "validation rows of stage 1's early stopping (0 = all)", {}},
        {"elec-llm-epochs", "3", "stage-1 epochs at most", {}},
        {"elec-llm-patience", "1", "stage-1 early-stopping patience", {}},
        {"elec-llm-lr", "1e-3", "stage-1 AdamW learning rate", {}},
        {"elec-llm-batch", "16", "texts per stage-1 step and per cache forward", {}},
        {"elec-t-hidden", "256", "hidden width of T = Linear(d->H)-ReLU-Linear(H->D)", {}},
        {"elec-inject", "field", "field (v as one more field of G) or hidden (w_v^T v on G's logit)", {}},
        {"elec-schedule", "joint", "joint (one optimiser) or two-stage (G to early stopping, frozen, then V)", {}},
        {"elec-alpha", "1", "score distillation weight (0 = w/o score distillation)", {}},
        {"elec-beta", "0.1", "representation distillation weight (0 = w/o representation distillation)", {}},
        {"elec-tau", "1", "score distillation temperature", {}},
        {"elec-without-llm", "", "G gets v = 0: the two-network distillation with no LLM (control)", {}, true},
        {"elec-dir", "data/cache/elec", "stage-1 adapters and the vector cache go to DIR/<dataset>", {}},
        {"elec-label", "elec", "the rows' method name (V: LABEL, G: LABEL-gain), e.g. for a control", {}}},
       make_elec_method, elec_row_names},
      {"clickprompt",
       "ClickPrompt (arXiv 2310.09234): PA-MLM aligns the backbone's h with an LLM through soft prompts, then "
       "fine-tunes with the LLM (clickprompt, clickprompt-plm) or the backbone alone (clickprompt-ctr) "
       "(docs/CLICKPROMPT.md)",
       clickprompt_method_options(), make_clickprompt_method, clickprompt_row_names},
  };
  return table;
}

const MethodEntry& method_entry(const std::string& name) {
  std::string known;
  for (const MethodEntry& e : method_table()) {
    if (name == e.name) return e;
    known += std::string(known.empty() ? "" : ", ") + e.name;
  }
  throw std::invalid_argument("--method: unknown method '" + name + "' (known: " + known + ")");
}

MethodRow train_and_test(const data::Dataset& dataset, Backbone& model, const TrainConfig& tc, Enhancer* enhancer) {
  MethodRow r;
  r.train = train(model, dataset.train, dataset.valid, tc, enhancer);
  r.test = evaluate(model, dataset.test, dataset.schema.user_field, tc.batch_size, enhancer);
  return r;
}

void require_llm_model(const std::string& path, const std::string& alternative) {
  if (!std::filesystem::exists(path))
    throw std::runtime_error("language model " + path + " not found: run `make data` (it fetches stories260K), " +
                             (alternative.empty() ? "or pass --llm-model" : "pass --llm-model, or " + alternative));
  gguf::GgufFile::open(path);  // a malformed file fails now (a cheap mmap and header check), not after the data
}

}  // namespace llactr::methods

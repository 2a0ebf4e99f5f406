// The method "clickprompt": ClickPrompt (Lin et al., WWW'24; docs/CLICKPROMPT.md). Per backbone
// and seed, PA-MLM pre-trains the backbone up to h, the prompt generator and the LLM (its LoRA
// adapters, or every weight) together, then the fine-tunings of --clickprompt-rows give the rows
// (clickprompt_row_names): `clickprompt` (fused), `clickprompt-plm`, `clickprompt-ctr` (the
// served backbone alone).
#include <cstdio>
#include <stdexcept>

#include "llactr/methods/clickprompt/clickprompt.h"
#include "llactr/methods/method.h"
#include "llactr/methods/clickprompt/prompted_llm.h"
#include "llactr/methods/common/row_text.h"
#include "llactr/tensor/gemm.h"
#include "llactr/util/json.h"

namespace llactr::methods {
namespace {

// --clickprompt-label LABEL names the rows LABEL (fused), LABEL-plm and LABEL-ctr.
std::string row_name(const std::string& label, ClickPromptRow r) {
  return r == ClickPromptRow::Fused ? label : label + "-" + clickprompt_row_name(r);
}

class ClickPromptMethod : public Method {
 public:
  explicit ClickPromptMethod(const MethodSetup& setup)
      : setup_(setup), o_(clickprompt_options(setup.options)) {
    // The model is opened here, once, so that its architecture, its LM head and K against its
    // context are checked before any data is loaded. The texts' length is checked before PA-MLM
    // (run_clickprompt), when they are known.
    require_llm_model(setup.llm_model);
    lm_ = std::make_unique<llm::LanguageModel>(llm::open_language_model(setup.llm_model));
    require_lm_head(lm_->model);
    const int n_ctx = lm_->model.config.n_ctx;
    if (n_ctx > 0 && o_.prompts >= n_ctx)
      throw std::invalid_argument("--clickprompt-prompts " + std::to_string(o_.prompts) +
                                  " leaves no position for the instance text in the context of " +
                                  std::to_string(n_ctx) + " positions of " + setup.llm_model + " (K must be < " +
                                  std::to_string(n_ctx) + ")");
  }

  // The rows' text, once for every backbone and seed: an unknown field or a malformed template
  // fails here, before any backbone trains, and --clickprompt-generate's continuations are written
  // here by the untuned model.
  void prepare(const data::Dataset& dataset) override {
    generation_ = {};
    text_ = method_row_text(dataset, o_.text(), "clickprompt", *lm_, !setup_.quiet, generation_);
    prepared_for_ = &dataset;
  }

  std::vector<MethodRow> run(const data::Dataset& dataset, const std::string& backbone, const BackboneConfig& bc,
                             const TrainConfig& tc) override {
    if (prepared_for_ != &dataset) prepare(dataset);
    // The whole of ClickPrompt (PA-MLM, the LLM rows, and so also clickprompt-ctr's fine-tuning)
    // runs on --clickprompt-threads: the LLM's many small ops run fastest on few.
    const ClickPromptRun run = [&] {
      ScopedThreads llm_threads(o_.threads);
      return run_clickprompt(dataset, *lm_, text_, backbone, bc, tc, o_, !setup_.quiet);
    }();

    std::vector<std::pair<std::string, std::string>> settings = {
        {"llm_model", json_quote(setup_.llm_model)},
        {"clickprompt_prompts", std::to_string(o_.prompts)},
        {"clickprompt_mode", json_quote(prompt_mode_name(o_.mode))},
        {"clickprompt_attention", json_quote(prompt_attention_name(o_.attention))},
        {"clickprompt_text_fields", json_quote(o_.text_fields)},
        {"clickprompt_text_template", json_quote(o_.text_template)},
        {"clickprompt_generate", std::to_string(o_.generate)},
        {"generate_seconds", json_number(generation_.seconds)},
        {"generate_tokens", std::to_string(generation_.tokens)},
        {"clickprompt_llm_tune", json_quote(clickprompt_llm_tune_name(o_.llm_tune))},
        {"clickprompt_without_mlm", o_.without_mlm ? "true" : "false"},
        {"clickprompt_mlm_rows", std::to_string(run.mlm_rows)},
        {"clickprompt_finetune_rows", std::to_string(run.finetune_rows)},
        {"clickprompt_finetune_valid_rows", std::to_string(run.finetune_valid_rows)},
        {"clickprompt_mlm_epochs", std::to_string(o_.without_mlm ? 0 : o_.mlm_epochs)},
        {"mlm_seconds", json_number(run.mlm.seconds)},
        {"mlm_tokens", std::to_string(run.mlm.tokens)},
        {"mlm_loss", run.mlm.epoch_loss.empty() ? "null" : json_number(run.mlm.epoch_loss.back())}};
    std::vector<MethodRow> rows;
    for (const ClickPromptRowResult& r : run.rows) {
      MethodRow m;
      m.method = row_name(o_.label, r.row);
      m.train = r.train;
      m.test = r.test;
      // The generation's cost is each row's: every row reads the same continuations.
      m.llm_seconds = generation_.seconds + run.mlm.seconds + (r.row == ClickPromptRow::Ctr ? 0 : r.finetune_seconds);
      m.llm_tokens = generation_.tokens + run.mlm.tokens + r.finetune_tokens;  // finetune_tokens is 0 for the ctr row
      m.settings = settings;
      m.settings.emplace_back("finetune_seconds", json_number(r.finetune_seconds));
      m.settings.emplace_back("finetune_tokens", std::to_string(r.finetune_tokens));
      if (r.row == ClickPromptRow::Fused) m.settings.emplace_back("clickprompt_alpha", json_number(r.alpha));
      m.served = r.served;  // the ctr row; the others need the LLM to predict
      rows.push_back(std::move(m));
    }
    return rows;
  }

 private:
  MethodSetup setup_;
  ClickPromptOptions o_;
  std::unique_ptr<llm::LanguageModel> lm_;
  RowText text_;               // prepare(): what the LLM reads for each row
  GenerationCost generation_;  // prepare(): --clickprompt-generate's continuations
  const data::Dataset* prepared_for_ = nullptr;
};

}  // namespace

std::vector<std::string> clickprompt_row_names(const OptionValues& options) {
  std::vector<std::string> names;
  for (ClickPromptRow r : parse_clickprompt_rows(options.get("clickprompt-rows")))
    names.push_back(row_name(options.get("clickprompt-label"), r));
  return names;
}

MethodEntry clickprompt_method_row() {
  return {"clickprompt",
          "ClickPrompt (arXiv 2310.09234): PA-MLM aligns the backbone's h with an LLM through soft prompts, then "
          "fine-tunes with the LLM (clickprompt, clickprompt-plm) or the backbone alone (clickprompt-ctr) "
          "(docs/CLICKPROMPT.md)",
          clickprompt_option_table().options(),
          [](const MethodSetup& setup) -> std::unique_ptr<Method> { return std::make_unique<ClickPromptMethod>(setup); },
          clickprompt_row_names};
}

}  // namespace llactr::methods

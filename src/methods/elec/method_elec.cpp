// The method "elec": ELEC (arXiv 2509.07594; docs/ELEC.md). Once per dataset the LLM is adapted to
// CTR and its vectors cached (stage 1 and 2); per backbone and seed the gain network G and the
// vanilla network V train together. Rows (elec_row_names): `elec` (V, the served model), `elec-gain`
// (G) and, once, `llm` (stage 1's tower as a CTR model; not with --elec-without-llm).
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "llactr/data/output_folder.h"
#include "llactr/methods/common/option_checks.h"
#include "llactr/methods/elec/elec.h"
#include "llactr/methods/method.h"
#include "llactr/tensor/gemm.h"
#include "llactr/util/json.h"

namespace llactr::methods {

std::vector<std::string> elec_row_names(const OptionValues& o);

namespace {

class ElecMethod : public Method {
 public:
  explicit ElecMethod(const MethodSetup& setup) : setup_(setup), o_(elec_option_table().read(setup.options)) {
    const OptionValues& v = setup.options;
    o_.model_path = setup.llm_model;
    o_.out_dir += "/" + setup.dataset_label;
    o_.progress = !setup.quiet;
    o_.validate();
    names_ = elec_row_names(v);
    // The architecture is checked when prepare_elec opens the file, before anything trains.
    if (!o_.without_llm) require_llm_model(o_.model_path, "--elec-without-llm");
    // Stage 1's vectors are written there after minutes of LLM work: a folder that cannot take
    // them fails now, before the data is loaded. Without the LLM nothing is written.
    if (!o_.without_llm) data::require_writable_folder(o_.out_dir, "--elec-dir");
  }

  // No prepare(): stage 1 needs D (T's output width), which only run() gets (BackboneConfig), so
  // the LLM stages run on the first run() and every later run must use the same D.
  std::vector<MethodRow> run(const data::Dataset& dataset, const std::string& backbone, const BackboneConfig& bc,
                             const TrainConfig& tc) override {
    std::vector<MethodRow> rows;
    if (!prepared_) {
      prepare_llm(dataset, bc.embedding_dim);
      // Once, in the first backbone's first seed: it depends on neither.
      if (!o_.without_llm) rows.push_back(llm_row());
    }
    if (bc.embedding_dim != prep_.embedding_dim)
      throw std::invalid_argument("ELEC: every backbone must use the same --embedding-dim (stage 1 built T for " +
                                  std::to_string(prep_.embedding_dim) + ", " + backbone + " asks for " +
                                  std::to_string(bc.embedding_dim) + ")");
    ElecResult r = run_elec(dataset, backbone, bc, tc, prep_, o_);
    MethodRow v;
    v.method = names_[0];
    v.train = r.train;
    v.test = r.vanilla;
    v.llm_seconds = llm_seconds_;
    v.llm_tokens = llm_tokens_;
    v.settings = settings_;
    v.settings.emplace_back("elec_train_seconds", json_number(r.train_seconds));
    v.served = std::shared_ptr<Backbone>(std::move(r.vanilla_model));
    MethodRow g = v;
    g.method = names_[1];
    g.test = r.gain;  // its infer µs includes the measured LLM forward per sample
    if (o_.schedule == ElecSchedule::TwoStage) g.train = r.gain_train;
    g.served = nullptr;  // G needs the LLM's vector to predict
    rows.push_back(v);
    rows.push_back(g);
    return rows;
  }

 private:
  void prepare_llm(const data::Dataset& dataset, int embedding_dim) {
    {
      ScopedThreads llm_threads(o_.threads);
      prep_ = prepare_elec(dataset, embedding_dim, o_);
    }
    prepared_ = true;
    llm_seconds_ = prep_.text_cost.seconds + prep_.stage1_seconds + prep_.vectors.seconds;
    llm_tokens_ = prep_.text_cost.tokens + prep_.stage1_tokens + prep_.vectors.tokens;
    settings_ = {{"llm_model", json_quote(o_.without_llm ? "" : o_.model_path)},
                 {"elec_llm_tune", json_quote(elec_llm_tune_name(o_.llm_tune))},
                 {"elec_llm_rows", std::to_string(o_.llm_rows)},
                 {"elec_pool", json_quote(enum_name(o_.pool, llm::kPoolingNames))},
                 {"elec_text_fields", json_quote(o_.text_fields)},
                 {"elec_text_template", json_quote(o_.text_template)},
                 {"elec_generate", std::to_string(o_.generate)},
                 {"generate_seconds", json_number(prep_.text_cost.seconds)},
                 {"generate_tokens", std::to_string(prep_.text_cost.tokens)},
                 {"elec_inject", json_quote(elec_inject_name(o_.inject))},
                 {"elec_schedule", json_quote(elec_schedule_name(o_.schedule))},
                 {"elec_alpha", json_number(o_.alpha)},
                 {"elec_beta", json_number(o_.beta)},
                 {"elec_tau", json_number(o_.tau)},
                 {"elec_without_llm", o_.without_llm ? "true" : "false"},
                 {"stage1_seconds", json_number(prep_.stage1_seconds)},
                 {"stage1_tokens", std::to_string(prep_.stage1_tokens)},
                 {"cache_seconds", json_number(prep_.vectors.seconds)},
                 {"cache_tokens", std::to_string(prep_.vectors.tokens)},
                 {"cache_truncated_rows", std::to_string(prep_.vectors.truncated)},
                 {"cache_from_disk", prep_.vectors.from_cache ? "true" : "false"},
                 {"llm_us_per_sample", json_number(prep_.llm_us_per_sample)}};
  }

  // Stage 1's T + head on the test vectors. Its training is stage 1 (llm_seconds), not a backbone's.
  MethodRow llm_row() const {
    MethodRow r;
    r.method = names_[2];
    r.test = prep_.llm_test;
    r.train.best_epoch = prep_.llm_best_epoch;
    r.train.epochs = prep_.llm_epochs;
    r.train.best_valid_auc = prep_.llm_valid_auc;
    r.llm_seconds = llm_seconds_;
    r.llm_tokens = llm_tokens_;
    r.settings = settings_;
    return r;
  }

  MethodSetup setup_;
  ElecOptions o_;
  std::vector<std::string> names_;  // elec_row_names: V, G, the LLM alone
  bool prepared_ = false;
  ElecPrepared prep_;
  double llm_seconds_ = 0;
  int64_t llm_tokens_ = 0;
  std::vector<std::pair<std::string, std::string>> settings_;
};

}  // namespace

// V: LABEL, G: LABEL-gain, the LLM alone: llm (LABEL-llm for another label, so that the controls'
// rows stay apart in an aggregate); no LLM row without an LLM.
std::vector<std::string> elec_row_names(const OptionValues& o) {
  const std::string label = o.get("elec-label");
  if (o.get_flag("elec-without-llm")) return {label, label + "-gain"};
  return {label, label + "-gain", label == "elec" ? "llm" : label + "-llm"};
}

MethodEntry elec_method_row() {
  return {"elec",
          "ELEC (arXiv 2509.07594): a gain network with the LLM's vector distils into the served vanilla backbone "
          "(docs/ELEC.md)",
          elec_option_table().options(),
          [](const MethodSetup& setup) -> std::unique_ptr<Method> { return std::make_unique<ElecMethod>(setup); },
          elec_row_names};
}

}  // namespace llactr::methods

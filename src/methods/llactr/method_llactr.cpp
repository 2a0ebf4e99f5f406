// The method "llactr": SSFT field embeddings (once per dataset) enhance each backbone through
// LlactrEnhancer's FRE loss and FIE logit (docs/LLACTR.md).
#include <cstdio>
#include <stdexcept>

#include "llactr/data/output_folder.h"
#include "llactr/methods/llactr/llactr.h"
#include "llactr/methods/llactr/ssft_options.h"
#include "llactr/methods/method.h"
#include "llactr/tensor/gemm.h"
#include "llactr/tensor/rng.h"
#include "llactr/util/json.h"

namespace llactr::methods {
namespace {

// The row's options: the enhancer's (LlactrOptions) and the row's own.
struct LlactrRowOptions : LlactrOptions {
  int ssft_epoch = -1;           // --llactr-ssft-epoch: -1 = the last
  std::string label = "llactr";  // --llactr-label
};

std::string fie_mode_text(const FieMode& m) { return fie_mode_name(m); }

const OptionTable<LlactrRowOptions>& llactr_option_table() {
  using O = LlactrRowOptions;
  static const OptionTable<O> table =
      OptionTable<O>()
          .number("llactr-lambda-fre", &O::lambda_fre, at_least(0), "weight of the FRE loss (0 = w/o FRE)", {"lambda-fre"})
          .number("llactr-lambda-fie", &O::lambda_fie, at_least(0), "weight of the FIE logit (0 = w/o FIE)", {"lambda-fie"})
          .custom("llactr-fie-mode", &O::fie_mode, parse_fie_mode, fie_mode_text,
                  "per-sample (the paper, all backbones) or released (the backbones the released code gives a constant FIE add one)", {"fie-mode"})
          .flag("llactr-frozen-adapters", &O::frozen_adapters, "W, b, A, c keep their random init, as the released code")
          .integer("llactr-ssft-epoch", &O::ssft_epoch, at_least(-1),
                   "which SSFT epoch's field embeddings (-1 = the last; 0 = the untuned LLM, w/o SSFT)", {"ssft-epoch"})
          .text("llactr-label", &O::label, true, "the rows' method name in the tables (e.g. \"w/o FRE\" for an ablation)",
                {"label"});
  return table;
}

class LlactrMethod : public Method {
 public:
  explicit LlactrMethod(const MethodSetup& setup) : setup_(setup) {
    const LlactrRowOptions o = llactr_option_table().read(setup.options);
    ssft_ = ssft_options(setup.shared, setup.dataset_label);
    opt_ = o;
    label_ = o.label;
    if (o.ssft_epoch > ssft_.epochs)
      throw std::invalid_argument("--llactr-ssft-epoch must be -1 (the last) or 0..--ssft-epochs (" +
                                  std::to_string(ssft_.epochs) + "), not " + std::to_string(o.ssft_epoch));
    epoch_ = o.ssft_epoch < 0 ? ssft_.epochs : o.ssft_epoch;
    require_llm_model(setup.llm_model);
    // SSFT writes its cache and field embeddings there: checked before the data is loaded.
    data::require_writable_folder(ssft_.out_dir, "--ssft-dir");
  }

  // The field embeddings after SSFT epoch epoch_ (0 = the untuned LLM, "w/o SSFT"), from the SSFT
  // cache in --ssft-dir or by running SSFT there (docs/SSFT.md).
  void prepare(const data::Dataset& dataset) override {
    if (!setup_.quiet) std::fprintf(stderr, "LLaCTR field embeddings from %s ..\n", setup_.llm_model.c_str());
    SsftOptions so = ssft_;
    so.model_path = setup_.llm_model;
    if (epoch_ == 0) so.epochs = 0;  // the untuned LLM: nothing to fine-tune
    so.progress = !setup_.quiet;
    const SsftResult r = [&] {
      ScopedThreads llm_threads(ssft_.threads);
      return run_ssft(dataset, so);
    }();
    const FieldEmbeddings& h = r.embeddings[size_t(epoch_)];
    const SsftEpoch& e = r.epochs[size_t(epoch_)];
    fields_ = h;
    llm_seconds_ = e.seconds;
    llm_tokens_ = e.tokens;
    settings_ = {{"lambda_fre", json_number(opt_.lambda_fre)},
                 {"lambda_fie", json_number(opt_.lambda_fie)},
                 {"fie_mode", json_quote(fie_mode_name(opt_.fie_mode))},
                 {"frozen_adapters", opt_.frozen_adapters ? "true" : "false"},
                 {"llm_model", json_quote(so.model_path)},
                 {"llm_sha256", json_quote(h.model_sha256)},
                 {"ssft_epoch", std::to_string(epoch_)},
                 {"ssft_epochs", std::to_string(so.epochs)},
                 {"ssft_loss", json_quote(ssft_loss_name(so))},
                 {"ssft_per_field", std::to_string(so.per_field)},
                 {"ssft_lr", json_number(so.lr)},
                 {"ssft_heldout_accuracy", json_number(e.heldout_accuracy)},
                 {"ssft_cached", r.from_cache ? "true" : "false"},
                 {"pooling", json_quote(h.pooling)},
                 {"field_embeddings", json_quote(h.npy_path)}};
    if (!setup_.quiet)
      std::fprintf(stderr, "LLaCTR field embeddings: %zu fields x d = %d (%.1f s)\n", fields_.fields.size(),
                   fields_.dim, llm_seconds_);
  }

  std::vector<MethodRow> run(const data::Dataset& dataset, const std::string& backbone, const BackboneConfig& bc,
                             const TrainConfig& tc) override {
    if (fields_.H.empty()) throw std::logic_error("LLaCTR: run() before prepare()");
    // The same seed gives base and LLaCTR the same backbone initialisation; the adapters are
    // drawn after it, from the same generator (as PyTorch creates them after the model).
    Rng init(tc.seed);
    std::unique_ptr<Backbone> model = make_backbone(backbone, bc, init);
    LlactrEnhancer llactr(dataset.schema, fields_.fields, fields_.H, fields_.dim, backbone, bc.embedding_dim, opt_,
                          init);
    MethodRow r = train_and_test(dataset, *model, tc, &llactr);
    r.method = label_;
    r.llm_seconds = llm_seconds_;
    r.llm_tokens = llm_tokens_;
    r.settings = settings_;
    return {r};
  }

 private:
  MethodSetup setup_;
  SsftOptions ssft_;      // --ssft-*
  LlactrOptions opt_;
  std::string label_;
  int epoch_ = 0;
  FieldEmbeddings fields_;
  double llm_seconds_ = 0;
  int64_t llm_tokens_ = 0;
  std::vector<std::pair<std::string, std::string>> settings_;
};

}  // namespace

MethodEntry llactr_method_row() {
  return {"llactr",
          "LLaCTR (arXiv 2505.14057): SSFT field embeddings enhance the backbone's FRE and FIE (docs/LLACTR.md)",
          llactr_option_table().options(),
          [](const MethodSetup& setup) -> std::unique_ptr<Method> { return std::make_unique<LlactrMethod>(setup); },
          [](const OptionValues& o) { return std::vector<std::string>{llactr_option_table().read(o).label}; }};
}

}  // namespace llactr::methods

// The method "llactr": SSFT field embeddings (once per dataset) enhance each backbone through
// LlactrEnhancer's FRE loss and FIE logit (docs/LLACTR.md).
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "llactr/data/json.h"
#include "llactr/data/output_folder.h"
#include "llactr/methods/llactr.h"
#include "llactr/methods/method.h"
#include "llactr/tensor/gemm.h"
#include "llactr/tensor/rng.h"

namespace llactr::methods {
namespace {

// "infonce", "generative" or "both", as --ssft-loss names the weights (w_cl, w_lg).
std::string ssft_loss_name(const SsftOptions& o) {
  if (o.w_cl == 1 && o.w_lg == 0) return "infonce";
  if (o.w_cl == 0 && o.w_lg == 1) return "generative";
  if (o.w_cl == 1 && o.w_lg == 1) return "both";
  char s[64];
  std::snprintf(s, sizeof s, "w_cl %g, w_lg %g", double(o.w_cl), double(o.w_lg));
  return s;
}

class LlactrMethod : public Method {
 public:
  explicit LlactrMethod(const MethodSetup& setup) : setup_(setup) {
    const OptionValues& o = setup.options;
    opt_.lambda_fre = float(o.get_double("llactr-lambda-fre"));
    opt_.lambda_fie = float(o.get_double("llactr-lambda-fie"));
    if (!(opt_.lambda_fre >= 0) || !std::isfinite(opt_.lambda_fre))
      throw std::invalid_argument("--llactr-lambda-fre must be a number >= 0");
    if (!(opt_.lambda_fie >= 0) || !std::isfinite(opt_.lambda_fie))
      throw std::invalid_argument("--llactr-lambda-fie must be a number >= 0");
    opt_.fie_mode = parse_fie_mode(o.get("llactr-fie-mode"));
    opt_.frozen_adapters = o.get_flag("llactr-frozen-adapters");
    label_ = o.get("llactr-label");
    if (label_.empty()) throw std::invalid_argument("--llactr-label must not be empty");
    const long epoch = o.get_int("llactr-ssft-epoch");
    if (epoch < -1 || epoch > setup.ssft.epochs)
      throw std::invalid_argument("--llactr-ssft-epoch must be -1 (the last) or 0..--ssft-epochs (" +
                                  std::to_string(setup.ssft.epochs) + "), not " + std::to_string(epoch));
    epoch_ = epoch < 0 ? setup.ssft.epochs : int(epoch);
    require_llm_model(setup.llm_model);
    // SSFT writes its cache and field embeddings there: checked before the data is loaded.
    data::require_writable_folder(setup.ssft.out_dir, "--ssft-dir");
  }

  // The field embeddings after SSFT epoch epoch_ (0 = the untuned LLM, "w/o SSFT"), from the SSFT
  // cache in --ssft-dir or by running SSFT there (docs/SSFT.md).
  void prepare(const data::Dataset& dataset) override {
    if (!setup_.quiet) std::fprintf(stderr, "LLaCTR field embeddings from %s ..\n", setup_.llm_model.c_str());
    SsftOptions so = setup_.ssft;
    so.model_path = setup_.llm_model;
    if (epoch_ == 0) so.epochs = 0;  // the untuned LLM: nothing to fine-tune
    so.progress = !setup_.quiet;
    set_threads(setup_.ssft_threads);
    const SsftResult r = run_ssft(dataset, so);
    set_threads(setup_.threads);
    const FieldEmbeddings& h = r.embeddings[size_t(epoch_)];
    const SsftEpoch& e = r.epochs[size_t(epoch_)];
    fields_ = h;
    llm_seconds_ = e.seconds;
    llm_tokens_ = e.tokens;
    settings_ = {{"lambda_fre", data::json_number(opt_.lambda_fre)},
                 {"lambda_fie", data::json_number(opt_.lambda_fie)},
                 {"fie_mode", data::json_quote(fie_mode_name(opt_.fie_mode))},
                 {"frozen_adapters", opt_.frozen_adapters ? "true" : "false"},
                 {"llm_model", data::json_quote(so.model_path)},
                 {"llm_sha256", data::json_quote(h.model_sha256)},
                 {"ssft_epoch", std::to_string(epoch_)},
                 {"ssft_epochs", std::to_string(so.epochs)},
                 {"ssft_loss", data::json_quote(ssft_loss_name(so))},
                 {"ssft_per_field", std::to_string(so.per_field)},
                 {"ssft_lr", data::json_number(so.lr)},
                 {"ssft_heldout_accuracy", data::json_number(e.heldout_accuracy)},
                 {"ssft_cached", r.from_cache ? "true" : "false"},
                 {"pooling", data::json_quote(h.pooling)},
                 {"field_embeddings", data::json_quote(h.npy_path)}};
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
  LlactrOptions opt_;
  std::string label_;
  int epoch_ = 0;
  FieldEmbeddings fields_;
  double llm_seconds_ = 0;
  int64_t llm_tokens_ = 0;
  std::vector<std::pair<std::string, std::string>> settings_;
};

}  // namespace

std::unique_ptr<Method> make_llactr_method(const MethodSetup& setup) { return std::make_unique<LlactrMethod>(setup); }

}  // namespace llactr::methods

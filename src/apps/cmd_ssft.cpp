// ./llactr ssft: LLaCTR's self-supervised field-feature fine-tuning on a dataset, with the field
// embeddings of every epoch written to --ssft-dir (docs/SSFT.md).

#include <cstdio>
#include <stdexcept>

#include "llactr/apps/args.h"
#include "llactr/apps/commands.h"
#include "llactr/apps/options.h"
#include "llactr/data/dataset.h"
#include "llactr/data/output_folder.h"
#include "llactr/llm/model/language_model.h"
#include "llactr/methods/common/instance_cost.h"
#include "llactr/methods/llactr/ssft.h"
#include "llactr/tensor/gemm.h"

namespace llactr {

int cmd_ssft(int argc, char** argv) {
  Args args("llactr ssft --dataset NAME --data-dir DIR --llm-model M --ssft-dir DIR [options]");
  declare_data_options(args);
  declare_llm_options(args);
  declare_ssft_options(args);
  // The older spellings of this command.
  args.alias("model", "llm-model").alias("out", "ssft-dir").alias("prompt", "ssft-prompt")
      .alias("per-field", "ssft-per-field").alias("heldout", "ssft-heldout").alias("epochs", "ssft-epochs")
      .alias("lr", "ssft-lr").alias("warmup", "ssft-warmup").alias("rank", "ssft-rank").alias("alpha", "ssft-alpha")
      .alias("dropout", "ssft-dropout").alias("targets", "ssft-targets").alias("tau", "ssft-tau")
      .alias("w-cl", "ssft-w-cl").alias("w-lg", "ssft-w-lg").alias("micro-batch", "ssft-micro-batch")
      .alias("accum", "ssft-accum").alias("seed", "ssft-seed").alias("pool", "ssft-pool")
      .alias("threads", "ssft-threads");
  args.option("instance-cost", "0", "also time one forward pass for N training samples (instance-level cost)")
      .flag("no-cache", "retrain even if --ssft-dir holds a run with the same model, data and settings")
      .flag("no-progress", "no progress bar");
  if (!args.parse(argc, argv)) return 0;
  if (!args.has("data-dir") || !args.has("ssft-dir")) throw std::invalid_argument("--data-dir and --ssft-dir are required");
  const long instance_cost = int_in(args, "instance-cost", 0, 100000000);
  const data::DataOptions d = data_options(args);
  methods::SsftOptions o = ssft_options(args, dataset_label(args));
  o.model_path = llm_model(args);
  o.use_cache = !args.get_flag("no-cache");
  o.progress = !args.get_flag("no-progress");
  data::require_writable_folder(o.out_dir, "--ssft-dir");  // before the data is loaded and SSFT runs
  set_threads(o.threads);
  const data::Dataset dataset = data::load_dataset(d);

  const methods::SsftResult r = methods::run_ssft(dataset, o);
  std::printf("ssft: %s, %d fields, %d training / %d held-out feature values, model %s%s\n",
              args.get("dataset").c_str(), dataset.schema.num_fields(), r.n_train, r.n_heldout, o.model_path.c_str(),
              r.from_cache ? " (cached: same model, data and settings)" : "");
  std::printf("%5s %10s %10s %10s %12s %12s %12s %9s\n", "epoch", "loss", "infonce", "gen", "heldout_nce",
              "heldout_acc", "llm_tokens", "wall_s");
  for (const methods::SsftEpoch& e : r.epochs)
    std::printf("%5d %10.4f %10.4f %10.4f %12.4f %12.4f %12lld %9.1f\n", e.epoch, e.loss, e.loss_cl, e.loss_lg,
                e.heldout_infonce, e.heldout_accuracy, (long long)e.tokens, e.seconds);
  std::printf("held-out field accuracy: %.4f before SSFT, %.4f after (%d values, %d fields; chance %.4f)\n",
              r.epochs.front().heldout_accuracy, r.epochs.back().heldout_accuracy, r.n_heldout,
              dataset.schema.num_fields(), 1.0 / dataset.schema.num_fields());
  std::printf("SSFT cost: %lld LLM tokens, %.1f s wall; field embeddings in %s/field_embeddings_epoch<e>.npy\n",
              (long long)r.epochs.back().tokens, r.epochs.back().seconds, o.out_dir.c_str());

  if (const long n = instance_cost; n > 0) {
    const llm::LanguageModel lm = llm::open_language_model(o.model_path);
    const methods::InstanceCost c = methods::measure_instance_cost(dataset, lm, int(n), o.micro_batch);
    std::printf("instance-level cost (one forward per training sample, like ELEC/KAR): %d samples timed, "
                "%lld tokens, %.2f s -> %zu train samples: %.3g tokens, %.1f s (estimated)\n",
                c.samples, (long long)c.tokens, c.seconds, c.train_samples, c.est_tokens, c.est_seconds);
    if (c.truncated > 0)
      std::printf("%d of the %d timed texts were longer than the model's context and cut to %d tokens\n", c.truncated,
                  c.samples, lm.model.config.n_ctx);
    std::printf("ratio instance-level / SSFT: %.1fx tokens, %.1fx wall time\n",
                  c.est_tokens / double(r.epochs.back().tokens), c.est_seconds / r.epochs.back().seconds);
  }
  return 0;
}

}  // namespace llactr

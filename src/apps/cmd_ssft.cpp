// ./llactr ssft: LLaCTR's self-supervised field-feature fine-tuning on a dataset, with the field
// embeddings of every epoch written to --out (docs/SSFT.md).

#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "llactr/apps/args.h"
#include "llactr/apps/commands.h"
#include "llactr/data/dataset.h"
#include "llactr/llm/model/language_model.h"
#include "llactr/methods/instance_cost.h"
#include "llactr/methods/ssft.h"
#include "llactr/tensor/gemm.h"

namespace llactr {

namespace {

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

}  // namespace

int cmd_ssft(int argc, char** argv) {
  Args args("llactr ssft --dataset NAME --data-dir DIR --model M --out DIR [options]");
  args.option("dataset", "ml100k", "dataset format: ml100k, ml1m, amazon2023, csv")
      .option("data-dir", "", "the dataset folder")
      .option("model", "data/stories260K/stories260K.gguf", "GGUF model to fine-tune")
      .option("out", "", "output folder: field embeddings (.npy + .json) per epoch, LoRA adapters; the cache")
      .option("prompt", "experiments/ssft_prompt.txt", "prompt template ({feature}, {fields})")
      .option("per-field", "300", "feature values sampled per field")
      .option("heldout", "0.1", "share of each field's values held out for the accuracy")
      .option("epochs", "3", "training epochs")
      .option("lr", "1e-3", "AdamW learning rate")
      .option("warmup", "0.1", "linear warm-up as a share of all steps")
      .option("rank", "8", "LoRA rank")
      .option("alpha", "16", "LoRA alpha (scale alpha/rank)")
      .option("dropout", "0.05", "LoRA dropout")
      .option("targets", "q,v", "projections with adapters: q,k,v,o,gate,up,down")
      .option("tau", "0.02", "InfoNCE temperature")
      .option("w-cl", "1", "weight of the contrastive (InfoNCE) loss")
      .option("w-lg", "0", "weight of the generative loss")
      .option("micro-batch", "16", "prompts per forward/backward")
      .option("accum", "1", "micro-batches per optimiser step")
      .option("seed", "2024", "seed of sampling, shuffling, dropout and LoRA init")
      .option("threads", "0", "OpenMP/BLAS threads (0: the default)")
      .option("pool", "last", "last or mean: hidden state pooling of prompts and descriptions")
      .option("instance-cost", "0", "also time one forward pass for N training samples (instance-level cost)")
      .flag("no-cache", "retrain even if --out holds a run with the same model, data and settings")
      .flag("no-progress", "no progress bar");
  if (!args.parse(argc, argv)) return 0;
  if (!args.has("data-dir") || !args.has("out")) throw std::invalid_argument("--data-dir and --out are required");
  if (const long t = args.get_int("threads"); t > 0) set_threads(int(t));

  data::DataOptions d;
  d.format = data::parse_data_format(args.get("dataset"));
  d.dir = args.get("data-dir");
  const data::Dataset dataset = data::load_dataset(d);

  methods::SsftOptions o;
  o.model_path = args.get("model");
  o.out_dir = args.get("out");
  o.prompt_file = args.get("prompt");
  o.per_field = int(args.get_int("per-field"));
  o.heldout_fraction = args.get_double("heldout");
  o.epochs = int(args.get_int("epochs"));
  o.lr = float(args.get_double("lr"));
  o.warmup_ratio = args.get_double("warmup");
  o.lora.rank = int(args.get_int("rank"));
  o.lora.alpha = float(args.get_double("alpha"));
  o.lora.dropout = float(args.get_double("dropout"));
  o.lora.targets = split_commas(args.get("targets"));
  o.tau = float(args.get_double("tau"));
  o.w_cl = float(args.get_double("w-cl"));
  o.w_lg = float(args.get_double("w-lg"));
  o.micro_batch = int(args.get_int("micro-batch"));
  o.accum = int(args.get_int("accum"));
  o.seed = uint64_t(args.get_int("seed"));
  o.lora.seed = o.seed;
  o.pooling = args.get("pool");
  o.use_cache = !args.get_flag("no-cache");
  o.progress = !args.get_flag("no-progress");

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

  if (const long n = args.get_int("instance-cost"); n > 0) {
    const llm::LanguageModel lm = llm::open_language_model(o.model_path);
    const methods::InstanceCost c = methods::measure_instance_cost(dataset, lm, int(n), o.micro_batch);
    std::printf("instance-level cost (one forward per training sample, like ELEC/KAR): %d samples timed, "
                "%lld tokens, %.2f s -> %zu train samples: %.3g tokens, %.1f s (estimated)\n",
                c.samples, (long long)c.tokens, c.seconds, c.train_samples, c.est_tokens, c.est_seconds);
    std::printf("ratio instance-level / SSFT: %.1fx tokens, %.1fx wall time\n",
                  c.est_tokens / double(r.epochs.back().tokens), c.est_seconds / r.epochs.back().seconds);
  }
  return 0;
}

}  // namespace llactr

// ./run_experiment: trains CTR backbones on one dataset and prints the paper-style table.
//
//   ./run_experiment                                     # ML-100K, all six backbones + LR, 1 seed
//   ./run_experiment --backbones FM,DeepFM --seeds 3 --out results/x
//   ./run_experiment --config experiments/ml100k_base.cfg --lr 2e-3   # the command line wins
//
// A config file holds `key = value` lines with the options' names ('#' starts a comment).
// Writes OUT/results.json, OUT/results.md, OUT/epochs.csv, and OUT/<dataset>_<backbone>_<method>_s<seed>.ckpt
// with --save-checkpoints.
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "llactr/apps/args.h"
#include "llactr/apps/results.h"
#include "llactr/ctr/checkpoint.h"
#include "llactr/ctr/trainer.h"
#include "llactr/data/dataset.h"
#include "llactr/tensor/gemm.h"
#include "llactr/tensor/rng.h"

namespace llactr {
namespace {

Args declare_options() {
  Args a("run_experiment [--config FILE] [--dataset ml100k --data-dir DIR] [--backbones all|FM,DeepFM,..] [options]");
  a.option("config", "", "a file of `key = value` lines with any of these options (command line wins)")
      .option("dataset", "ml100k", "dataset format: ml100k, ml1m, amazon2023, csv")
      .option("data-dir", "", "dataset folder (default data/ml-100k or data/ml-1m; `make data` fetches ML-100K)")
      .option("cache-dir", "data/cache", "where the encoded dataset is cached (\"\" = no cache)")
      .option("backbones", "all", "comma-separated: LR, FM, DeepFM, FwFM, FmFM, FinalMLP, WuKong, DCNv2, xDeepFM, AutoInt, or all")
      .option("method", "base", "base (LLM-enhanced methods come later)")
      .option("seeds", "1", "number of seeds; runs use seed, seed+1, ..")
      .option("seed", "2024", "first seed (model init, batch order, dropout)")
      .option("lr", "1e-3", "Adam learning rate")
      .option("batch-size", "4096", "training batch size")
      .option("embedding-dim", "32", "embedding size D")
      .option("epochs", "100", "maximum epochs")
      .option("patience", "2", "early stopping: epochs without a better valid AUC")
      .option("weight-decay", "0", "coupled L2 (torch Adam weight_decay) on all parameters")
      .option("grad-clip", "10", "max gradient L2 norm (0 = off)")
      .option("embedding-update", "dense", "dense (as torch Adam) or lazy (touched rows only)")
      .option("net-dropout", "0", "dropout in DeepFM's and FinalMLP's MLPs")
      .option("threads", "2", "OpenMP and OpenBLAS threads")
      .option("gemm", "eigen", "matrix-multiply engine: eigen or openblas")
      .option("out", "", "output folder (default results/<dataset>_<method>)")
      .flag("save-checkpoints", "write one checkpoint (model + encoder) per run into the output folder")
      .flag("quiet", "no per-epoch lines");
  return a;
}

// argv with the config file's lines turned into leading --key=value arguments.
std::vector<std::string> with_config(int argc, char** argv) {
  std::vector<std::string> args{argv[0]}, cli(argv + 1, argv + argc);
  std::string config;
  for (size_t i = 0; i < cli.size(); ++i) {
    if (cli[i] == "--config" && i + 1 < cli.size()) config = cli[i + 1];
    if (cli[i].rfind("--config=", 0) == 0) config = cli[i].substr(9);
  }
  if (!config.empty()) {
    std::ifstream f(config);
    if (!f) throw std::runtime_error("cannot open config file " + config);
    std::string line;
    for (int n = 1; std::getline(f, line); ++n) {
      line = line.substr(0, line.find('#'));
      auto trim = [](std::string s) {
        s.erase(0, s.find_first_not_of(" \t\r"));
        s.erase(s.find_last_not_of(" \t\r") + 1);
        return s;
      };
      if (trim(line).empty()) continue;
      auto eq = line.find('=');
      if (eq == std::string::npos) throw std::runtime_error(config + ":" + std::to_string(n) + ": expected key = value");
      std::string key = trim(line.substr(0, eq));
      if (key == "config") throw std::runtime_error(config + ":" + std::to_string(n) + ": a config cannot include another");
      args.push_back("--" + key + "=" + trim(line.substr(eq + 1)));
    }
  }
  args.insert(args.end(), cli.begin(), cli.end());
  return args;
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

int run(int argc, char** argv) {
  std::vector<std::string> arg_strings = with_config(argc, argv);
  std::vector<char*> arg_ptrs;
  for (std::string& s : arg_strings) arg_ptrs.push_back(s.data());
  Args a = declare_options();
  if (!a.parse(int(arg_ptrs.size()), arg_ptrs.data())) return 0;
  if (a.get("method") != "base") throw std::invalid_argument("--method " + a.get("method") + " is not available yet (base)");

  set_threads(int(a.get_int("threads")));
  set_gemm_backend(parse_gemm_backend(a.get("gemm")));

  data::DataOptions dopt;
  dopt.format = data::parse_data_format(a.get("dataset"));
  const std::string dataset = data::data_format_name(dopt.format);
  dopt.dir = a.has("data-dir") ? a.get("data-dir") : dopt.format == data::DataFormat::Ml1m ? "data/ml-1m" : "data/ml-100k";
  dopt.cache_dir = a.get("cache-dir");
  if (!std::filesystem::exists(dopt.dir))
    throw std::runtime_error("dataset folder " + dopt.dir + " not found: run `make data` (set LLACTR_DATA_MIRROR to copy "
                             "from a local mirror), or pass --data-dir");
  data::Dataset d = data::load_dataset(dopt);
  std::fprintf(stderr, "%s: %zu train, %zu valid, %zu test samples, %d fields, %d ids%s\n", dopt.dir.c_str(),
               d.train.size(), d.valid.size(), d.test.size(), d.schema.num_fields(), d.encoder.total_vocab(),
               d.from_cache ? " (cached)" : "");

  std::vector<std::string> backbones = a.get("backbones") == "all" ? backbone_names() : split_list(a.get("backbones"));
  BackboneConfig bc;
  bc.num_fields = d.schema.num_fields();
  bc.vocab_size = d.encoder.total_vocab();
  bc.embedding_dim = int(a.get_int("embedding-dim"));
  bc.net_dropout = float(a.get_double("net-dropout"));
  TrainConfig tc;
  tc.lr = float(a.get_double("lr"));
  tc.batch_size = size_t(a.get_int("batch-size"));
  tc.max_epochs = int(a.get_int("epochs"));
  tc.patience = int(a.get_int("patience"));
  tc.weight_decay = float(a.get_double("weight-decay"));
  tc.grad_clip = float(a.get_double("grad-clip"));
  tc.verbose = !a.get_flag("quiet");
  const std::string update = a.get("embedding-update");
  if (update != "dense" && update != "lazy") throw std::invalid_argument("--embedding-update must be dense or lazy");
  tc.embedding_update = update == "dense" ? SparseUpdate::Dense : SparseUpdate::Lazy;

  const std::string out = a.has("out") ? a.get("out") : "results/" + dataset + "_" + a.get("method");
  std::filesystem::create_directories(out);
  const long seeds = a.get_int("seeds");
  const uint64_t first_seed = uint64_t(a.get_int("seed"));

  std::vector<RunRecord> runs;
  std::vector<EpochRecord> epochs;
  for (const std::string& name : backbones)
    for (long s = 0; s < seeds; ++s) {
      const uint64_t seed = first_seed + uint64_t(s);
      Rng init(seed);
      auto model = make_backbone(name, bc, init);
      tc.seed = seed;
      TrainResult tr = train(*model, d.train, d.valid, tc);
      EvalResult ev = evaluate(*model, d.test, d.schema.user_field, tc.batch_size);
      RunRecord r{dataset, name, a.get("method"), seed, tr.best_valid_auc, ev.auc, ev.logloss, ev.gauc,
                  tr.best_epoch, tr.epochs, tr.train_seconds, tr.samples_per_sec, ev.infer_us_per_sample};
      runs.push_back(r);
      for (const EpochLog& e : tr.log)
        epochs.push_back({dataset, name, r.method, seed, e.epoch, e.train_loss, e.valid_auc, e.valid_logloss, e.lr,
                          e.train_seconds, e.samples_per_sec});
      std::fprintf(stderr, "%s seed %llu: test AUC %.6f logloss %.6f gAUC %.6f (best epoch %d of %d, %.1f s, %.0f samples/s)\n",
                   name.c_str(), (unsigned long long)seed, ev.auc, ev.logloss, ev.gauc, tr.best_epoch, tr.epochs,
                   tr.train_seconds, tr.samples_per_sec);
      if (a.get_flag("save-checkpoints"))
        save_checkpoint(out + "/" + dataset + "_" + name + "_" + r.method + "_s" + std::to_string(seed) + ".ckpt", *model,
                        d.encoder);
      // Rewritten after every run, so an interrupted experiment keeps what finished.
      write_text_file(out + "/results.json", results_json(runs));
      write_text_file(out + "/epochs.csv", epochs_csv(epochs));
    }
  const std::string table = results_table(runs);
  write_text_file(out + "/results.md", "# " + dataset + ", method " + a.get("method") + ", " + std::to_string(seeds) +
                                           " seed(s) from " + std::to_string(first_seed) + "\n\n" + table);
  std::printf("\n%s\nwrote %s/results.json, results.md, epochs.csv\n", table.c_str(), out.c_str());
  return 0;
}

}  // namespace
}  // namespace llactr

int main(int argc, char** argv) {
  try {
    return llactr::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "run_experiment: error: %s\n", e.what());
    return 1;
  }
}

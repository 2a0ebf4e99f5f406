// ./run_experiment: trains CTR backbones on one dataset, base and +LLaCTR, and prints the paper-style table.
//
//   ./run_experiment                          # ML-100K, the six backbones, base vs LLaCTR (stories260K), 1 seed
//   ./run_experiment --method base --backbones all --seeds 3 --out results/x
//   ./run_experiment --config experiments/ml100k_main.cfg --lambda-fie 0.3   # the command line wins
//   ./run_experiment --aggregate --out docs/results/ablation results/a results/b  # tables of finished runs
//
// A config file holds `key = value` lines with the options' names ('#' starts a comment);
// `WuKong.lr = 1e-4` (or `--WuKong.lr 1e-4`) sets an option for one backbone's runs only.
// Writes OUT/results.json, OUT/results.md, OUT/epochs.csv, OUT/auc_<dataset>.svg,
// OUT/valid_auc_<dataset>.svg, and OUT/<dataset>_<backbone>_<method>_s<seed>.ckpt with --save-checkpoints.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "llactr/apps/args.h"
#include "llactr/apps/backbone_overrides.h"
#include "llactr/apps/thread_wait_policy.h"
#include "llactr/apps/result_plots.h"
#include "llactr/apps/results.h"
#include "llactr/ctr/checkpoint.h"
#include "llactr/ctr/trainer.h"
#include "llactr/data/dataset.h"
#include "llactr/data/json.h"
#include "llactr/data/line_parsing.h"
#include "llactr/methods/llactr.h"
#include "llactr/methods/ssft.h"
#include "llactr/tensor/gemm.h"
#include "llactr/tensor/rng.h"

namespace llactr {
namespace {

Args declare_options() {
  Args a("run_experiment [--config FILE] [--dataset ml100k --data-dir DIR] [--method base,llactr] [--backbones six] [options]\n"
         "       run_experiment --aggregate --out DIR RUN_DIR...   (tables and charts of finished runs' results.json)");
  a.option("config", "", "a file of `key = value` lines with any of these options (command line wins)")
      .option("dataset", "ml100k", "dataset format: ml100k, ml1m, amazon2023, csv")
      .option("data-dir", "", "dataset folder (default data/ml-100k or data/ml-1m; `make data` fetches ML-100K)")
      .option("dataset-label", "", "the dataset's name in the tables (default: the format, e.g. ml100k)")
      .option("cache-dir", "data/cache", "where the encoded dataset is cached (\"\" = no cache)")
      .option("drop-fields", "", "comma-separated fields to leave out, e.g. ZipCode")
      .option("backbones", "six", "comma-separated: LR, FM, DeepFM, FwFM, FmFM, FinalMLP, WuKong, DCNv2, xDeepFM, AutoInt; six = the paper's six; all. LR, base only, is always added")
      .option("method", "base,llactr", "comma-separated: base, llactr")
      .option("label", "llactr", "the LLaCTR runs' method name in the tables (e.g. \"w/o FRE\" for an ablation)")
      .option("seeds", "1", "number of seeds; runs use seed, seed+1, ..")
      .option("seed", "2024", "first seed (model init, batch order, dropout)")
      .option("lr", "1e-3", "Adam learning rate")
      .option("batch-size", "4096", "training batch size")
      .option("embedding-dim", "32", "embedding size D")
      .option("epochs", "100", "maximum epochs")
      .option("patience", "2", "early stopping: epochs without a better monitored value")
      .option("monitor", "auc", "the validation metric for early stopping and lr decay: auc or auc-logloss")
      .option("weight-decay", "0", "coupled L2 (torch Adam weight_decay) on all parameters")
      .option("grad-clip", "10", "max gradient L2 norm (0 = off)")
      .option("embedding-update", "dense", "dense (as torch Adam) or lazy (touched rows only)")
      .option("init", "fuxictr", "fuxictr (embeddings N(0, 1e-4²), Xavier Linear) or torch (PyTorch's defaults)")
      .option("net-dropout", "0", "dropout in DeepFM's and FinalMLP's MLPs")
      .option("finalmlp-mlp1", "64,64,64", "FinalMLP's first stream: hidden units")
      .option("finalmlp-mlp2", "64,64,64", "FinalMLP's second stream: hidden units")
      .option("finalmlp-fs-hidden", "64", "FinalMLP's feature-selection gates: hidden units")
      .option("wukong-dropout", "0.2", "dropout in WuKong's linear compression blocks")
      .option("wukong-layers", "3", "WuKong's interaction layers")
      .option("wukong-fmb-units", "32,32", "WuKong's factorization machine block: hidden units")
      .option("wukong-fmb-dim", "40", "WuKong's factorization machine block: output width")
      .option("wukong-compression-dim", "40", "WuKong's linear compression block: output width")
      .option("wukong-project-dim", "8", "WuKong's low-rank projection k")
      .option("wukong-mlp", "32,32", "WuKong's final MLP: hidden units")
      .option("lambda-fre", "0.1", "LLaCTR: weight of the FRE loss (0 = w/o FRE)")
      .option("lambda-fie", "0.1", "LLaCTR: weight of the FIE logit (0 = w/o FIE)")
      .option("fie-mode", "per-sample", "LLaCTR: per-sample (the paper, all backbones) or released (FinalMLP/WuKong add a constant)")
      .flag("llactr-frozen-adapters", "LLaCTR: W, b, A, c keep their random init, as the released code")
      .option("llm-model", "data/stories260K/stories260K.gguf", "LLaCTR: the GGUF language model")
      .option("ssft-epoch", "-1", "LLaCTR: which SSFT epoch's field embeddings (-1 = the last; 0 = the untuned LLM, w/o SSFT)")
      .option("ssft-epochs", "3", "SSFT: epochs of LoRA fine-tuning")
      .option("ssft-loss", "infonce", "SSFT: infonce, generative or both")
      .option("ssft-per-field", "300", "SSFT: feature values sampled per field")
      .option("ssft-lr", "1e-3", "SSFT: AdamW learning rate")
      .option("ssft-dir", "", "SSFT: its output folder and cache (default data/cache/ssft/<dataset-label>)")
      .option("ssft-threads", "1", "SSFT: threads (its small ops run fastest on one)")
      .option("threads", "2", "OpenMP and OpenBLAS threads")
      .option("gemm", "openblas", "matrix-multiply engine: openblas or eigen")
      .option("out", "", "output folder (default results/<dataset>_<methods>)")
      .flag("aggregate", "read RUN_DIR/results.json of each positional RUN_DIR and write OUT/results.md and charts")
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

// The field embeddings LLaCTR uses, what they cost and where they came from.
struct FieldSource {
  std::vector<std::string> names;  // [K]
  std::vector<float> H;            // [K, d] row-major
  int d = 0;
  double llm_seconds = 0;  // SSFT + extraction
  std::vector<std::pair<std::string, std::string>> settings;  // provenance for results.json
};

// The field embeddings after SSFT epoch --ssft-epoch (0 = the untuned LLM, "w/o SSFT"), from the
// SSFT cache in --ssft-dir or by running SSFT there (docs/SSFT.md).
FieldSource field_embeddings(const Args& a, const data::Dataset& d, const std::string& dataset) {
  methods::SsftOptions so;
  so.model_path = a.get("llm-model");
  if (!std::filesystem::exists(so.model_path))
    throw std::runtime_error("language model " + so.model_path + " not found: run `make data` (it fetches stories260K), or pass --llm-model");
  so.out_dir = a.has("ssft-dir") ? a.get("ssft-dir") : "data/cache/ssft/" + dataset;
  so.epochs = int(a.get_int("ssft-epochs"));
  so.per_field = int(a.get_int("ssft-per-field"));
  so.lr = float(a.get_double("ssft-lr"));
  const std::string loss = a.get("ssft-loss");
  if (loss == "infonce") so.w_cl = 1, so.w_lg = 0;
  else if (loss == "generative") so.w_cl = 0, so.w_lg = 1;
  else if (loss == "both") so.w_cl = 1, so.w_lg = 1;
  else throw std::invalid_argument("--ssft-loss must be infonce, generative or both, not '" + loss + "'");
  const long epoch = a.get_int("ssft-epoch") < 0 ? so.epochs : a.get_int("ssft-epoch");
  if (epoch > so.epochs) throw std::invalid_argument("--ssft-epoch is past --ssft-epochs");
  if (epoch == 0) so.epochs = 0;  // the untuned LLM: nothing to fine-tune
  so.progress = !a.get_flag("quiet");
  // The SSFT engine's small ops run fastest on one thread (docs/SSFT.md).
  set_threads(int(a.get_int("ssft-threads")));
  const methods::SsftResult r = methods::run_ssft(d, so);
  set_threads(int(a.get_int("threads")));
  const methods::FieldEmbeddings& h = r.embeddings[size_t(epoch)];
  const methods::SsftEpoch& e = r.epochs[size_t(epoch)];
  FieldSource f{h.fields, h.H, h.dim, e.seconds, {}};
  char acc[32];
  std::snprintf(acc, sizeof acc, "%.6g", e.heldout_accuracy);
  f.settings = {{"llm_model", data::json_quote(so.model_path)}, {"llm_sha256", data::json_quote(h.model_sha256)},
                {"ssft_epoch", std::to_string(epoch)}, {"ssft_epochs", std::to_string(so.epochs)},
                {"ssft_loss", data::json_quote(loss)}, {"ssft_per_field", std::to_string(so.per_field)},
                {"ssft_lr", a.get("ssft-lr")}, {"ssft_heldout_accuracy", acc},
                {"ssft_cached", r.from_cache ? "true" : "false"}, {"pooling", data::json_quote(h.pooling)},
                {"field_embeddings", data::json_quote(h.npy_path)}};
  return f;
}

std::vector<std::pair<std::string, std::string>> llactr_settings(const methods::LlactrOptions& o) {
  char fre[32], fie[32];
  std::snprintf(fre, sizeof fre, "%g", double(o.lambda_fre));
  std::snprintf(fie, sizeof fie, "%g", double(o.lambda_fie));
  return {{"lambda_fre", fre},
          {"lambda_fie", fie},
          {"fie_mode", data::json_quote(methods::fie_mode_name(o.fie_mode))},
          {"frozen_adapters", o.frozen_adapters ? "true" : "false"}};
}

std::string command_line(int argc, char** argv) {
  std::string s = "./run_experiment";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    s += arg.find_first_of(" \"'|&;<>()$") == std::string::npos ? " " + arg : " '" + arg + "'";
  }
  return s;
}

// Tables and charts for a set of runs, into out/.
void write_reports(const std::string& out, const std::string& title, const std::vector<RunRecord>& runs,
                   const std::vector<EpochRecord>& epochs) {
  std::vector<std::string> datasets, methods_seen;
  for (const RunRecord& r : runs) {
    if (std::find(datasets.begin(), datasets.end(), r.dataset) == datasets.end()) datasets.push_back(r.dataset);
    if (std::find(methods_seen.begin(), methods_seen.end(), r.method) == methods_seen.end()) methods_seen.push_back(r.method);
  }
  std::string md = title + "\n## Test metrics (mean ± std over seeds)\n\n" + results_table(runs) + "\n";
  if (methods_seen.size() > 1) {
    md += "## Base vs method (RelaImpr on the seed means; cost columns in seconds and µs/sample)\n\n" + comparison_table(runs);
    md += "## Validation AUC\n\n" + validation_table(runs);
  }
  md += "## Charts\n\n";
  for (const std::string& ds : datasets) {
    svg::write_file(out + "/auc_" + ds + ".svg", svg::render(auc_bar_chart(runs, ds)));
    md += "![test AUC](auc_" + ds + ".svg)\n";
    uint64_t first_seed = ~uint64_t(0);
    for (const EpochRecord& e : epochs)
      if (e.dataset == ds) first_seed = std::min(first_seed, e.seed);
    if (first_seed != ~uint64_t(0)) {
      svg::write_file(out + "/valid_auc_" + ds + ".svg", svg::render(valid_auc_chart(epochs, ds, first_seed)));
      md += "![validation AUC per epoch](valid_auc_" + ds + ".svg)\n";
    }
  }
  write_text_file(out + "/results.md", md);
  std::printf("\n%s\nwrote %s/results.md and charts\n", md.c_str(), out.c_str());
}

int aggregate(const Args& a, const std::string& cmd) {
  if (!a.has("out")) throw std::invalid_argument("--aggregate needs --out DIR");
  if (a.positional().empty()) throw std::invalid_argument("--aggregate needs run folders (each with a results.json)");
  std::vector<RunRecord> runs;
  std::vector<EpochRecord> epochs;
  std::string sources;
  for (const std::string& dir : a.positional()) {
    const std::string path = dir + "/results.json";
    size_t repeated = 0;
    for (RunRecord& r : parse_results_json(data::read_text_file(path, "each folder given to --aggregate needs the results.json ./run_experiment wrote"), path)) {
      // The same run in two folders (e.g. base runs in every ablation folder) counts once.
      auto same = [&](const RunRecord& o) {
        return o.dataset == r.dataset && o.backbone == r.backbone && o.method == r.method && o.seed == r.seed;
      };
      if (std::any_of(runs.begin(), runs.end(), same)) {
        ++repeated;
        continue;
      }
      runs.push_back(std::move(r));
    }
    sources += "- " + path + (repeated ? " (" + std::to_string(repeated) + " runs already read from an earlier folder skipped)" : "") + "\n";
    // The per-epoch log, for the validation-AUC chart; folders written without one just add no lines.
    const std::string log = dir + "/epochs.csv";
    if (!std::filesystem::exists(log)) continue;
    for (EpochRecord& e : parse_epochs_csv(data::read_text_file(log, "the run's per-epoch log"), log)) {
      auto same = [&](const EpochRecord& o) {
        return o.dataset == e.dataset && o.backbone == e.backbone && o.method == e.method && o.seed == e.seed &&
               o.epoch == e.epoch;
      };
      if (std::none_of(epochs.begin(), epochs.end(), same)) epochs.push_back(std::move(e));
    }
  }
  const std::string out = a.get("out");
  std::filesystem::create_directories(out);
  write_reports(out, "# Aggregated results\n\nCommand: `" + cmd + "`\n\nFrom:\n" + sources, runs, epochs);
  return 0;
}

// The options of one backbone's runs, from argv-like strings (argv[0] first).
Args parse_args(std::vector<std::string> strings) {
  std::vector<char*> ptrs;
  for (std::string& s : strings) ptrs.push_back(s.data());
  Args a = declare_options();
  a.parse(int(ptrs.size()), ptrs.data());
  return a;
}

// The option as an integer >= lo, or a clear error naming it.
long int_at_least(const Args& a, const std::string& name, long lo) {
  const long v = a.get_int(name);
  if (v < lo) throw std::invalid_argument("--" + name + " must be >= " + std::to_string(lo) + ", got " + a.get(name));
  return v;
}

// The option as a finite number in [lo, hi) (hi = infinity: no upper bound), or a clear error.
double number_in(const Args& a, const std::string& name, double lo, double hi) {
  const double v = a.get_double(name);
  if (!std::isfinite(v) || v < lo || v >= hi) {
    char range[64];
    if (std::isinf(hi)) std::snprintf(range, sizeof range, ">= %g", lo);
    else std::snprintf(range, sizeof range, "in [%g, %g)", lo, hi);
    throw std::invalid_argument("--" + name + " must be a number " + range + ", got " + a.get(name));
  }
  return v;
}

// "400,400" -> {400, 400}; every entry a positive integer.
std::vector<int64_t> units(const Args& a, const std::string& name) {
  std::vector<int64_t> out;
  for (const std::string& item : split_list(a.get(name))) {
    char* end = nullptr;
    const long long v = std::strtoll(item.c_str(), &end, 10);
    if (end == item.c_str() || *end != '\0' || v < 1)
      throw std::invalid_argument("--" + name + " must be comma-separated positive integers, got '" + a.get(name) + "'");
    out.push_back(v);
  }
  if (out.empty()) throw std::invalid_argument("--" + name + " needs at least one layer width");
  return out;
}

// The architecture options; num_fields and vocab_size come from the data.
BackboneConfig backbone_config(const Args& a) {
  BackboneConfig bc;
  bc.embedding_dim = int(int_at_least(a, "embedding-dim", 1));
  bc.init = parse_param_init(a.get("init"));
  bc.net_dropout = float(number_in(a, "net-dropout", 0, 1));
  bc.finalmlp_mlp1 = units(a, "finalmlp-mlp1");
  bc.finalmlp_mlp2 = units(a, "finalmlp-mlp2");
  bc.finalmlp_fs_hidden = units(a, "finalmlp-fs-hidden");
  bc.wukong_dropout = float(number_in(a, "wukong-dropout", 0, 1));
  bc.wukong_layers = int(int_at_least(a, "wukong-layers", 1));
  bc.wukong_fmb_units = units(a, "wukong-fmb-units");
  bc.wukong_fmb_dim = int_at_least(a, "wukong-fmb-dim", 1);
  bc.wukong_compression_dim = int_at_least(a, "wukong-compression-dim", 1);
  bc.wukong_project_dim = int_at_least(a, "wukong-project-dim", 1);
  bc.wukong_mlp = units(a, "wukong-mlp");
  return bc;
}

TrainConfig train_config(const Args& a, uint64_t seed) {
  constexpr double kNoLimit = std::numeric_limits<double>::infinity();
  TrainConfig tc;
  tc.lr = float(a.get_double("lr"));
  if (!(tc.lr > 0) || !std::isfinite(tc.lr)) throw std::invalid_argument("--lr must be a number > 0, got " + a.get("lr"));
  tc.batch_size = size_t(int_at_least(a, "batch-size", 1));
  tc.max_epochs = int(int_at_least(a, "epochs", 1));
  tc.patience = int(int_at_least(a, "patience", 1));
  tc.monitor = parse_monitor(a.get("monitor"));
  tc.weight_decay = float(number_in(a, "weight-decay", 0, kNoLimit));
  tc.grad_clip = float(number_in(a, "grad-clip", 0, kNoLimit));
  tc.verbose = !a.get_flag("quiet");
  const std::string update = a.get("embedding-update");
  if (update != "dense" && update != "lazy") throw std::invalid_argument("--embedding-update must be dense or lazy");
  tc.embedding_update = update == "dense" ? SparseUpdate::Dense : SparseUpdate::Lazy;
  tc.seed = seed;
  return tc;
}

// A backbone's options, checked before any data is read: the numbers, and the architecture by
// building the model once on a two-field toy vocabulary (e.g. FinalMLP's widths must divide by its heads).
void check_backbone_options(const std::string& name, const Args& a) {
  try {
    train_config(a, 0);
    BackboneConfig bc = backbone_config(a);
    bc.num_fields = 2;
    bc.vocab_size = 4;
    Rng rng(0);
    make_backbone(name, bc, rng);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("options for " + name + ": " + e.what());
  }
}

int run(int argc, char** argv) {
  const BackboneOverrides overrides = split_backbone_overrides(with_config(argc, argv));
  std::vector<std::string> arg_strings = overrides.shared;
  std::vector<char*> arg_ptrs;
  for (std::string& s : arg_strings) arg_ptrs.push_back(s.data());
  Args a = declare_options();
  if (!a.parse(int(arg_ptrs.size()), arg_ptrs.data())) return 0;
  const std::string cmd = command_line(argc, argv);
  if (a.get_flag("aggregate")) return aggregate(a, cmd);
  if (!a.positional().empty()) throw std::invalid_argument("unexpected argument " + a.positional()[0] + " (see --help)");

  const std::vector<std::string> method_list = split_list(a.get("method"));
  if (method_list.empty()) throw std::invalid_argument("--method names no method (base, llactr)");
  bool with_llactr = false;
  for (const std::string& m : method_list) {
    if (m != "base" && m != "llactr") throw std::invalid_argument("--method: unknown method " + m + " (base, llactr)");
    with_llactr = with_llactr || m == "llactr";
  }
  if (with_llactr && a.get_flag("save-checkpoints"))
    throw std::invalid_argument("--save-checkpoints saves the backbone only, without LLaCTR's adapters: use it with --method base");

  // Every option is checked here, before the data is read.
  const long seeds = int_at_least(a, "seeds", 1);
  const uint64_t first_seed = uint64_t(int_at_least(a, "seed", 0));
  // "six": the backbones of the LLaCTR paper's table.
  const std::string which = a.get("backbones");
  std::vector<std::string> backbones = which == "all"   ? backbone_names()
                                       : which == "six" ? std::vector<std::string>{"FM", "DeepFM", "FwFM", "FmFM", "FinalMLP", "WuKong"}
                                                        : split_list(which);
  if (backbones.empty()) throw std::invalid_argument("--backbones names no backbone");
  // LR, base only, is a row of every table: what the backbones' interaction layers add over it.
  if (std::find(backbones.begin(), backbones.end(), "LR") == backbones.end()) backbones.insert(backbones.begin(), "LR");
  auto methods_of = [&](const std::string& name) {
    return name == "LR" ? std::vector<std::string>{"base"} : method_list;
  };
  // The shared options, then each backbone's: the shared ones and its own overrides (`WuKong.lr = 1e-4`).
  train_config(a, 0);
  backbone_config(a);
  std::map<std::string, Args> per_backbone;
  for (const std::string& name : backbones) {
    per_backbone.emplace(name, parse_args(overrides.args_for(name)));
    check_backbone_options(name, per_backbone.at(name));
  }
  methods::LlactrOptions lo;
  lo.lambda_fre = float(a.get_double("lambda-fre"));
  lo.lambda_fie = float(a.get_double("lambda-fie"));
  lo.fie_mode = methods::parse_fie_mode(a.get("fie-mode"));
  lo.frozen_adapters = a.get_flag("llactr-frozen-adapters");
  set_threads(int(int_at_least(a, "threads", 1)));
  set_gemm_backend(parse_gemm_backend(a.get("gemm")));

  data::DataOptions dopt;
  dopt.format = data::parse_data_format(a.get("dataset"));
  const std::string dataset = a.has("dataset-label") ? a.get("dataset-label") : data::data_format_name(dopt.format);
  dopt.dir = a.has("data-dir") ? a.get("data-dir") : dopt.format == data::DataFormat::Ml1m ? "data/ml-1m" : "data/ml-100k";
  dopt.cache_dir = a.get("cache-dir");
  if (a.has("drop-fields")) dopt.drop_fields = split_list(a.get("drop-fields"));
  if (!std::filesystem::exists(dopt.dir))
    throw std::runtime_error("dataset folder " + dopt.dir + " not found: run `make data` (set LLACTR_DATA_MIRROR to copy "
                             "from a local mirror), or pass --data-dir");
  data::dataset_schema(dopt);  // an unknown --drop-fields name is an error before the data is read
  data::Dataset d = data::load_dataset(dopt);
  std::fprintf(stderr, "%s: %zu train, %zu valid, %zu test samples, %d fields, %d ids%s\n", dopt.dir.c_str(),
               d.train.size(), d.valid.size(), d.test.size(), d.schema.num_fields(), d.encoder.total_vocab(),
               d.from_cache ? " (cached)" : "");

  FieldSource fields;
  if (with_llactr) {
    std::fprintf(stderr, "LLaCTR field embeddings from %s ..\n", a.get("llm-model").c_str());
    fields = field_embeddings(a, d, dataset);
    std::fprintf(stderr, "LLaCTR field embeddings: %zu fields x d = %d (%.1f s)\n", fields.names.size(), fields.d,
                 fields.llm_seconds);
  }

  std::string method_names;
  for (const std::string& m : method_list) method_names += (method_names.empty() ? "" : "+") + (m == "llactr" ? a.get("label") : m);
  const std::string out = a.has("out") ? a.get("out") : "results/" + dataset + "_" + method_names;
  std::filesystem::create_directories(out);

  std::vector<RunRecord> runs;
  std::vector<EpochRecord> epochs;
  size_t total = 0;
  for (const std::string& name : backbones) total += size_t(seeds) * methods_of(name).size();
  for (const std::string& name : backbones)
    for (long s = 0; s < seeds; ++s)
      for (const std::string& m : methods_of(name)) {
        const uint64_t seed = first_seed + uint64_t(s);
        const std::string method = m == "llactr" ? a.get("label") : m;
        std::fprintf(stderr, "[%zu/%zu] %s %s seed %llu\n", runs.size() + 1, total, name.c_str(), method.c_str(),
                     (unsigned long long)seed);
        const Args& ab = per_backbone.at(name);
        BackboneConfig bc = backbone_config(ab);
        bc.num_fields = d.schema.num_fields();
        bc.vocab_size = d.encoder.total_vocab();
        const TrainConfig tc = train_config(ab, seed);
        // The same seed gives base and LLaCTR the same backbone initialisation; LLaCTR's adapters
        // are drawn after it, from the same generator (as PyTorch creates them after the model).
        Rng init(seed);
        auto model = make_backbone(name, bc, init);
        std::unique_ptr<methods::LlactrEnhancer> llactr;
        if (m == "llactr")
          llactr = std::make_unique<methods::LlactrEnhancer>(d.schema, fields.names, fields.H, fields.d, name,
                                                             bc.embedding_dim, lo, init);
        TrainResult tr = train(*model, d.train, d.valid, tc, llactr.get());
        EvalResult ev = evaluate(*model, d.test, d.schema.user_field, tc.batch_size, llactr.get());
        RunRecord r{dataset, name, method, seed, tr.best_valid_auc, ev.auc, ev.logloss, ev.gauc,
                    tr.best_epoch, tr.epochs, tr.train_seconds, tr.samples_per_sec, ev.infer_us_per_sample, 0, {}};
        if (llactr) {
          r.llm_seconds = fields.llm_seconds;
          r.settings = llactr_settings(lo);
          r.settings.insert(r.settings.end(), fields.settings.begin(), fields.settings.end());
        }
        // A backbone's own settings ("--lr=1e-4" -> ("lr", "\"1e-4\"")), so the table's rows say how they differ.
        if (auto own = overrides.per_backbone.find(name); own != overrides.per_backbone.end())
          for (const std::string& o : own->second) {
            const size_t eq = o.find('=');
            r.settings.emplace_back(o.substr(2, eq - 2), data::json_quote(o.substr(eq + 1)));
          }
        runs.push_back(r);
        for (const EpochLog& e : tr.log)
          epochs.push_back({dataset, name, method, seed, e.epoch, e.train_loss, e.valid_auc, e.valid_logloss, e.lr,
                            e.train_seconds, e.samples_per_sec});
        std::fprintf(stderr, "%s %s seed %llu: test AUC %.6f logloss %.6f gAUC %.6f (best epoch %d of %d, %.1f s, %.0f samples/s)\n",
                     name.c_str(), method.c_str(), (unsigned long long)seed, ev.auc, ev.logloss, ev.gauc, tr.best_epoch,
                     tr.epochs, tr.train_seconds, tr.samples_per_sec);
        if (a.get_flag("save-checkpoints"))
          save_checkpoint(out + "/" + dataset + "_" + name + "_" + method + "_s" + std::to_string(seed) + ".ckpt", *model,
                          d.encoder);
        // Rewritten after every run, so an interrupted experiment keeps what finished.
        write_text_file(out + "/results.json", results_json(runs));
        write_text_file(out + "/epochs.csv", epochs_csv(epochs));
      }
  write_reports(out,
                "# " + dataset + ", " + method_names + ", " + std::to_string(seeds) + " seed(s) from " +
                    std::to_string(first_seed) + "\n\nCommand: `" + cmd + "`\n",
                runs, epochs);
  std::printf("wrote %s/results.json, epochs.csv\n", out.c_str());
  return 0;
}

}  // namespace
}  // namespace llactr

int main(int argc, char** argv) {
  llactr::ensure_sleeping_idle_threads(argv);
  try {
    return llactr::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "run_experiment: error: %s\n", e.what());
    return 1;
  }
}

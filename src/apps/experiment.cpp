// ./run_experiment (include/llactr/apps/experiment.h): trains CTR backbones on one dataset with the
// methods of the method table (base, LLaCTR, ..) and prints the paper-style table.
//
//   ./run_experiment                          # ML-100K, the six backbones, base vs LLaCTR (stories260K), 1 seed
//   ./run_experiment --method base --backbones all --seeds 3 --out results/x
//   ./run_experiment --config experiments/ml100k_main.cfg --llactr-lambda-fie 0.3   # the command line wins
//   ./run_experiment --aggregate --out docs/results/ablation results/a results/b  # tables of finished runs
//   ./run_experiment --resume --out results/x  # a killed experiment continues: same options (docs/RESUME.md)
//
// A config file holds `key = value` lines with the options' names ('#' starts a comment);
// `Name.lr = 1e-4` (or `--Name.lr 1e-4`) sets an option for the backbone Name's runs only.
// Writes OUT/results.json, OUT/results.md, OUT/epochs.csv, OUT/auc_<dataset>.svg,
// OUT/valid_auc_<dataset>.svg, and OUT/<dataset>_<backbone>_<method>_s<seed>.ckpt with --save-checkpoints;
// OUT/options.cfg and, while a run trains, its training states under OUT/state/ (apps/experiment_resume.h).
//
// Under `mpirun -np R ./run_experiment_mpi` (make MPI=1) every rank trains on its slice of each
// batch (ctr/trainer.cpp); rank 0, the writer, alone prints progress and writes files.
#include "llactr/apps/experiment.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>

#include "llactr/apps/args.h"
#include "llactr/apps/backbone_overrides.h"
#include "llactr/apps/experiment_resume.h"
#include "llactr/apps/options.h"
#include "llactr/apps/result_plots.h"
#include "llactr/apps/results.h"
#include "llactr/ctr/checkpoint.h"
#include "llactr/ctr/trainer.h"
#include "llactr/ctr/trainer_state.h"
#include "llactr/data/dataset.h"
#include "llactr/data/line_parsing.h"
#include "llactr/data/output_folder.h"
#include "llactr/methods/method.h"
#include "llactr/tensor/gemm.h"
#include "llactr/tensor/rng.h"
#include "llactr/util/communicator.h"
#include "llactr/util/json.h"

namespace llactr {
namespace {

Args declare_options() {
  Args a("run_experiment [--config FILE] [--dataset ml100k --data-dir DIR] [--method base,llactr] [--backbones six] [options]\n"
         "       run_experiment --aggregate --out DIR RUN_DIR...   (tables and charts of finished runs' results.json)");
  std::string known, backbones;
  for (const methods::MethodEntry& m : methods::method_table()) known += (known.empty() ? "" : ", ") + std::string(m.name);
  for (const BackboneEntry& b : backbone_table()) backbones += (backbones.empty() ? "" : ", ") + b.name;
  a.option("config", "", "a file of `key = value` lines with any of these options (command line wins)");
  declare_data_options(a);
  a.option("backbones", "six", "comma-separated: " + backbones + "; six = the LLaCTR paper's six; all. " +
                                   backbone_table().front().name + ", base only, is always added")
      .option("method", "base,llactr", "comma-separated rows of the method table: " + known)
      .option("seeds", "1", "number of seeds; runs use seed, seed+1, ..")
      .option("seed", "2024", "first seed (model init, batch order, dropout)")
      .option("lr", "1e-3", "Adam learning rate")
      .option("batch-size", "4096", "training batch size")
      .option("epochs", "100", "maximum epochs")
      .option("patience", "2", "early stopping: epochs without a better monitored value")
      .option("monitor", "auc", "the validation metric for early stopping and lr decay: auc or auc-logloss")
      .option("weight-decay", "0", "coupled L2 (torch Adam weight_decay) on all parameters")
      .option("grad-clip", "10", "max gradient L2 norm (0 = off)")
      .option("embedding-update", "dense", "dense (as torch Adam) or lazy (touched rows only)")
      .option("id-dropout", "0", "in training, a row's --id-dropout-fields become out-of-vocabulary with this probability, as a cold item's are")
      .option("id-dropout-fields", "", "comma-separated fields for --id-dropout (default: the schema's item field)");
  // The shared backbone options (--embedding-dim, --init, --net-dropout), then each row's own.
  declare_options(a, backbone_config_options().options());
  for (const BackboneEntry& b : backbone_table()) declare_options(a, b.options);
  declare_method_options(a);
  declare_llm_options(a);
  declare_ssft_options(a);
  a.option("threads", "2", "OpenMP and OpenBLAS threads")
      .option("gemm", "openblas", "matrix-multiply engine: openblas or eigen")
      .option("out", "", "output folder (default results/<dataset>_<methods>)")
      .flag("resume", "continue the experiment in --out: skip the runs its results.json records and continue the "
                      "interrupted one from its last finished epoch, bit for bit (the options must be those in "
                      "OUT/options.cfg; docs/RESUME.md)")
      .option("stop-after-epochs", "0", "stop the experiment (exit code 3) once a training has finished this many epochs "
                                        "and written its state, to continue later with --resume; 0: never")
      .flag("aggregate", "read RUN_DIR/results.json of each positional RUN_DIR and write OUT/results.md and charts")
      .flag("save-checkpoints", "write one checkpoint (model + encoder) per run into the output folder (of the rows whose backbone predicts alone, e.g. base)")
      .flag("quiet", "no per-epoch lines");
  return a;
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

// Parses argv-like strings (argv[0] first) into a; false when --help was given (and printed).
bool parse_strings(Args& a, std::vector<std::string> strings) {
  std::vector<char*> ptrs;
  for (std::string& s : strings) ptrs.push_back(s.data());
  return a.parse(int(ptrs.size()), ptrs.data());
}

// The backbone's shared options and its own; num_fields and vocab_size come from the data.
BackboneConfig backbone_config(const Args& a, const std::string& backbone) {
  BackboneConfig bc = backbone_config_options().read(option_values(a, backbone_config_options().options()));
  bc.options = option_values(a, backbone_entry(backbone).options);
  return bc;
}

TrainConfig train_config(const Args& a, uint64_t seed) {
  TrainConfig tc;
  tc.lr = float(a.get_double("lr"));
  if (!(tc.lr > 0) || !std::isfinite(tc.lr)) throw std::invalid_argument("--lr must be a number > 0, not " + a.get("lr"));
  tc.batch_size = size_t(int_in(a, "batch-size", 1, LONG_MAX));
  tc.max_epochs = int(int_in(a, "epochs", 1, 1000000));
  tc.patience = int(int_in(a, "patience", 0, 1000000));
  tc.monitor = parse_monitor(a.get("monitor"));
  tc.weight_decay = float(double_in(a, "weight-decay", 0, 1e6));
  tc.grad_clip = float(double_in(a, "grad-clip", 0, 1e30));
  tc.verbose = !a.get_flag("quiet");
  const std::string update = a.get("embedding-update");
  if (update != "dense" && update != "lazy") throw std::invalid_argument("--embedding-update must be dense or lazy");
  tc.embedding_update = update == "dense" ? SparseUpdate::Dense : SparseUpdate::Lazy;
  tc.seed = seed;
  tc.id_dropout = float(double_in(a, "id-dropout", 0, 1));
  return tc;
}

// The (column, OOV global id) pairs --id-dropout replaces: the named fields, or the item field.
std::vector<std::pair<int, int32_t>> id_dropout_columns(const Args& a, const data::Dataset& d) {
  std::vector<std::string> names;
  if (a.has("id-dropout-fields")) names = split_commas(a.get("id-dropout-fields"));
  if (names.empty()) {
    if (d.schema.item_field < 0)
      throw std::invalid_argument("--id-dropout: the dataset has no item field; name the fields with --id-dropout-fields");
    names.push_back(d.schema.fields[size_t(d.schema.item_field)].name);
  }
  std::vector<std::pair<int, int32_t>> columns;
  for (const std::string& name : names) {
    const int k = d.schema.index_of(name);
    if (k < 0) throw std::invalid_argument("--id-dropout-fields: no field '" + name + "' in the dataset");
    columns.push_back({k, d.encoder.offset(k)});
  }
  return columns;
}

}  // namespace

int run_experiment(int argc, char** argv) {
  const BackboneOverrides overrides = split_backbone_overrides(with_config(argc, argv));
  Args a = declare_options();
  if (!parse_strings(a, overrides.shared)) return 0;
  const std::string cmd = command_line(argc, argv);
  if (a.get_flag("aggregate")) return aggregate(a, cmd);
  a.reject_positional();

  // Every option is read and checked here, before the data is loaded.
  const std::string dataset = dataset_label(a);
  const long seeds = int_in(a, "seeds", 1, 1000000);
  const uint64_t first_seed = uint64_t(int_in(a, "seed", 0, LONG_MAX));
  const int threads = int(int_in(a, "threads", 1, 1024));
  set_gemm_backend(parse_gemm_backend(a.get("gemm")));
  const bool writer = world().is_writer();  // under mpirun: rank 0 alone prints and writes
  // "six": the backbones of the LLaCTR paper's table.
  const std::string which = a.get("backbones");
  std::vector<std::string> backbones;
  if (which == "all") backbones = backbone_names();
  else if (which == "six") {
    for (const BackboneEntry& b : backbone_table())
      if (b.paper_six) backbones.push_back(b.name);
  } else backbones = split_commas(which);
  if (backbones.empty()) throw std::invalid_argument("--backbones names no backbone");
  // The table's first row (logistic regression), base only, is a row of every table: what the backbones'
  // interaction layers add over it.
  const std::string reference = backbone_table().front().name;
  if (std::find(backbones.begin(), backbones.end(), reference) == backbones.end())
    backbones.insert(backbones.begin(), reference);
  // Each backbone's options: the shared ones, then its own overrides (`Name.lr = 1e-4`), checked
  // by building the model once on a two-field toy vocabulary (an unknown name, or widths that a
  // model rejects, fail now, not after the data is loaded).
  std::map<std::string, Args> per_backbone;
  for (const std::string& name : backbones) {
    Args& ab = per_backbone.emplace(name, declare_options()).first->second;
    parse_strings(ab, overrides.args_for(name));
    try {
      Rng unused(0);
      BackboneConfig bc = backbone_config(ab, name);
      bc.num_fields = 2, bc.vocab_size = 4;
      make_backbone(name, bc, unused);
      train_config(ab, first_seed);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("options for " + name + ": " + e.what());
    }
  }
  methods::MethodSetup setup;
  setup.dataset_label = dataset;
  setup.llm_model = a.get("llm-model");
  ssft_options(a, dataset);  // checked here whichever methods run
  setup.shared = option_values(a, methods::ssft_option_list());
  setup.threads = threads;
  setup.quiet = a.get_flag("quiet") || !writer;
  std::vector<std::unique_ptr<methods::Method>> chosen;
  std::vector<std::string> row_names;
  const std::vector<std::string> method_list = split_commas(a.get("method"));
  for (size_t i = 0; i < method_list.size(); ++i) {
    const std::string& m = method_list[i];
    if (std::find(method_list.begin(), method_list.begin() + long(i), m) != method_list.begin() + long(i))
      throw std::invalid_argument("--method names '" + m + "' twice: each method runs once per backbone and seed");
    const methods::MethodEntry& entry = methods::method_entry(m);
    setup.options = method_options(a, entry);
    chosen.push_back(entry.make(setup));  // checks its options and the folders it will write
    for (const std::string& row : entry.row_names(setup.options)) {
      if (std::find(row_names.begin(), row_names.end(), row) != row_names.end())
        throw std::invalid_argument("--method: two rows would be named '" + row + "' (set a method's --*-label)");
      // The row's name is a field of epochs.csv, which has no quoting.
      if (row.find_first_of(",\n\r") != std::string::npos)
        throw std::invalid_argument("--method: the row name '" + row +
                                    "' holds a comma or a line break, which epochs.csv cannot (set the method's --*-label)");
      row_names.push_back(row);
    }
  }
  if (chosen.empty()) throw std::invalid_argument("--method names no method");
  // The reference is trained with base only: the methods enhance embeddings and interactions,
  // which it has not. Its rows are always named "base" (no --base-label), so that they compare
  // across runs.
  setup.options = OptionValues();
  const std::unique_ptr<methods::Method> reference_base = methods::method_entry("base").make(setup);
  // Each method with its name and its rows' names (what --resume looks for in results.json).
  struct Chosen {
    methods::Method* method;
    std::string name;
    std::vector<std::string> rows;
  };
  auto methods_of = [&](const std::string& backbone) {
    if (backbone == reference) return std::vector<Chosen>{{reference_base.get(), "base", {"base"}}};
    std::vector<Chosen> list;
    for (size_t i = 0; i < chosen.size(); ++i) {
      const methods::MethodEntry& entry = methods::method_entry(method_list[i]);
      list.push_back({chosen[i].get(), method_list[i], entry.row_names(method_options(a, entry))});
    }
    return list;
  };
  const data::DataOptions dopt = data_options(a);  // it also checks that the data folder exists
  // The folders the run writes, checked (created, a file written) before the data is loaded; the
  // methods checked theirs (--ssft-dir, --elec-dir) in make().
  std::string method_names;
  for (const std::string& row : row_names) method_names += (method_names.empty() ? "" : "+") + row;
  const std::string out = a.has("out") ? a.get("out") : "results/" + dataset + "_" + method_names;
  if (writer) {
    data::require_writable_folder(out, "--out");
    if (!dopt.cache_dir.empty()) data::require_writable_folder(dopt.cache_dir, "--cache-dir");
  }
  const bool resume = a.get_flag("resume");
  const int stop_after_epochs = int(int_in(a, "stop-after-epochs", 0, 1000000));
  const std::map<std::string, std::string> options = recorded_options(a, overrides);
  if (resume) check_recorded_options(out, options);

  set_threads(threads);
  // The writer parses the data and fills the cache first; the other ranks then read the cache.
  if (!writer) world().barrier();
  data::Dataset d = data::load_dataset(dopt);
  if (writer) {
    world().barrier();
    std::fprintf(stderr, "%s: %zu train, %zu valid, %zu test samples, %d fields, %d ids%s\n", dopt.dir.c_str(),
                 d.train.size(), d.valid.size(), d.test.size(), d.schema.num_fields(), d.encoder.total_vocab(),
                 d.from_cache ? " (cached)" : "");
  }
  // Written once the data has loaded (a run that failed before has nothing to resume), before the
  // methods' LLM stages, which may be long.
  if (writer && !resume) write_recorded_options(out, options);
  for (auto& m : chosen) m->prepare(d);

  RecordedRuns recorded = resume ? read_recorded_runs(out) : RecordedRuns{};
  std::vector<RunRecord> runs = recorded.runs;
  std::vector<EpochRecord> epochs = recorded.epochs;
  size_t total = 0;
  for (const std::string& name : backbones) total += size_t(seeds) * (name == reference ? 1 : row_names.size());
  for (const std::string& name : backbones)
    for (long s = 0; s < seeds; ++s)
      for (const Chosen& m : methods_of(name)) {
        const uint64_t seed = first_seed + uint64_t(s);
        if (resume && recorded.has(dataset, name, seed, m.rows)) {
          if (writer)
            std::fprintf(stderr, "%s %s seed %llu: recorded in %s/results.json, skipped (--resume)\n", name.c_str(),
                       m.name.c_str(), (unsigned long long)seed, out.c_str());
          continue;
        }
        const Args& ab = per_backbone.at(name);
        BackboneConfig bc = backbone_config(ab, name);
        bc.num_fields = d.schema.num_fields();
        bc.vocab_size = d.encoder.total_vocab();
        TrainConfig tc = train_config(ab, seed);
        if (tc.id_dropout > 0) tc.id_dropout_columns = id_dropout_columns(ab, d);
        // The run's training states, after every epoch: what --resume continues from.
        const std::string state_dir = run_state_dir(out, dataset, name, m.name, seed);
        if (writer) std::filesystem::create_directories(state_dir);
        tc.state.path = state_dir + "/train.state";
        tc.state.resume = resume;
        tc.state.stop_after_epoch = stop_after_epochs;
        if (writer) std::fprintf(stderr, "[%zu/%zu] %s seed %llu\n", runs.size() + 1, total, name.c_str(), (unsigned long long)seed);
        std::vector<methods::MethodRow> rows;
        try {
          rows = m.method->run(d, name, bc, tc);
        } catch (const TrainingStopped& e) {
          if (writer)
            std::fprintf(stderr, "%s\nstopped as asked (--stop-after-epochs %d); continue with: --resume --out %s\n",
                         e.what(), stop_after_epochs, out.c_str());
          return 3;
        }
        if (!writer) continue;  // every rank has the results; one reports them
        for (const methods::MethodRow& row : rows) {
          const TrainResult& tr = row.train;
          const EvalResult& ev = row.test;
          RunRecord r{dataset, name, row.method, seed, tr.best_valid_auc, ev.auc, ev.logloss, ev.gauc,
                      tr.best_epoch, tr.epochs, tr.train_seconds, tr.samples_per_sec, ev.infer_us_per_sample,
                      row.llm_seconds, double(row.llm_tokens), row.settings, ev.cold_auc};
          // A backbone's own settings, keyed as the config spells them ("--lr=1e-4" for the backbone
          // Name -> ("Name.lr", "\"1e-4\"")), so the rows say how they differ. The backbone's name
          // keeps them apart from the run's own fields: "Name.epochs" is the maximum given, "epochs"
          // the count run.
          if (auto own = overrides.per_backbone.find(name); own != overrides.per_backbone.end())
            for (const std::string& o : own->second) {
              const size_t eq = o.find('=');
              r.settings.emplace_back(name + "." + o.substr(2, eq - 2), json_quote(o.substr(eq + 1)));
            }
          runs.push_back(r);
          for (const EpochLog& e : tr.log)
            epochs.push_back({dataset, name, row.method, seed, e.epoch, e.train_loss, e.valid_auc, e.valid_logloss, e.lr,
                              e.train_seconds, e.samples_per_sec});
          std::fprintf(stderr, "%s %s seed %llu: test AUC %.6f logloss %.6f gAUC %.6f (best epoch %d of %d, %.1f s, %.0f samples/s)\n",
                       name.c_str(), row.method.c_str(), (unsigned long long)seed, ev.auc, ev.logloss, ev.gauc,
                       tr.best_epoch, tr.epochs, tr.train_seconds, tr.samples_per_sec);
          if (ev.cold_auc >= 0)
            std::fprintf(stderr, "%s %s seed %llu: cold-item AUC %.6f on %zu test rows of items unseen in train\n",
                         name.c_str(), row.method.c_str(), (unsigned long long)seed, ev.cold_auc, ev.cold_rows);
          if (a.get_flag("save-checkpoints") && !row.served)
            std::fprintf(stderr, "no checkpoint for %s: it needs more than the backbone to predict\n", row.method.c_str());
          else if (a.get_flag("save-checkpoints")) {
            save_checkpoint(out + "/" + dataset + "_" + name + "_" + row.method + "_s" + std::to_string(seed) + ".ckpt",
                            *row.served, d.encoder);
          }
        }
        // Rewritten after every run, so an interrupted experiment keeps what finished; the run's
        // training states are then of no more use.
        write_text_file(out + "/results.json", results_json(runs));
        write_text_file(out + "/epochs.csv", epochs_csv(epochs));
        std::filesystem::remove_all(state_dir);
      }
  if (!writer) return 0;
  write_reports(out,
                "# " + dataset + ", " + method_names + ", " + std::to_string(seeds) + " seed(s) from " +
                    std::to_string(first_seed) + "\n\nCommand: `" + cmd + "`\n",
                runs, epochs);
  std::printf("wrote %s/results.json, epochs.csv\n", out.c_str());
  return 0;
}

}  // namespace llactr

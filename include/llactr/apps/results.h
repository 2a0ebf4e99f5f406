// run_experiment's outputs: one record per (dataset, backbone, method, seed) run, written as
// results.json, results.md (the paper-style table) and a per-epoch CSV log.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace llactr {

struct RunRecord {
  std::string dataset, backbone, method;
  uint64_t seed = 0;
  double valid_auc = 0, test_auc = 0, test_logloss = 0, test_gauc = -1;  // gauc -1: no user field
  int best_epoch = 0, epochs = 0;
  double train_seconds = 0, train_samples_per_sec = 0, infer_us_per_sample = 0;
  double llm_seconds = 0;  // LLM time the run relies on (SSFT + field-embedding extraction); 0 for base
  double llm_tokens = 0;   // tokens the LLM processed in those seconds (a count; double as the tables average it)
  // A method's settings as (key, JSON value text), e.g. ("lambda_fre", "0.1"), ("fie_mode", "\"released\""),
  // and the backbone's own settings as the config spells them, ("Name.lr", "\"1e-4\""): written as
  // further members of the run's JSON object.
  std::vector<std::pair<std::string, std::string>> settings;
  double test_cold_auc = -1;  // AUC on the test rows of items unseen in train; -1: none (EvalResult::cold_auc)
};

struct EpochRecord {
  std::string dataset, backbone, method;
  uint64_t seed = 0;
  int epoch = 0;
  double train_loss = 0, valid_auc = 0, valid_logloss = 0, lr = 0, train_seconds = 0, samples_per_sec = 0;
};

// The members every run has in results.json ("dataset", .., "epochs", ..): a setting may not take
// one of these names.
const std::vector<std::string>& run_fields();

// {"runs":[{"dataset":..,"backbone":..,..}, ..]}. std::logic_error when a run's setting repeats a
// run field's name or another setting's (the file would hold one key twice).
std::string results_json(const std::vector<RunRecord>& runs);
// The paper-style table in Markdown: a row per backbone (in first-seen order), columns AUC,
// Logloss and gAUC per dataset (method in the header), mean ± std over seeds when there are several.
std::string results_table(const std::vector<RunRecord>& runs);
// The runs of a results.json written by results_json (settings keep their JSON text).
// Throws std::runtime_error naming `path` for malformed input.
std::vector<RunRecord> parse_results_json(const std::string& text, const std::string& path);

// Per dataset and per method other than `base`: the paper's comparison with the base runs of the
// same backbones — AUC and Logloss base vs method, RelaImpr = (AUC_m − 0.5)/(AUC_base − 0.5) − 1
// on the seed means, and the cost columns (LLM s, LLM tokens in millions, CTR training s, inference µs/sample). A backbone
// with base runs only (the reference backbone) keeps a row with "–" in the method's columns.
std::string comparison_table(const std::vector<RunRecord>& runs, const std::string& base = "base");
// Per dataset: validation AUC (mean ± std) of every method per backbone, the best marked, and the
// test AUC of the method chosen on validation — how the experiments pick hyperparameters.
std::string validation_table(const std::vector<RunRecord>& runs);

std::string epochs_csv(const std::vector<EpochRecord>& epochs);
// The records of an epochs.csv written by epochs_csv. Throws std::runtime_error naming `path`, the
// line and the reason for malformed input.
std::vector<EpochRecord> parse_epochs_csv(const std::string& text, const std::string& path);

void write_text_file(const std::string& path, const std::string& text);  // throws naming the path

}  // namespace llactr

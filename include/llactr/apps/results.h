// run_experiment's outputs: one record per (dataset, backbone, method, seed) run, written as
// results.json, results.md (the paper-style table) and a per-epoch CSV log.
#pragma once
#include <string>
#include <vector>

namespace llactr {

struct RunRecord {
  std::string dataset, backbone, method;
  uint64_t seed = 0;
  double valid_auc = 0, test_auc = 0, test_logloss = 0, test_gauc = -1;  // gauc -1: no user field
  int best_epoch = 0, epochs = 0;
  double train_seconds = 0, train_samples_per_sec = 0, infer_us_per_sample = 0;
};

struct EpochRecord {
  std::string dataset, backbone, method;
  uint64_t seed = 0;
  int epoch = 0;
  double train_loss = 0, valid_auc = 0, valid_logloss = 0, lr = 0, train_seconds = 0, samples_per_sec = 0;
};

// {"runs":[{"dataset":..,"backbone":..,..}, ..]}
std::string results_json(const std::vector<RunRecord>& runs);
// The paper-style table in Markdown: a row per backbone (in first-seen order), columns AUC,
// Logloss and gAUC per dataset (method in the header), mean ± std over seeds when there are several.
std::string results_table(const std::vector<RunRecord>& runs);
std::string epochs_csv(const std::vector<EpochRecord>& epochs);

void write_text_file(const std::string& path, const std::string& text);  // throws naming the path

}  // namespace llactr

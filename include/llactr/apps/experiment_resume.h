// run_experiment --resume (docs/RESUME.md): what a run records in its output folder so that a
// killed experiment continues where it stopped, and the checks that refuse a resume whose
// options differ.
//
//   OUT/options.cfg        every option's value, as `key = value` lines (a config file), written
//                          once the data has loaded; --resume refuses other values, naming the option
//   OUT/results.json       the finished runs (rewritten after each run): --resume skips them
//   OUT/epochs.csv         their epoch logs
//   OUT/state/<dataset>_<backbone>_<method>_s<seed>/   the unfinished run's training states
//                          (ctr/trainer_state.h, PA-MLM's); removed once the run is recorded
#pragma once
#include <map>
#include <string>
#include <vector>

#include "llactr/apps/args.h"
#include "llactr/apps/backbone_overrides.h"
#include "llactr/apps/results.h"

namespace llactr {

// The options that decide the results: every option of `a` but those that only say where and how
// verbosely to write (--out, --config, --quiet, --resume, --stop-after-epochs, --save-checkpoints,
// --aggregate), and each backbone's own overrides as "Name.key".
std::map<std::string, std::string> recorded_options(const Args& a, const BackboneOverrides& overrides);

void write_recorded_options(const std::string& out, const std::map<std::string, std::string>& options);
// Throws std::invalid_argument naming OUT/options.cfg and the first option whose value differs
// (or that one side lacks), or saying that the folder holds no run to resume.
void check_recorded_options(const std::string& out, const std::map<std::string, std::string>& options);

// The runs and epoch logs already in OUT (none when it has no results.json yet).
struct RecordedRuns {
  std::vector<RunRecord> runs;
  std::vector<EpochRecord> epochs;
  // Whether every row of one method's run (its row names) is recorded.
  bool has(const std::string& dataset, const std::string& backbone, uint64_t seed,
           const std::vector<std::string>& rows) const;
};
RecordedRuns read_recorded_runs(const std::string& out);

// The folder of one run's training states.
std::string run_state_dir(const std::string& out, const std::string& dataset, const std::string& backbone,
                          const std::string& method, uint64_t seed);

}  // namespace llactr

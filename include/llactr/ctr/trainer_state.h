// The CTR trainer's state between epochs, in a training-state file (training_state.h), so that
// run_experiment --resume continues a killed training from its last finished epoch, bit for bit.
//
// What train() carries from one epoch to the next, and so what the file holds:
//   the parameters (the model's and the enhancer's) and Adam's step counts and moments, the lr,
//   ReduceLrOnPlateau's best value and bad-epoch count, EarlyStopping's best epoch, value,
//   bad-epoch count and best weights, the dropout generator and the enhancer's generators, the
//   epoch logs and the time and sample totals. The batch order of epoch e depends on (seed, e)
//   alone (data::Batcher), so it needs no entry.
// settings: the backbone, the train and valid sizes and every TrainConfig field that changes the
// numbers; a resumed training with another value is refused, naming it.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

#include "llactr/ctr/trainer.h"
#include "llactr/nn/early_stopping.h"
#include "llactr/nn/scheduler.h"

namespace llactr {

// What TrainConfig::stop_after_epoch throws once that epoch's state is written.
struct TrainingStopped : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The objects of one train() call whose state crosses epochs.
struct TrainerParts {
  const Backbone& model;
  const std::vector<Var>& params;  // the model's, then the enhancer's
  Adam& opt;
  ReduceLrOnPlateau& plateau;
  EarlyStopping& stop;
  std::vector<Rng*> rngs;          // dropout, then the enhancer's
  TrainResult& result;             // log, best epoch and totals so far (samples_per_sec: the sample total)
};

// Writes the state after `epoch` (1-based) to cfg.state_path.
void save_trainer_state(const TrainConfig& cfg, size_t train_rows, size_t valid_rows, int epoch,
                        const TrainerParts& parts);

// Restores the state in cfg.state_path into parts and returns the last epoch it finished.
// Throws std::runtime_error naming the file for a foreign or corrupt file, a setting that
// differs, or parameters of another count or shape.
int load_trainer_state(const TrainConfig& cfg, size_t train_rows, size_t valid_rows, const TrainerParts& parts);

// The state file of one of several trainings in a run (ELEC's gain network, a ClickPrompt row):
// path + "." + part, or "" when path is "" (no state).
std::string state_part(const std::string& path, const std::string& part);

}  // namespace llactr

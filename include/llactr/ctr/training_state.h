// A training loop's state in one file, so that a killed run resumes bit for bit (docs/RESUME.md).
// One format for every long loop: the CTR trainer writes it after each epoch (trainer_state.h,
// run_experiment --resume), ClickPrompt's PA-MLM after each epoch, llactr pretrain every
// --checkpoint-every steps.
//
// A state is a bag of named entries that each loop fills and reads back with the helpers below:
//   settings  name -> value text   what a resumed run must share with the run that wrote the file
//                                  (check_settings names the first that differs)
//   words     name -> u64[]        step and epoch counters, data positions, RNG states
//   reals     name -> f64[]        the lr, losses, per-epoch logs, early-stopping values
//   tensors   name -> float32 tensor   parameters, optimiser moments, weight snapshots
//
// Layout (little-endian, as written by data::BinaryWriter):
//   "LLACTRTS"  u32 format version (kTrainingStateVersion)  kind (u32 length + bytes)
//   u64 n, n × (name, value)                          settings
//   u64 n, n × (name, u64 count, u64 values)          words
//   u64 n, n × (name, u64 count, f64 values)          reals
//   u64 n, n × (name, u64 rank, i64 dims, u64 count, f32 values)   tensors
//   "END."
// Reading checks the magic, the version, the kind, every length against the bytes left, each
// tensor's rank (<= 4) and dims, the names' uniqueness and the end marker: a truncated or foreign
// file is an error naming the file, never a crash or a huge allocation.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "llactr/nn/optimizer.h"
#include "llactr/tensor/rng.h"
#include "llactr/tensor/tensor.h"

namespace llactr {

inline constexpr uint32_t kTrainingStateVersion = 1;

struct TrainingState {
  std::string kind;  // which loop wrote it: "ctr-train", "pa-mlm", "pretrain"
  std::map<std::string, std::string> settings;
  std::map<std::string, std::vector<uint64_t>> words;
  std::map<std::string, std::vector<double>> reals;
  std::map<std::string, Tensor> tensors;
  std::string path;  // the file it was read from (for messages; empty when built in memory)

  // Lookups that throw std::runtime_error("path: the training state has no <what> 'name'").
  uint64_t word(const std::string& name) const;  // the first of words[name]
  const std::vector<uint64_t>& word_list(const std::string& name) const;
  double real(const std::string& name) const;    // the first of reals[name]
  const std::vector<double>& real_list(const std::string& name) const;
  const Tensor& tensor(const std::string& name) const;
};

// Writes to path + ".tmp" and renames it over path: a run killed while writing keeps the previous
// state. Throws std::runtime_error when the folder is not writable.
void save_training_state(const std::string& path, const TrainingState& state);

// Reads a state of `kind`; throws std::runtime_error("path: <reason>") for a missing, foreign,
// truncated or corrupt file, a newer version or another kind.
TrainingState load_training_state(const std::string& path, const std::string& kind);

// A number as a setting's value text: %.17g, so that two settings compare equal only when the
// doubles (or the floats they came from) are.
std::string setting_text(double v);

// Throws std::runtime_error naming the file and the first setting whose recorded value differs
// from `run`'s (or that one side lacks), with `how_to_fix` appended.
void check_settings(const TrainingState& state, const std::map<std::string, std::string>& run,
                    const std::string& how_to_fix);

// Parameters' values under "prefix/i/name" and, when opt is given, Adam's (or AdamW's) state of
// each: its step count in words["prefix.adam_steps"] and the moments as "prefix/i/name#m", "#v".
void put_params(TrainingState& state, const std::string& prefix, const std::vector<Var>& params, const Adam* opt);
// Writes them back into params (and opt). Throws std::runtime_error naming the file and the
// parameter when the count, a name or a shape differs from what was saved.
void take_params(const TrainingState& state, const std::string& prefix, const std::vector<Var>& params, Adam* opt);

// Tensors by index ("prefix/i"), count in words["prefix.count"]: a snapshot of weights.
void put_tensors(TrainingState& state, const std::string& prefix, const std::vector<Tensor>& tensors);
std::vector<Tensor> take_tensors(const TrainingState& state, const std::string& prefix);

// An Rng's state as words[name] (s0..s3, has_spare, the spare's bits).
void put_rng(TrainingState& state, const std::string& name, const Rng& rng);
void take_rng(const TrainingState& state, const std::string& name, Rng& rng);

}  // namespace llactr

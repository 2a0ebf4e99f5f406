// A trained model and the encoder that maps raw feature values to its ids, in one binary file.
//
// Layout (little-endian, as written by data::BinaryWriter):
//   "LLACTRCK"  u32 format version (kCheckpointVersion)
//   backbone name, the shared BackboneConfig fields, then the model's own options (its row's,
//   util/option.h) as u64 count and (name, value text) pairs
//   u64 parameter count, then per parameter: name, shape (u64 rank, i64 dims), float32 values
//   the data::Encoder
//   "END."
// Loading checks the magic, the version, every length, every name and shape against the model
// the name and config build, and the end marker, so a truncated or foreign file is a clear error.
// Optimiser state is not saved: a checkpoint is for prediction, and reproduces it bit-exactly.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "llactr/ctr/backbone.h"
#include "llactr/data/encoder.h"

namespace llactr {

// 2: every model's sizes as fixed BackboneConfig fields; 3: the model's own options by name. A
// version-2 file is refused with a message saying to save it again (its layout named every model).
inline constexpr uint32_t kCheckpointVersion = 3;

void save_checkpoint(const std::string& path, const Backbone& model, const data::Encoder& encoder);

struct LoadedCheckpoint {
  std::unique_ptr<Backbone> model;
  data::Encoder encoder;
};
// Throws std::runtime_error("path: <reason>") for a foreign, truncated, corrupt or newer file.
LoadedCheckpoint load_checkpoint(const std::string& path);

}  // namespace llactr

// Input dropout of ids (DropoutNet, Volkovs et al., 2017): in training, a row's item ids become
// their fields' out-of-vocabulary ids, as a cold item's are at test time, so that a model learns to
// score such rows from what else it sees (`run_experiment --id-dropout P --id-dropout-fields F,..`).
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "llactr/data/batcher.h"
#include "llactr/tensor/rng.h"

namespace llactr::data {

// batch.ids: [B, N]. Each row, with probability p (one draw per row, in row order), has every listed
// column set to its OOV global id; columns are (column, the field's OOV global id) pairs. A slice of
// a data-parallel batch (Batch::first_row) draws for every row of the global batch and keeps its
// own rows' draws, so a row is dropped as one process would drop it and the ranks' generators stay
// in step.
void drop_ids(Batch& batch, const std::vector<std::pair<int, int32_t>>& columns, float p, Rng& rng);

}  // namespace llactr::data

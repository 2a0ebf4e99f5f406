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
// column set to its OOV global id; columns are (column, the field's OOV global id) pairs.
void drop_ids(Batch& batch, const std::vector<std::pair<int, int32_t>>& columns, float p, Rng& rng);

}  // namespace llactr::data

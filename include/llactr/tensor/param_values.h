// Copies of parameters' values and writing them back: the best epoch's weights (the trainer, ELEC's
// stage 1) and a shared starting point (ClickPrompt's PA-MLM weights, ELEC's tower).
#pragma once
#include <vector>

#include "llactr/tensor/autograd.h"

namespace llactr {

std::vector<Tensor> snapshot_values(const std::vector<Var>& params);
// values: as snapshot_values gave them, same count and order; std::invalid_argument otherwise.
void restore_values(const std::vector<Var>& params, const std::vector<Tensor>& values);

}  // namespace llactr

// Gradient-norm clipping, as torch.nn.utils.clip_grad_norm_ (L2 norm over all parameters).
#pragma once
#include <vector>

#include "llactr/tensor/autograd.h"

namespace llactr {

// Returns the total L2 norm of all gradients before clipping. When it exceeds max_norm, every
// gradient is scaled by max_norm / (norm + 1e-6). Parameters without a gradient buffer are
// skipped; an embedding table (sparse_rows) contributes only its touched rows, the rest being
// zero. A non-finite norm is returned without touching the gradients, so the caller can skip
// the step (PyTorch would multiply them by 0 or NaN). Throws std::invalid_argument for
// max_norm <= 0. The sum is in double, in parameter order, so it is reproducible.
float clip_grad_norm(const std::vector<Var>& params, float max_norm);

}  // namespace llactr

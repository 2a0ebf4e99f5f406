// Data-parallel training: after each rank's backward on its own slice of a global batch, makes
// every rank hold the gradient of the global batch's loss, so that every rank then takes the
// same optimiser step (docs/DISTRIBUTED.md).
//
//   backward(loss);                                        // loss: mean over this rank's rows
//   float global = sync_gradients(params, update, rows / double(global_rows), loss_value);
//   clip_grad_norm(params, 10);  opt.step();  opt.zero_grad();
//
// A rank's gradients are weighted by its share of the global batch (its rows / the global rows,
// 0 for a slice that only pads an empty one) and summed over ranks, so a loss that is a mean over
// the global batch's rows, or a term that is the same on every rank, gets exactly its
// single-process gradient (up to the order of the sums). A loss that couples rows of different
// ranks (a contrastive term over the batch) would not.
//
// The sum is ONE allreduce over one flat buffer: the weighted loss, then per parameter a flag
// (did any rank's backward reach it: a parameter no rank reached keeps no gradient, as in one
// process) and its gradient, embedding tables included. With SparseUpdate::Lazy the tables
// (Node::sparse_rows) travel apart instead: only their touched rows' ids and gradients, by two
// allgathervs, added up in rank order, so every rank merges them identically and marks the same
// rows touched. With one process, it returns `loss` and touches nothing.
#pragma once
#include <vector>

#include "llactr/nn/optimizer.h"
#include "llactr/tensor/autograd.h"
#include "llactr/util/communicator.h"

namespace llactr {

// Returns Σ over ranks of weight · loss: the global batch's loss.
float sync_gradients(const std::vector<Var>& params, SparseUpdate update, double weight, float loss,
                     Communicator& comm = world());

}  // namespace llactr

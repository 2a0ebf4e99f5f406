// ELEC stage 1: adapt the LLM to CTR, and the vectors of stage 2 (docs/ELEC.md).
//
//   p = mean over the text's tokens of the final-norm hidden states    [B, d]
//   v = T(p),  T = Linear(d -> 256) - ReLU - Linear(256 -> D)           [B, D]
//   z_llm = head(v),  head = Linear(D -> 1)                              [B]
//   loss = BCE(y, σ(z_llm)) on a seeded subsample of train rows
//
// lora: LoRA on q, v (r 8, α 16) + T + head train, early stopping on validation AUC; the
// adapters are then folded into the model that computes the cached vectors. frozen: the vectors
// of the base model are cached first and only T + head train on them.
//
//   ElecOptions o;  o.model_path = ".../stories260K.gguf";  o.out_dir = "runs/elec";
//   ElecPrepared prep = prepare_elec(dataset, /*D=*/32, o);   // once per dataset
//   prep.llm_test;  // stage 1's test metrics: the method `llm`
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "llactr/ctr/trainer.h"
#include "llactr/data/dataset.h"
#include "llactr/methods/common/row_text.h"
#include "llactr/methods/elec/elec_cache.h"
#include "llactr/methods/elec/elec_options.h"
#include "llactr/nn/linear.h"
#include "llactr/nn/mlp.h"
#include "llactr/util/communicator.h"

namespace llactr::methods {

// T and the head: the trainable part of stage 1 on top of the LLM.
struct ElecTower {
  Mlp T;        // d -> t_hidden -> D
  Linear head;  // D -> 1

  ElecTower() = default;
  ElecTower(int64_t d, int64_t D, int t_hidden, Rng& rng);
  Var vector(const Var& p) const { return T.forward(p, false, nullptr); }  // p: [B, d] -> v: [B, D]
  Var logit(const Var& p) const;                                           // p: [B, d] -> z_llm: [B]
  std::vector<Var> parameters() const;
};

struct ElecPrepared {
  bool without_llm = false;       // no LLM at all: G's v = 0, nothing below is set
  int embedding_dim = 0;          // D the tower was built for
  PooledVectors vectors;          // p of every row (stage 2)
  std::vector<Tensor> tower;      // ElecTower weights after stage 1 (T keeps training inside G)
  int t_hidden = 256;
  EvalResult llm_test;            // the method `llm`: T + head on the test vectors
  double llm_valid_auc = 0;
  int llm_epochs = 0, llm_best_epoch = 0;
  double stage1_seconds = 0;      // stage 1's wall time (its LLM forwards and backwards included)
  int64_t stage1_tokens = 0;
  GenerationCost text_cost;       // --elec-generate: the continuations of the rows' texts
  double llm_us_per_sample = 0;   // one LLM forward per test sample (batch llm_batch), measured
  std::string lora_sha256 = "none";
};

// Stage 1 and 2. Checks the GGUF (exists, llama or qwen2) before anything trains.
ElecPrepared prepare_elec(const data::Dataset& dataset, int embedding_dim, const ElecOptions& options);

// Trains `tower` (+ `extra` parameters) with BCE on rows of `train_p`, early stopping on the AUC
// over `valid_rows`; p_of(rows, share, valid, training) gives p of rows[share.first, share.first +
// share.count): [share.count, d]. The loop stage 1 runs in both modes. Data-parallel (mpirun):
// each rank runs its share of every batch of rows (every rank knows the whole batch, so p_of can
// draw the whole batch's LoRA dropout masks) and the gradients are summed (gradient_sync.h);
// validation scores whole chunks of rows per rank, gathered.
struct TowerFit {
  int epochs = 0, best_epoch = 0;
  double best_valid_auc = 0;
};
using PoolFn = std::function<Var(const std::vector<size_t>& rows, const RankShare& share, bool valid, bool training)>;
TowerFit fit_tower(ElecTower& tower, const std::vector<Var>& extra, const PoolFn& p_of,
                   const std::vector<size_t>& train_rows, const std::vector<float>& train_labels,
                   const std::vector<size_t>& valid_rows, const std::vector<float>& valid_labels, const ElecOptions& o);

}  // namespace llactr::methods

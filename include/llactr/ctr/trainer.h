// Training and evaluation of a backbone, with the defaults of the LLaCTR reference code
// (FuxiCTR's BaseModel): Adam lr 1e-3, batch 4096, at most 100 epochs, early stopping on
// validation AUC with patience 2, lr ×0.1 after each non-improving epoch (floor 1e-6), the
// best-on-validation weights restored at the end, gradient-norm clipping at 10, seed 2024.
//
//   Rng init(2024);
//   auto model = make_backbone(name, cfg, init);           // a row of the backbone table
//   TrainResult r = train(*model, d.train, d.valid, TrainConfig{});
//   EvalResult t = evaluate(*model, d.test, d.schema.user_field);
//
// LLM-enhanced methods plug in through an Enhancer, without changes here.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "llactr/ctr/backbone.h"
#include "llactr/data/batcher.h"
#include "llactr/data/dataset.h"
#include "llactr/data/split.h"
#include "llactr/nn/optimizer.h"

namespace llactr {

// What "a better epoch" means for early stopping, the lr decay and the restored weights:
// validation AUC, or AUC − logloss (FuxiCTR's `monitor: {AUC: 1, logloss: -1}`, which the
// LLaCTR code uses for two of its models; docs/BACKBONES.md).
enum class Monitor { Auc, AucMinusLogloss };
Monitor parse_monitor(const std::string& name);  // "auc" or "auc-logloss"; throws std::invalid_argument
const char* monitor_name(Monitor m);

// Where a training loop keeps its state, and whether it continues from it (docs/RESUME.md): the
// trainer and ClickPrompt's PA-MLM write it after every epoch; a resumed loop goes on bit for bit
// as if it had not stopped.
struct StateFile {
  std::string path;          // nothing is written when empty
  bool resume = false;       // start from path when it exists
  int stop_after_epoch = 0;  // a planned stop: throw TrainingStopped once this epoch's state is written (0: never)
};

struct TrainConfig {
  float lr = 1e-3f;
  size_t batch_size = 4096;
  int max_epochs = 100;
  int patience = 2;          // stop after this many epochs in a row without a better monitored value
  Monitor monitor = Monitor::Auc;
  float lr_decay = 0.1f;     // lr ×= lr_decay after each non-improving epoch
  float min_lr = 1e-6f;
  float min_delta = 1e-6f;   // an improvement is monitored value >= best + min_delta (FuxiCTR)
  float grad_clip = 10.0f;   // max L2 norm of all gradients; 0 = off
  float weight_decay = 0.0f; // coupled L2 as torch.optim.Adam's weight_decay, on every parameter
  // Dense updates every row of the embedding tables each step, as torch.optim.Adam on nn.Embedding.
  SparseUpdate embedding_update = SparseUpdate::Dense;
  uint64_t seed = 2024;      // batch order and dropout masks
  // --id-dropout: in training, each row's ids in these columns become their field's out-of-vocabulary
  // id with this probability (one draw per row, every column at once). The model then sees in
  // training what an item unseen in train looks like, and must score it from its other inputs (ELEC-G's
  // v): DropoutNet's input dropout (Volkovs et al., 2017). Pairs (column, the field's OOV global id).
  float id_dropout = 0;
  std::vector<std::pair<int, int32_t>> id_dropout_columns;
  bool verbose = true;       // progress and per-epoch lines on stderr
  // After each epoch the whole training state goes to state.path (ctr/trainer_state.h).
  StateFile state;
};

// The hook for LLM-enhanced methods. The trainer calls, for every batch (training and inference):
//   E = model.embed(ids);  X = extra_fields(E, batch);
//   y = model.logit(X ? [E; X] : E) + extra_logit(E, batch);
//   y = fuse_logit(y, h, batch) when it returns a Var (h = model.hidden());
// and, when training, loss = BCE(y) + extra_loss(E, h, y, batch).
// Its parameters() are optimised with the model's. Each hook may return an empty Var for "none".
class Enhancer {
 public:
  virtual ~Enhancer() = default;
  virtual std::vector<Var> parameters() { return {}; }
  // Embeddings of the model's extra fields (BackboneConfig::extra_fields), appended after E's N.
  virtual Var extra_fields(const Var& /*E [B,N,D]*/, const data::Batch&) { return Var(); }  // -> [B,extra,D]
  virtual Var extra_logit(const Var& /*E [B,N,D]*/, const data::Batch&) { return Var(); }  // -> [B]
  virtual Var extra_loss(const Var& /*E [B,N,D]*/, const Var& /*h [B,d_h]*/, const Var& /*y [B]*/,
                         const data::Batch&) {
    return Var();  // -> scalar []
  }
  // The model's output logit in place of the backbone's y (ClickPrompt: α·z_plm(h) + (1 − α)·y).
  virtual Var fuse_logit(const Var& /*y [B]*/, const Var& /*h [B,d_h]*/, const data::Batch&) {
    return Var();  // -> [B]
  }
  // The random generators its hooks draw from (dropout), saved and restored with the training state.
  virtual std::vector<Rng*> rngs() { return {}; }
};

struct EpochLog {
  int epoch = 0;  // 1-based
  double train_loss = 0;       // mean BCE over the epoch's batches (without extra_loss)
  double valid_auc = 0, valid_logloss = 0;
  double lr = 0;               // lr used during this epoch
  double train_seconds = 0;    // the epoch's training steps only
  double samples_per_sec = 0;
  bool improved = false;
};

struct TrainResult {
  int best_epoch = 0;
  int epochs = 0;              // epochs run
  double best_valid_auc = 0, best_valid_logloss = 0;
  double train_seconds = 0;    // all training steps, without validation
  double samples_per_sec = 0;  // training samples / train_seconds
  std::vector<EpochLog> log;
};

struct EvalResult {
  double auc = 0, logloss = 0;
  double gauc = -1;            // -1 when there is no user field
  // AUC on the cold-item rows alone (EvalFields), and how many there are; -1 when the split has
  // no such rows or they hold one class.
  double cold_auc = -1;
  size_t cold_rows = 0;
  double infer_us_per_sample = 0;  // median of 3 timed passes over the split, after a warm-up pass
};

// The fields evaluation groups rows by. A plain int is the user field alone (no cold items).
struct EvalFields {
  EvalFields(int user_field = -1) : user(user_field) {}  // NOLINT: implicit on purpose
  int user = -1;              // gAUC groups by this field's ids; -1: no gAUC
  int item = -1;              // cold-item rows: those whose id in this field is cold_item_id
  int32_t cold_item_id = -1;  // the item field's out-of-vocabulary id: an item never seen in train
};
// The dataset's user field, and its item field with that field's out-of-vocabulary id (local id 0),
// so that the rows of items unseen in train (--split-mode cold-item) are scored apart.
EvalFields eval_fields(const data::Dataset& dataset);

// Trains in place; on return the model holds the best-on-validation weights. Under mpirun
// (world().size() > 1) every rank trains on its slice of each batch and takes the same steps
// (docs/DISTRIBUTED.md); rank 0 alone prints. Throws
// std::runtime_error naming the epoch and step when the loss becomes NaN or Inf.
TrainResult train(Backbone& model, const data::Split& train, const data::Split& valid, const TrainConfig& cfg,
                  Enhancer* enhancer = nullptr);

// The forward of one batch:  E = embed(ids);  X = extra_fields(E);  y = logit([E; X]) + extra_logit(E),
// then fuse_logit(y, h) when the enhancer has one
// -> [B]. E_out, when given, receives E [B, N, D].
Var forward_logits(Backbone& model, const data::Batch& batch, const ForwardContext& ctx, Enhancer* enhancer = nullptr,
                   Var* E_out = nullptr);

// One optimisation step on one batch, the body of train()'s loop:
//   E = embed(ids);  y = logit(E) (+ extra_logit);  loss = BCE(y, labels) (+ extra_loss);
//   backward;  sum the gradients over the ranks (sync_gradients; nothing in one process);
//   clip the gradient norm to grad_clip (0 = off);  opt.step();  opt.zero_grad().
// Returns the global batch's mean BCE. epoch and step only name the place in the error thrown when the
// loss or the gradient norm is not finite.
float train_step(Backbone& model, const data::Batch& batch, const ForwardContext& ctx, Optimizer& opt,
                 const std::vector<Var>& params, float grad_clip, Enhancer* enhancer = nullptr, int epoch = 0,
                 size_t step = 0);

// Click probabilities for every row of the split, in split order (no gradient, no dropout). Under
// mpirun each rank scores its slice of each batch and every rank receives them all.
std::vector<float> predict(Backbone& model, const data::Split& split, size_t batch_size = 4096,
                           Enhancer* enhancer = nullptr);

// AUC, logloss, gAUC (when fields.user >= 0) and the cold-item rows' AUC (when fields.item >= 0)
// of click probabilities p given in split order (infer_us_per_sample stays 0).
EvalResult score(const std::vector<float>& p, const data::Split& split, const EvalFields& fields);

// The same metrics of the model's predictions, with the inference time per sample.
EvalResult evaluate(Backbone& model, const data::Split& split, const EvalFields& fields, size_t batch_size = 4096,
                    Enhancer* enhancer = nullptr);

}  // namespace llactr

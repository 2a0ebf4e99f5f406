// Pre-training a llama from random initialisation on a text corpus (llactr pretrain;
// docs/PRETRAIN.md "Training").
//
//   corpus lines --tokenize--> BOS line EOS ... --hold out 1% of lines--> train / valid streams
//   --cut--> packed sequences of context+1 tokens (inputs = the first context, targets = the last context)
//   --each epoch: seeded order, batches of B sequences--> TrainableTransformer (TuneMode::Full)
//   --> cross-entropy of the next token --> backward --> clip --> AdamW at the cosine schedule's lr
//
// The pieces are free functions, so each has its own test; pretrain() is the loop.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "llactr/ctr/training_state.h"
#include "llactr/llm/model/transformer_weights.h"
#include "llactr/llm/tokenizer/tokenizer.h"
#include "llactr/llm/train/trainable_ops.h"
#include "llactr/llm/train/trainable_transformer.h"
#include "llactr/nn/optimizer.h"

namespace llactr::llm {

// The model's shape (the command's --dim --layers --heads --kv-heads --ffn --context). The
// default, 6.16M parameters with a 4,096-piece vocabulary (5.11M in the layers, 1.05M in the
// tied embedding), is docs/PRETRAIN.md's choice for two cores.
struct PretrainShape {
  int dim = 256, layers = 6, heads = 8, kv_heads = 8, ffn = 768, context = 128;
};

// Throws std::invalid_argument naming the option for a size < 1, dim not a multiple of heads,
// heads not a multiple of kv-heads, an odd head size (RoPE rotates pairs), context <= 1
// (a sequence needs an input and a next token), or a vocabulary of fewer than 3 tokens.
void check_shape(const PretrainShape& s, int n_vocab);

// The llama config of a shape: RoPE on the whole head (base 10000, llama's "normal" pairs),
// RMSNorm eps 1e-5, n_ctx = context. Checks the shape first.
TransformerConfig pretrain_config(const PretrainShape& s, int n_vocab);

// Parameters of init_model's model: the tied embedding [vocab, d], the final norm, and per layer
// two norms and the seven projections.
int64_t parameter_count(const TransformerConfig& c);

// GPT-2's initialisation (Radford et al. 2019, as nanoGPT and llm.c write it): every matrix
// N(0, 0.02²), the projections that write into the residual stream (attn_output, ffn_down)
// N(0, (0.02/√(2·layers))²) so the stream's variance does not grow with depth, every norm
// weight 1, no biases. The LM head is tied to token_embd (no output.weight). Drawn from
// Rng(seed) in the order token_embd, then each layer's q k v o gate up down.
Model init_model(const TransformerConfig& c, uint64_t seed);

// ---- data

// Token sequences of context+1 tokens, back to back: sequence i is tokens[i·len, (i+1)·len).
struct PackedSequences {
  int len = 0;                  // context + 1
  std::vector<int32_t> tokens;  // [count · len]
  int64_t count() const { return len ? int64_t(tokens.size()) / len : 0; }
  const int32_t* seq(int64_t i) const { return tokens.data() + i * len; }
};

struct PretrainData {
  PackedSequences train, valid;  // train: the train lines in file order, packed (--packing fixed)
  std::vector<std::vector<int32_t>> train_lines_tokens;  // each train line as BOS + tokens + EOS, to re-pack
  int64_t train_lines = 0, valid_lines = 0;
  int64_t train_tokens = 0, valid_tokens = 0;  // of the streams, before cutting
  double unigram_entropy = 0;  // of the train stream's tokens (nats): the loss of a model that ignores context
};

// −Σ p log p (nats) of the tokens' frequencies; 0 for no tokens.
double unigram_entropy(const std::vector<int32_t>& tokens);

// Each line becomes BOS + its tokens + EOS; 1% of the lines (at least one), chosen with `seed`,
// are held out for validation; each part's lines are concatenated in file order and cut into
// sequences of context+1 tokens; the remainders are dropped. A valid stream shorter than one
// sequence becomes one shorter sequence (every line has at least BOS and EOS), so a small
// held-out set still gives a loss.
// Throws std::invalid_argument for fewer than 2 lines, a tokenizer without BOS or EOS, or a train
// stream shorter than one sequence (saying how many tokens it has and needs).
PretrainData prepare_data(const std::vector<std::string>& lines, const Tokenizer& tokenizer, int context,
                          uint64_t seed);

// B sequences as the model's input and the next-token targets.
struct LmBatch {
  PackedBatch inputs;            // B spans of len - 1 rows
  std::vector<int32_t> targets;  // [B · (len - 1)]: row r's next token
};
// The lines concatenated in `order` (indices into `lines`) and cut into sequences of `len`
// tokens; the remainder is dropped.
PackedSequences pack_lines(const std::vector<std::vector<int32_t>>& lines, const std::vector<int64_t>& order, int len);
// The train sequences of epoch `epoch`. With `repack` (--packing per-epoch), the train lines in an
// order seeded by (seed, epoch), packed: each line starts at another position after other lines
// every epoch, so that over many epochs a model learns a line from its own words, not from the
// fixed window around it (which a prompt never reproduces: docs/PRETRAIN.md). The total of
// tokens, so the count of sequences, is the same every epoch. Without, data.train.
PackedSequences epoch_sequences(const PretrainData& data, bool repack, uint64_t seed, int64_t epoch);

// Sequences order[begin, end) of `seqs`.
LmBatch make_lm_batch(const PackedSequences& seqs, const std::vector<int64_t>& order, int64_t begin, int64_t end);

// The order of the train sequences in epoch `epoch`: a permutation seeded by (seed, epoch)
// (epoch_generator), so a resumed run recomputes it.
std::vector<int64_t> epoch_order(int64_t n_sequences, uint64_t seed, int64_t epoch);

// ---- training

struct PretrainOptions {
  int64_t max_steps = 0;   // 0: epochs × steps per epoch; otherwise at most this many steps
  int epochs = 1;
  int batch = 16;          // sequences per step
  float lr = 1e-3f;        // peak learning rate
  int64_t warmup = 100;    // linear warm-up steps
  float min_lr_ratio = 0.1f;   // the cosine ends at min_lr_ratio · lr
  float weight_decay = 0.1f;   // AdamW's decoupled decay, on matrices only (not on norms)
  float clip = 1.0f;           // gradient L2 norm clip
  int64_t eval_every = 100;    // validation every N steps (and at the last step); 0: only at the end
  uint64_t seed = 1;           // init, held-out lines and the epochs' orders
  bool repack = true;          // --packing per-epoch (true) or fixed: epoch_sequences
  int64_t checkpoint_every = 0;  // 0: none
  std::string checkpoint_path;   // where checkpoints go (required when checkpoint_every > 0)
};

// Throws std::invalid_argument naming the option for a value out of range.
void check_options(const PretrainOptions& o);
// Steps per epoch (ceil(sequences / batch): the last batch of an epoch may be smaller) and the
// run's total (max_steps, else epochs × steps per epoch).
int64_t steps_per_epoch(int64_t n_sequences, int batch);
int64_t total_steps(const PretrainOptions& o, int64_t n_sequences);
// The learning rate of step s (1-based) of a run of `total` steps: CosineLr's lr_at(s)
// (nn/scheduler.h) with warm-up o.warmup (capped at total) and floor min_lr_ratio · lr. So the
// first step has lr / warmup, step `warmup` the peak, and the last step min_lr_ratio · lr.
float pretrain_lr(const PretrainOptions& o, int64_t total, int64_t s);

// AdamW over `params` as pretraining sets it: betas 0.9 / 0.95, eps 1e-8, lr o.lr, decay
// o.weight_decay on parameters of rank >= 2 (the matrices, embedding included) and 0 on the
// norms (GPT-2, nanoGPT).
std::unique_ptr<AdamW> pretrain_optimizer(const std::vector<Var>& params, const PretrainOptions& o);

// One optimisation step at the optimiser's current lr: logits = lm_head(forward(inputs)),
// loss = mean −log p(target), backward, clip the gradient norm to `clip`, AdamW, zero the
// gradients. Returns the loss. Throws std::runtime_error("... at step N ...") (N = `step`) for a
// non-finite loss or gradient norm, before any weight changes.
float pretrain_step(const TrainableTransformer& model, AdamW& opt, const LmBatch& batch, float clip, int64_t step);

// One row of the training log (the CSV next to the model).
struct PretrainLogRow {
  int64_t step = 0;        // steps done (1-based)
  float train_loss = 0;    // this step's batch loss
  float valid_loss = 0;    // NaN when not evaluated at this step
  float lr = 0;            // the step's learning rate
  double tokens_per_s = 0; // training tokens per second since the run (or resume) started
};

// What the progress callback sees after each step.
struct PretrainProgress {
  PretrainLogRow row;
  int64_t total_steps = 0;
  double seconds = 0;      // since the run (or resume) started
  bool final = false;      // the run's last step
};
using PretrainCallback = std::function<void(const PretrainProgress&)>;

// A checkpoint: everything that decides the rest of the run, in a training-state file
// (ctr/training_state.h, kind "pretrain"), so resuming with the same options continues bit for bit
// as if the run had not stopped. Its entries: the config's shape (dim, layers, heads, kv_heads,
// ffn, context, vocab), (seed, step, train sequence count), every parameter with AdamW's step
// count and moments, and the best validation loss so far with its step and weights.
// The RNG state is (seed, step): init is only drawn at step 0, the held-out lines depend on the
// seed alone and epoch e's order on (seed, e).
struct PretrainCheckpoint {
  TransformerConfig config;
  uint64_t seed = 0;
  int64_t step = 0;
  int64_t train_sequences = 0;
  TrainingState state;  // the parameters, AdamW's state and the best weights, read by pretrain()
};
// Reads a checkpoint and checks it against the run's config; throws std::runtime_error naming the
// file for a foreign, truncated or corrupt file, and for a checkpoint of another shape (saying
// which sizes differ).
PretrainCheckpoint load_pretrain_checkpoint(const std::string& path, const TransformerConfig& expected);

struct PretrainResult {
  Model model;                       // the trained weights (the last step's)
  Model best_model;                  // the weights of the lowest validation loss (llactr pretrain: M.best.gguf)
  int64_t best_step = 0;
  float best_valid_loss = 0;
  std::vector<PretrainLogRow> log;   // one row per step
  float final_valid_loss = 0;
  int64_t steps = 0;                 // total steps done (including those before a resume)
};

// Trains from init_model(config, o.seed), or from `resume` (checked against config, the seed
// and the train sequence count). Throws std::runtime_error("... at step N ...") when the loss or
// the gradient norm is not finite, before the update.
PretrainResult pretrain(const TransformerConfig& config, const PretrainData& data, const PretrainOptions& o,
                        const PretrainCheckpoint* resume = nullptr, const PretrainCallback& progress = {});

// Mean next-token cross-entropy (nats) over every target of `seqs`, in batches of `batch`.
float evaluate_loss(const TrainableTransformer& model, const PackedSequences& seqs, int batch);

}  // namespace llactr::llm

#include "llactr/llm/train/pretrain.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <numeric>
#include <stdexcept>

#include "llactr/ctr/training_state.h"
#include "llactr/tensor/shuffle.h"
#include "llactr/util/utf8.h"
#include "llactr/nn/clip_grad.h"
#include "llactr/nn/optimizer.h"
#include "llactr/nn/scheduler.h"
#include "llactr/tensor/ops.h"
#include "llactr/tensor/param_values.h"
#include "llactr/tensor/rng.h"

namespace llactr::llm {

namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument(what);
}

// A checkpoint is a training-state file (ctr/training_state.h) of this kind.
constexpr const char* kKind = "pretrain";

// The sizes a checkpoint must share with the run, in the order they are stored.
std::vector<int64_t> shape_fields(const TransformerConfig& c) {
  return {c.n_embd, c.n_layer, c.n_head, c.n_head_kv, c.n_ff, c.n_ctx, c.n_vocab};
}
const char* const kShapeNames[] = {"dim", "layers", "heads", "kv-heads", "ffn", "context", "vocab"};

void fill_normal(Matrix& m, int rows, int cols, float std, Rng& rng) {
  m.rows = rows;
  m.cols = cols;
  m.data.resize(size_t(rows) * cols);
  for (float& x : m.data) x = rng.normal(0.0f, std);
}

}  // namespace

void check_shape(const PretrainShape& s, int n_vocab) {
  const std::pair<const char*, int> sizes[] = {{"--dim", s.dim},     {"--layers", s.layers}, {"--heads", s.heads},
                                               {"--kv-heads", s.kv_heads}, {"--ffn", s.ffn}};
  for (const auto& [name, v] : sizes) require(v >= 1, std::string(name) + " must be at least 1, got " + std::to_string(v));
  require(s.dim % s.heads == 0,
          "--dim " + std::to_string(s.dim) + " is not a multiple of --heads " + std::to_string(s.heads));
  require(s.heads % s.kv_heads == 0,
          "--heads " + std::to_string(s.heads) + " is not a multiple of --kv-heads " + std::to_string(s.kv_heads));
  require((s.dim / s.heads) % 2 == 0, "the head size --dim / --heads = " + std::to_string(s.dim / s.heads) +
                                          " must be even (RoPE rotates pairs of dimensions)");
  require(s.context > 1, "--context must be at least 2 (an input token and its next token), got " +
                             std::to_string(s.context));
  require(n_vocab >= 3, "the vocabulary has " + std::to_string(n_vocab) + " tokens; it needs at least BOS, EOS and one more");
}

TransformerConfig pretrain_config(const PretrainShape& s, int n_vocab) {
  check_shape(s, n_vocab);
  TransformerConfig c;
  c.arch = "llama";
  c.n_embd = s.dim;
  c.n_layer = s.layers;
  c.n_head = s.heads;
  c.n_head_kv = s.kv_heads;
  c.n_ff = s.ffn;
  c.n_vocab = n_vocab;
  c.n_ctx = s.context;
  c.head_dim = s.dim / s.heads;
  c.n_rot = c.head_dim;
  c.rope_freq_base = 10000.0f;
  c.rms_eps = 1e-5f;
  c.rope = RopeStyle::Normal;
  return c;
}

int64_t parameter_count(const TransformerConfig& c) {
  const int64_t d = c.n_embd, q = c.q_dim(), kv = c.kv_dim(), ff = c.n_ff;
  return int64_t(c.n_vocab) * d + d + c.n_layer * (2 * d + d * q + 2 * d * kv + q * d + 3 * d * ff);
}

Model init_model(const TransformerConfig& c, uint64_t seed) {
  constexpr float kStd = 0.02f;
  const float residual_std = kStd / std::sqrt(2.0f * float(c.n_layer));
  Rng rng(seed);
  Model m;
  m.config = c;
  TransformerWeights& w = m.weights;
  fill_normal(w.token_embd, c.n_vocab, c.n_embd, kStd, rng);  // [vocab, d], also the LM head
  w.layers.resize(size_t(c.n_layer));
  for (LayerWeights& L : w.layers) {
    L.attn_norm.assign(size_t(c.n_embd), 1.0f);
    fill_normal(L.wq, c.q_dim(), c.n_embd, kStd, rng);            // [q_dim, d]
    fill_normal(L.wk, c.kv_dim(), c.n_embd, kStd, rng);           // [kv_dim, d]
    fill_normal(L.wv, c.kv_dim(), c.n_embd, kStd, rng);           // [kv_dim, d]
    fill_normal(L.wo, c.n_embd, c.q_dim(), residual_std, rng);    // [d, q_dim]
    L.ffn_norm.assign(size_t(c.n_embd), 1.0f);
    fill_normal(L.w_gate, c.n_ff, c.n_embd, kStd, rng);           // [ff, d]
    fill_normal(L.w_up, c.n_ff, c.n_embd, kStd, rng);             // [ff, d]
    fill_normal(L.w_down, c.n_embd, c.n_ff, residual_std, rng);   // [d, ff]
  }
  w.output_norm.assign(size_t(c.n_embd), 1.0f);
  return m;
}

// ---- data

double unigram_entropy(const std::vector<int32_t>& tokens) {
  std::vector<int32_t> sorted = tokens;
  std::sort(sorted.begin(), sorted.end());
  // H = −Σ p log p over the distinct tokens, p = count / n.
  double h = 0;
  const double n = double(sorted.size());
  for (size_t i = 0, j = 0; i < sorted.size(); i = j) {
    while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
    const double p = double(j - i) / n;
    h -= p * std::log(p);
  }
  return h;
}

PretrainData prepare_data(const std::vector<std::string>& lines, const Tokenizer& tokenizer, int context,
                          uint64_t seed) {
  require(context > 1, "--context must be at least 2, got " + std::to_string(context));
  require(lines.size() >= 2, "the corpus has " + std::to_string(lines.size()) +
                                 " line; it needs at least 2 (1% of the lines, at least one, are held out for validation)");
  require(tokenizer.bos() >= 0 && tokenizer.eos() >= 0, "the tokenizer has no BOS or no EOS token; pretraining needs both");
  // Held-out lines: the first max(1, n/100) of a seeded permutation of the line numbers.
  const int64_t n = int64_t(lines.size());
  std::vector<int64_t> perm(size_t(n), 0);
  std::iota(perm.begin(), perm.end(), int64_t(0));
  std::mt19937_64 rng(seed);
  seeded_shuffle(perm, rng);
  std::vector<char> held_out(size_t(n), 0);
  for (int64_t i = 0; i < std::max<int64_t>(1, n / 100); ++i) held_out[size_t(perm[size_t(i)])] = 1;

  PretrainData d;
  std::vector<int32_t> train, valid;
  for (int64_t i = 0; i < n; ++i) {
    std::vector<int32_t>& stream = held_out[size_t(i)] ? valid : train;
    const size_t start = stream.size();
    stream.push_back(tokenizer.bos());
    const std::vector<int32_t> ids = tokenizer.encode(lines[size_t(i)], false);
    stream.insert(stream.end(), ids.begin(), ids.end());
    stream.push_back(tokenizer.eos());
    if (!held_out[size_t(i)]) d.train_lines_tokens.emplace_back(stream.begin() + long(start), stream.end());
    ++(held_out[size_t(i)] ? d.valid_lines : d.train_lines);
  }
  d.train_tokens = int64_t(train.size());
  d.unigram_entropy = unigram_entropy(train);
  d.valid_tokens = int64_t(valid.size());
  const int len = context + 1;
  require(d.train_tokens >= len, "the corpus's training part has " + std::to_string(d.train_tokens) +
                                     " tokens; one sequence needs --context + 1 = " + std::to_string(len) +
                                     " (give more text or a smaller --context)");
  d.train.len = d.valid.len = len;
  d.train.tokens.assign(train.begin(), train.begin() + (d.train_tokens / len) * len);
  d.valid.tokens.assign(valid.begin(), valid.begin() + (d.valid_tokens / len) * len);
  if (d.valid.tokens.empty()) {
    // Fewer held-out tokens than one sequence: the one shorter sequence (len = its size).
    d.valid.len = int(valid.size());
    d.valid.tokens = valid;
  }
  return d;
}

PackedSequences pack_lines(const std::vector<std::vector<int32_t>>& lines, const std::vector<int64_t>& order, int len) {
  PackedSequences p;
  p.len = len;
  for (int64_t i : order) p.tokens.insert(p.tokens.end(), lines[size_t(i)].begin(), lines[size_t(i)].end());
  p.tokens.resize(p.tokens.size() / size_t(len) * size_t(len));
  return p;
}

PackedSequences epoch_sequences(const PretrainData& data, bool repack, uint64_t seed, int64_t epoch) {
  if (!repack) return data.train;
  // The lines' order has a stream of its own ("lines"), apart from the sequences' order of the epoch.
  return pack_lines(data.train_lines_tokens,
                    epoch_order(int64_t(data.train_lines_tokens.size()), seed ^ 0x6c696e6573ULL, epoch), data.train.len);
}

LmBatch make_lm_batch(const PackedSequences& seqs, const std::vector<int64_t>& order, int64_t begin, int64_t end) {
  const int T = seqs.len - 1;  // inputs per sequence
  LmBatch b;
  for (int64_t i = begin; i < end; ++i) {
    const int32_t* s = seqs.seq(order[size_t(i)]);
    const int row0 = b.inputs.rows();
    b.inputs.spans.push_back({int(i - begin), row0, T});
    for (int t = 0; t < T; ++t) {
      b.inputs.tokens.push_back(s[t]);   // input at position t
      b.inputs.pos.push_back(t);
      b.targets.push_back(s[t + 1]);     // its next token
    }
  }
  return b;
}

std::vector<int64_t> epoch_order(int64_t n_sequences, uint64_t seed, int64_t epoch) {
  std::vector<int64_t> order(size_t(n_sequences), 0);
  std::iota(order.begin(), order.end(), int64_t(0));
  std::mt19937_64 rng = epoch_generator(seed, uint64_t(epoch));
  seeded_shuffle(order, rng);
  return order;
}

// ---- options and schedule

void check_options(const PretrainOptions& o) {
  require(o.max_steps >= 0, "--max-steps must be >= 0");
  require(o.epochs >= 1, "--epochs must be at least 1");
  require(o.batch >= 1, "--batch must be at least 1");
  require(std::isfinite(o.lr) && o.lr > 0.0f, "--lr must be positive");
  require(o.warmup >= 0, "--warmup must be >= 0");
  require(o.min_lr_ratio >= 0.0f && o.min_lr_ratio <= 1.0f, "--min-lr-ratio must be in [0, 1]");
  require(o.weight_decay >= 0.0f, "--weight-decay must be >= 0");
  require(o.clip > 0.0f, "--clip must be positive");
  require(o.eval_every >= 0, "--eval-every must be >= 0");
  require(o.checkpoint_every >= 0, "--checkpoint-every must be >= 0");
  require(o.checkpoint_every == 0 || !o.checkpoint_path.empty(), "--checkpoint-every needs a checkpoint path");
}

int64_t steps_per_epoch(int64_t n_sequences, int batch) { return (n_sequences + batch - 1) / batch; }

int64_t total_steps(const PretrainOptions& o, int64_t n_sequences) {
  return o.max_steps > 0 ? o.max_steps : int64_t(o.epochs) * steps_per_epoch(n_sequences, o.batch);
}

float pretrain_lr(const PretrainOptions& o, int64_t total, int64_t s) {
  // A one-parameter optimiser only to host the schedule: CosineLr's formula is the one used.
  Var dummy = parameter(Tensor({1}), "lr");
  Sgd host({dummy}, SgdOptions{o.lr});
  const CosineLr schedule(host, total, std::min(o.warmup, total), o.min_lr_ratio * o.lr);
  return schedule.lr_at(s);
}

// ---- checkpoints

namespace {

// The best validation loss so far (+inf before any), the step that reached it and its weights.
struct BestSoFar {
  double valid_loss = INFINITY;
  int64_t step = 0;
  std::vector<Tensor> values;
};

void save_checkpoint(const std::string& path, const TransformerConfig& c, uint64_t seed, int64_t step,
                     int64_t train_sequences, const std::vector<Var>& params, const Adam& opt, const BestSoFar& best) {
  TrainingState s;
  s.kind = kKind;
  const std::vector<int64_t> shape = shape_fields(c);
  s.words["shape"] = std::vector<uint64_t>(shape.begin(), shape.end());
  s.words["run"] = {seed, uint64_t(step), uint64_t(train_sequences)};
  put_params(s, "param", params, &opt);
  s.reals["best"] = {best.valid_loss, double(best.step)};
  put_tensors(s, "best", best.values);
  save_training_state(path, s);  // beside, then renamed: a run killed while writing keeps the previous one
}

}  // namespace

PretrainCheckpoint load_pretrain_checkpoint(const std::string& path, const TransformerConfig& expected) {
  const TrainingState s = load_training_state(path, kKind);
  const std::vector<int64_t> want = shape_fields(expected);
  const std::vector<uint64_t>& shape = s.word_list("shape");
  if (shape.size() != want.size()) throw std::runtime_error(path + ": corrupt checkpoint (" + std::to_string(shape.size()) + " shape fields)");
  std::string differ;
  for (size_t i = 0; i < want.size(); ++i)
    if (int64_t(shape[i]) != want[i])
      differ += std::string(differ.empty() ? "" : ", ") + kShapeNames[i] + " " + std::to_string(int64_t(shape[i])) +
                " (the run: " + std::to_string(want[i]) + ")";
  if (!differ.empty())
    throw std::runtime_error(path + ": the checkpoint is of another shape: " + differ +
                             "; resume with the options it was trained with");
  PretrainCheckpoint ck;
  ck.config = expected;
  ck.state = s;
  const std::vector<uint64_t>& run = s.word_list("run");
  if (run.size() != 3 || int64_t(run[1]) < 0 || int64_t(run[2]) < 1)
    throw std::runtime_error(path + ": corrupt checkpoint (step or sequence count out of range)");
  ck.seed = run[0];
  ck.step = int64_t(run[1]);
  ck.train_sequences = int64_t(run[2]);
  return ck;
}

// ---- training

float evaluate_loss(const TrainableTransformer& model, const PackedSequences& seqs, int batch) {
  NoGrad no_grad;
  std::vector<int64_t> order(size_t(seqs.count()), 0);
  std::iota(order.begin(), order.end(), int64_t(0));
  double sum = 0;
  int64_t targets = 0;
  for (int64_t b = 0; b < seqs.count(); b += batch) {
    const LmBatch lb = make_lm_batch(seqs, order, b, std::min(seqs.count(), b + batch));
    const Var loss = cross_entropy(model.lm_logits(model.forward(lb.inputs).hidden), lb.targets);
    sum += double(loss.value().item()) * double(lb.targets.size());  // the batch's mean times its size
    targets += int64_t(lb.targets.size());
  }
  return targets ? float(sum / double(targets)) : NAN;
}

std::unique_ptr<AdamW> pretrain_optimizer(const std::vector<Var>& params, const PretrainOptions& o) {
  AdamOptions ao;
  ao.lr = o.lr;
  ao.beta1 = 0.9f;
  ao.beta2 = 0.95f;
  ao.eps = 1e-8f;
  ao.weight_decay = o.weight_decay;
  auto opt = std::make_unique<AdamW>(params, ao);
  for (size_t i = 0; i < params.size(); ++i)
    if (params[i].shape().size() < 2) opt->set_weight_decay(i, 0.0f);  // norms: no decay
  return opt;
}

float pretrain_step(const TrainableTransformer& model, AdamW& opt, const LmBatch& batch, float clip, int64_t step) {
  // logits = lm_head(final hidden)  [B·T, vocab]; loss = mean −log p(next token)
  const Var loss = cross_entropy(model.lm_logits(model.forward(batch.inputs).hidden), batch.targets);
  const float value = loss.value().item();
  if (!std::isfinite(value)) {
    clear_tape();
    throw std::runtime_error("the training loss is " + std::to_string(value) + " at step " + std::to_string(step) +
                             " (lower --lr, or raise --warmup)");
  }
  backward(loss);
  const float norm = clip_grad_norm(opt.params(), clip);
  if (!std::isfinite(norm)) {
    opt.zero_grad();
    throw std::runtime_error("the gradient norm is " + std::to_string(norm) + " at step " + std::to_string(step) +
                             " (lower --lr, or raise --warmup)");
  }
  opt.step();
  opt.zero_grad();
  return value;
}

PretrainResult pretrain(const TransformerConfig& config, const PretrainData& data, const PretrainOptions& o,
                        const PretrainCheckpoint* resume, const PretrainCallback& progress) {
  check_options(o);
  const int64_t n_seq = data.train.count();
  require(n_seq >= 1 && data.train.len == config.n_ctx + 1,
          "pretrain: the data's sequences are not of context + 1 = " + std::to_string(config.n_ctx + 1) + " tokens");
  if (resume) {
    if (resume->seed != o.seed)
      throw std::runtime_error("the checkpoint was trained with --seed " + std::to_string(resume->seed) +
                               ", this run has --seed " + std::to_string(o.seed));
    if (resume->train_sequences != n_seq)
      throw std::runtime_error("the checkpoint was trained on " + std::to_string(resume->train_sequences) +
                               " sequences, this corpus gives " + std::to_string(n_seq) + " (another corpus or tokenizer?)");
  }
  TrainableTransformer model(init_model(config, o.seed), {}, TuneMode::Full);
  const std::vector<Var> params = model.parameters();
  const std::unique_ptr<AdamW> optimizer = pretrain_optimizer(params, o);
  AdamW& opt = *optimizer;

  int64_t step = 0;
  BestSoFar best;  // the best validation loss so far, its step and weights
  if (resume) {
    take_params(resume->state, "param", params, &opt);
    const std::vector<double>& b = resume->state.real_list("best");
    if (b.size() != 2) throw std::runtime_error(resume->state.path + ": corrupt best-validation entry");
    best.valid_loss = b[0];
    best.step = int64_t(b[1]);
    best.values = take_tensors(resume->state, "best");
    step = resume->step;
  }

  const int64_t total = total_steps(o, n_seq);
  const int64_t per_epoch = steps_per_epoch(n_seq, o.batch);
  PretrainResult result;
  const auto start = std::chrono::steady_clock::now();
  int64_t tokens_done = 0;
  int64_t order_epoch = -1;
  PackedSequences sequences;  // this epoch's
  std::vector<int64_t> order;
  float valid_loss = NAN;
  for (; step < total; ++step) {
    const int64_t epoch = step / per_epoch, k = step % per_epoch;
    if (epoch != order_epoch) {
      sequences = epoch_sequences(data, o.repack, o.seed, epoch);
      order = epoch_order(n_seq, o.seed, epoch), order_epoch = epoch;
    }
    const LmBatch batch = make_lm_batch(sequences, order, k * o.batch, std::min(n_seq, (k + 1) * o.batch));

    opt.set_lr(pretrain_lr(o, total, step + 1));
    const float loss_value = pretrain_step(model, opt, batch, o.clip, step + 1);
    tokens_done += int64_t(batch.targets.size());

    const int64_t done = step + 1;
    const bool last = done == total;
    const bool eval = last || (o.eval_every > 0 && done % o.eval_every == 0);
    if (eval) valid_loss = evaluate_loss(model, data.valid, o.batch);
    if (eval && double(valid_loss) < best.valid_loss) best = {double(valid_loss), done, snapshot_values(params)};
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    PretrainLogRow row{done, loss_value, eval ? valid_loss : NAN, opt.lr(), seconds > 0 ? tokens_done / seconds : 0.0};
    result.log.push_back(row);
    if (o.checkpoint_every > 0 && (done % o.checkpoint_every == 0 || last))
      save_checkpoint(o.checkpoint_path, config, o.seed, done, n_seq, params, opt, best);
    if (progress) progress({row, total, seconds, last});
  }
  if (std::isnan(valid_loss)) valid_loss = evaluate_loss(model, data.valid, o.batch);  // resumed at the end
  result.final_valid_loss = valid_loss;
  result.steps = total;
  result.model = model.merged_model();
  // The best-validation weights as a model of their own (the last step's when nothing was better).
  result.best_step = best.values.empty() ? total : best.step;
  result.best_valid_loss = best.values.empty() ? valid_loss : float(best.valid_loss);
  if (!best.values.empty()) {
    restore_values(params, best.values);
    result.best_model = model.merged_model();
  } else {
    result.best_model = result.model;
  }
  return result;
}

}  // namespace llactr::llm

#include "llactr/ctr/trainer.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "llactr/ctr/trainer_state.h"
#include "llactr/data/id_dropout.h"
#include "llactr/nn/clip_grad.h"
#include "llactr/nn/early_stopping.h"
#include "llactr/nn/gradient_sync.h"
#include "llactr/nn/metrics.h"
#include "llactr/nn/scheduler.h"
#include "llactr/tensor/ops.h"
#include "llactr/tensor/rng.h"
#include "llactr/util/clock.h"
#include "llactr/util/communicator.h"

namespace llactr {

namespace {

[[noreturn]] void non_finite(const char* what, int epoch, size_t step, float lr) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "%s is not finite (NaN or Inf) at epoch %d, step %zu (lr %g); training stopped. "
                "Try a lower --lr or check the data.",
                what, epoch, step, lr);
  throw std::runtime_error(buf);
}

}  // namespace

Monitor parse_monitor(const std::string& name) {
  if (name == "auc") return Monitor::Auc;
  if (name == "auc-logloss") return Monitor::AucMinusLogloss;
  throw std::invalid_argument("unknown monitor '" + name + "' (auc, auc-logloss)");
}

const char* monitor_name(Monitor m) { return m == Monitor::Auc ? "auc" : "auc-logloss"; }

Var forward_logits(Backbone& model, const data::Batch& batch, const ForwardContext& ctx, Enhancer* enhancer,
                   Var* E_out) {
  Var E = model.embed(batch.ids.data(), int64_t(batch.size));  // [B, N, D]
  Var X = enhancer ? enhancer->extra_fields(E, batch) : Var();  // [B, extra, D] or none
  const int extra = model.config().extra_fields;
  if ((X ? X.dim(1) : 0) != extra)
    throw std::invalid_argument(model.name() + " expects " + std::to_string(extra) + " extra fields, the enhancer gives " +
                                std::to_string(X ? X.dim(1) : 0));
  Var y = model.logit(X ? concat({E, X}, 1) : E, batch.ids.data(), ctx);  // [B]
  if (enhancer) {
    if (Var extra = enhancer->extra_logit(E, batch)) y = add(y, extra);
    if (Var fused = enhancer->fuse_logit(y, model.hidden(), batch)) y = fused;
  }
  if (E_out) *E_out = E;
  return y;
}

float train_step(Backbone& model, const data::Batch& batch, const ForwardContext& ctx, Optimizer& opt,
                 const std::vector<Var>& params, float grad_clip, Enhancer* enhancer, int epoch, size_t step) {
  Tensor labels({int64_t(batch.size)}, std::vector<float>(batch.labels.begin(), batch.labels.begin() + batch.size));
  // Dropout draws the masks of the whole global batch and keeps this slice's rows (Rng::RowSlice).
  if (ctx.rng) ctx.rng->set_row_slice({int64_t(batch.first_row), int64_t(batch.size), int64_t(batch.global_rows())});
  Var E;
  Var y = forward_logits(model, batch, ctx, enhancer, &E);  // [B]
  Var loss = bce_with_logits(y, labels);                    // scalar
  const float bce = loss.value().item();
  if (enhancer)
    if (Var extra = enhancer->extra_loss(E, model.hidden(), y, batch)) loss = add(loss, extra);
  if (!std::isfinite(loss.value().item())) {
    clear_tape();
    non_finite("the training loss", epoch, step, opt.lr());
  }
  backward(loss);
  // Data-parallel: the global batch's gradient and BCE on every rank (one process: nothing to do).
  const float global_bce = sync_gradients(params, opt.sparse_update(), batch.weight(), bce);
  if (grad_clip > 0 && !std::isfinite(clip_grad_norm(params, grad_clip)))
    non_finite("the gradient norm", epoch, step, opt.lr());
  opt.step();
  opt.zero_grad();
  return global_bce;
}

TrainResult train(Backbone& model, const data::Split& train_split, const data::Split& valid, const TrainConfig& cfg,
                  Enhancer* enhancer) {
  if (train_split.size() == 0 || valid.size() == 0) throw std::invalid_argument("train: empty train or valid split");
  if (train_split.num_fields != model.config().num_fields)
    throw std::invalid_argument("train: the split has " + std::to_string(train_split.num_fields) +
                                " fields, the model " + std::to_string(model.config().num_fields));
  std::vector<Var> params = model.parameters();
  if (enhancer)
    for (const Var& p : enhancer->parameters()) params.push_back(p);

  AdamOptions ao;
  ao.lr = cfg.lr;
  ao.weight_decay = cfg.weight_decay;
  ao.sparse = cfg.embedding_update;
  Adam opt(params, ao);
  PlateauOptions po;
  po.factor = cfg.lr_decay;
  po.threshold = cfg.min_delta;
  po.min_lr = cfg.min_lr;
  ReduceLrOnPlateau plateau(opt, po);

  // Under mpirun every rank draws the same batch order and trains on its slice of each batch.
  Communicator& comm = world();
  data::BatcherOptions bo;
  bo.batch_size = cfg.batch_size;
  bo.seed = cfg.seed;
  bo.prefetch = true;
  bo.shard = comm.rank();
  bo.shards = comm.size();
  data::Batcher batcher(train_split, bo);
  Rng dropout_rng(cfg.seed + 1);
  Rng id_dropout_rng(cfg.seed ^ 0x1dd0u);  // its own stream: --id-dropout 0 leaves every other draw as it was
  const ForwardContext ctx{true, &dropout_rng};
  const bool verbose = cfg.verbose && comm.is_writer();
  const bool live = verbose && isatty(STDERR_FILENO);

  TrainResult res;
  EarlyStopping stop(params, cfg.patience, cfg.min_delta);  // on the monitored metric
  std::vector<Rng*> rngs{&dropout_rng, &id_dropout_rng};
  if (enhancer)
    for (Rng* r : enhancer->rngs()) rngs.push_back(r);
  const TrainerParts parts{model, params, opt, plateau, stop, rngs, res};
  int done = 0;  // epochs finished before this call (resume)
  if (cfg.state.resume && !cfg.state.path.empty() && std::ifstream(cfg.state.path).good()) {
    done = load_trainer_state(cfg, train_split.size(), valid.size(), parts);
    std::fprintf(stderr, "%s: resumed after epoch %d from %s\n", model.name().c_str(), done, cfg.state.path.c_str());
  }
  const bool finished = done > 0 && stop.should_stop();  // a training that had ended, resumed
  data::Batch batch;
  for (int epoch = done + 1; epoch <= cfg.max_epochs && !finished; ++epoch) {
    EpochLog log;
    log.epoch = epoch;
    log.lr = opt.lr();
    double loss_sum = 0;
    size_t steps = 0, samples = 0;
    auto t0 = Clock::now();
    auto last_print = t0;
    const CommTraffic traffic0 = comm.traffic();
    batcher.start_epoch(uint64_t(epoch - 1));
    while (batcher.next(batch)) {
      ++steps;
      if (cfg.id_dropout > 0) data::drop_ids(batch, cfg.id_dropout_columns, cfg.id_dropout, id_dropout_rng);
      const float bce = train_step(model, batch, ctx, opt, params, cfg.grad_clip, enhancer, epoch, steps);
      loss_sum += bce;
      samples += batch.global_rows();
      if (live && seconds_since(last_print) > 0.5) {
        last_print = Clock::now();
        std::fprintf(stderr, "\r  %s epoch %d  step %zu/%zu  loss %.5f  %.0f samples/s   ", model.name().c_str(), epoch,
                     steps, batcher.batches_per_epoch(), loss_sum / steps, samples / seconds_since(t0));
      }
    }
    log.train_seconds = seconds_since(t0);
    const CommTraffic traffic = comm.traffic();
    log.train_loss = loss_sum / double(steps);
    log.samples_per_sec = samples / log.train_seconds;
    res.train_seconds += log.train_seconds;
    res.samples_per_sec += samples;  // total for now; divided below

    auto tv = Clock::now();
    std::vector<float> p = predict(model, valid, cfg.batch_size, enhancer);
    log.valid_auc = auc(p, valid.labels);
    log.valid_logloss = logloss(p, valid.labels);
    const double value = cfg.monitor == Monitor::Auc ? log.valid_auc : log.valid_auc - log.valid_logloss;
    log.improved = stop.update(epoch, value);
    if (log.improved) {
      res.best_epoch = epoch;
      res.best_valid_auc = log.valid_auc;
      res.best_valid_logloss = log.valid_logloss;
    }
    plateau.step(value);
    res.log.push_back(log);
    if (verbose)
      std::fprintf(stderr, "%s%s epoch %d: loss %.5f  valid AUC %.6f logloss %.6f  lr %g  %.1f s (+%.1f s eval)  %.0f samples/s%s\n",
                   live ? "\r" : "", model.name().c_str(), epoch, log.train_loss, log.valid_auc, log.valid_logloss, log.lr,
                   log.train_seconds, seconds_since(tv), log.samples_per_sec, log.improved ? "  *" : "");
    if (verbose && comm.size() > 1)  // the collectives of the training steps (docs/DISTRIBUTED.md, "Measured")
      std::fprintf(stderr, "  %d ranks: %.2f ms in collectives and %.1f kB sent per step (rank 0)\n", comm.size(),
                   1e3 * (traffic.seconds - traffic0.seconds) / double(steps),
                   double(traffic.bytes_sent - traffic0.bytes_sent) / 1e3 / double(steps));
    if (!cfg.state.path.empty() && comm.is_writer()) save_trainer_state(cfg, train_split.size(), valid.size(), epoch, parts);
    if (epoch == cfg.state.stop_after_epoch)
      throw TrainingStopped(model.name() + ": stopped after epoch " + std::to_string(epoch) + " as asked" +
                            (cfg.state.path.empty() ? "" : "; its state is in " + cfg.state.path));
    if (stop.should_stop()) break;
  }
  res.epochs = int(res.log.size());
  res.samples_per_sec /= res.train_seconds;
  stop.restore();
  return res;
}

std::vector<float> predict(Backbone& model, const data::Split& split, size_t batch_size, Enhancer* enhancer) {
  NoGrad no_grad;
  // Under mpirun each rank scores its slice of each batch; the slices, gathered in rank order,
  // are the batch in split order.
  Communicator& comm = world();
  data::BatcherOptions bo;
  bo.batch_size = batch_size;
  bo.shuffle = false;
  bo.shard = comm.rank();
  bo.shards = comm.size();
  data::Batcher batcher(split, bo);
  batcher.start_epoch(0);
  data::Batch batch;
  std::vector<float> mine, probs;
  probs.reserve(split.size());
  while (batcher.next(batch)) {
    Var y = forward_logits(model, batch, ForwardContext{}, enhancer, nullptr);
    mine.clear();
    if (!batch.padding)
      for (int64_t i = 0; i < y.numel(); ++i) mine.push_back(1.0f / (1.0f + std::exp(-y.value()[i])));
    const std::vector<float> all = comm.allgatherv(mine);
    probs.insert(probs.end(), all.begin(), all.end());
  }
  return probs;
}

EvalFields eval_fields(const data::Dataset& dataset) {
  EvalFields f(dataset.schema.user_field);
  if (dataset.schema.item_field >= 0) {
    f.item = dataset.schema.item_field;
    f.cold_item_id = dataset.encoder.offset(f.item);  // local id 0: out of the train vocabulary
  }
  return f;
}

EvalResult score(const std::vector<float>& p, const data::Split& split, const EvalFields& fields) {
  EvalResult r;
  r.auc = auc(p, split.labels);
  r.logloss = logloss(p, split.labels);
  if (fields.user >= 0) {
    std::vector<int32_t> users(split.size());
    for (size_t i = 0; i < split.size(); ++i) users[i] = split.row(i)[fields.user];
    r.gauc = gauc(p, split.labels, users);
  }
  if (fields.item >= 0) {
    std::vector<float> cold_p, cold_y;
    for (size_t i = 0; i < split.size(); ++i)
      if (split.row(i)[fields.item] == fields.cold_item_id) cold_p.push_back(p[i]), cold_y.push_back(split.labels[i]);
    r.cold_rows = cold_y.size();
    const size_t positives = size_t(std::count(cold_y.begin(), cold_y.end(), 1.0f));
    if (positives > 0 && positives < cold_y.size()) r.cold_auc = auc(cold_p, cold_y);
  }
  return r;
}

EvalResult evaluate(Backbone& model, const data::Split& split, const EvalFields& fields, size_t batch_size,
                    Enhancer* enhancer) {
  // The first pass warms caches and allocators; the time is the median of 3 more passes, because a
  // single pass of a few milliseconds swung by 2-3x between identical runs on a shared machine.
  std::vector<float> p = predict(model, split, batch_size, enhancer);
  std::vector<double> us(3);
  for (double& t : us) {
    auto t0 = Clock::now();
    predict(model, split, batch_size, enhancer);
    t = seconds_since(t0) * 1e6 / double(split.size());
  }
  std::sort(us.begin(), us.end());
  EvalResult r = score(p, split, fields);
  r.infer_us_per_sample = us[1];
  return r;
}

}  // namespace llactr

// Learning-rate schedulers. Each computes a learning rate and sets it on an Optimizer.
//
// Per-step schedules (ConstantLr, LinearWarmupDecay, CosineLr) follow the Hugging Face /
// PyTorch LambdaLR convention: lr = base_lr · f(t), where base_lr is the optimiser's lr when
// the scheduler is built and t counts scheduler.step() calls. Construction sets lr for t = 0;
// call step() after each optimizer.step():
//
//   Adam opt(params, AdamOptions{});  LinearWarmupDecay sched(opt, /*warmup=*/100, /*total=*/10000);
//   for (...) { backward(loss); opt.step(); opt.zero_grad(); sched.step(); }
//
// ReduceLrOnPlateau is per epoch: call step(metric) after each validation.
#pragma once
#include <cstdint>

#include "llactr/nn/optimizer.h"

namespace llactr {

class StepScheduler {
 public:
  virtual ~StepScheduler() = default;
  // Advance t by one and set the optimiser's lr to lr_at(t).
  void step();
  int64_t t() const { return t_; }
  float base_lr() const { return base_lr_; }
  virtual float lr_at(int64_t t) const = 0;

 protected:
  explicit StepScheduler(Optimizer& opt) : opt_(opt), base_lr_(opt.lr()) {}
  void apply() { opt_.set_lr(lr_at(t_)); }  // each subclass's constructor ends with this

  Optimizer& opt_;
  float base_lr_;
  int64_t t_ = 0;
};

// lr = base_lr at every step.
class ConstantLr : public StepScheduler {
 public:
  explicit ConstantLr(Optimizer& opt);
  float lr_at(int64_t t) const override;
};

// transformers.get_linear_schedule_with_warmup: from 0 up to base_lr over `warmup` steps,
// then linearly down to 0 at `total` steps (and 0 after).
//   f(t) = t / max(1, warmup)                                    for t < warmup
//        = max(0, (total - t) / max(1, total - warmup))          otherwise
class LinearWarmupDecay : public StepScheduler {
 public:
  LinearWarmupDecay(Optimizer& opt, int64_t warmup, int64_t total);
  float lr_at(int64_t t) const override;

 private:
  int64_t warmup_, total_;
};

// Cosine decay from base_lr to min_lr over the steps after warm-up (linear from 0, as above);
// with min_lr = 0 this is transformers.get_cosine_schedule_with_warmup (half a cycle).
//   lr(t) = base_lr · t / max(1, warmup)                                    for t < warmup
//         = min_lr + (base_lr - min_lr) · ½(1 + cos(π·p)),  p = min(1, (t - warmup) / max(1, total - warmup))
class CosineLr : public StepScheduler {
 public:
  CosineLr(Optimizer& opt, int64_t total, int64_t warmup = 0, float min_lr = 0.0f);
  float lr_at(int64_t t) const override;

 private:
  int64_t total_, warmup_;
  float min_lr_;
};

struct PlateauOptions {
  bool mode_max = true;     // true: higher metric is better (AUC); false: lower is better (loss)
  float factor = 0.1f;      // new lr = max(lr · factor, min_lr)
  int patience = 0;         // non-improving epochs tolerated before reducing; 0 = reduce on each
  float threshold = 0.0f;   // improvement means metric > best + threshold (mode max)
  float min_lr = 1e-6f;
};

// Multiplies lr by `factor` when the monitored metric has not improved for more than
// `patience` epochs (torch.optim.lr_scheduler.ReduceLROnPlateau with threshold_mode='abs',
// cooldown=0, eps=1e-8; FuxiCTR's lr decay when patience = 0). After a reduction the count
// restarts. A reduction smaller than 1e-8 is skipped, so the lr rests at min_lr.
class ReduceLrOnPlateau {
 public:
  ReduceLrOnPlateau(Optimizer& opt, PlateauOptions o = {});
  // Record one epoch's metric; returns true when it reduced the lr. Throws on a NaN metric.
  bool step(double metric);
  double best() const { return best_; }
  int bad_epochs() const { return bad_epochs_; }
  // For training-state files: with the optimiser's lr, (best, bad_epochs) is its whole state.
  void restore_state(double best, int bad_epochs) { best_ = best, bad_epochs_ = bad_epochs; }

 private:
  Optimizer& opt_;
  PlateauOptions o_;
  double best_;
  int bad_epochs_ = 0;
};

}  // namespace llactr

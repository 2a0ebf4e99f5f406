#include "llactr/nn/scheduler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace llactr {

namespace {
void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(what);
}
// The linear warm-up shared by LinearWarmupDecay and CosineLr: 0 at t = 0, 1 at t = warmup.
double warmup_factor(int64_t t, int64_t warmup) { return double(t) / double(std::max<int64_t>(1, warmup)); }
}  // namespace

void StepScheduler::step() {
  ++t_;
  apply();
}

ConstantLr::ConstantLr(Optimizer& opt) : StepScheduler(opt) { apply(); }
float ConstantLr::lr_at(int64_t) const { return base_lr_; }

LinearWarmupDecay::LinearWarmupDecay(Optimizer& opt, int64_t warmup, int64_t total)
    : StepScheduler(opt), warmup_(warmup), total_(total) {
  require(warmup >= 0 && total >= warmup, "LinearWarmupDecay: need 0 <= warmup <= total");
  apply();
}

float LinearWarmupDecay::lr_at(int64_t t) const {
  if (t < warmup_) return static_cast<float>(base_lr_ * warmup_factor(t, warmup_));
  double f = double(total_ - t) / double(std::max<int64_t>(1, total_ - warmup_));
  return static_cast<float>(base_lr_ * std::max(0.0, f));
}

CosineLr::CosineLr(Optimizer& opt, int64_t total, int64_t warmup, float min_lr)
    : StepScheduler(opt), total_(total), warmup_(warmup), min_lr_(min_lr) {
  require(warmup >= 0 && total >= warmup, "CosineLr: need 0 <= warmup <= total");
  require(min_lr >= 0.0f && min_lr <= base_lr_, "CosineLr: need 0 <= min_lr <= the optimiser's lr");
  apply();
}

float CosineLr::lr_at(int64_t t) const {
  if (t < warmup_) return static_cast<float>(base_lr_ * warmup_factor(t, warmup_));
  double p = std::min(1.0, double(t - warmup_) / double(std::max<int64_t>(1, total_ - warmup_)));
  return static_cast<float>(min_lr_ + (double(base_lr_) - min_lr_) * 0.5 * (1.0 + std::cos(M_PI * p)));
}

ReduceLrOnPlateau::ReduceLrOnPlateau(Optimizer& opt, PlateauOptions o)
    : opt_(opt), o_(o), best_(o.mode_max ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity()) {
  require(o.factor > 0.0f && o.factor < 1.0f, "ReduceLrOnPlateau: factor must be in (0, 1)");
  require(o.patience >= 0, "ReduceLrOnPlateau: patience must be >= 0");
  require(o.threshold >= 0.0f, "ReduceLrOnPlateau: threshold must be >= 0");
  require(o.min_lr >= 0.0f, "ReduceLrOnPlateau: min_lr must be >= 0");
}

bool ReduceLrOnPlateau::step(double metric) {
  if (std::isnan(metric)) throw std::invalid_argument("ReduceLrOnPlateau: metric is NaN");
  const bool improved = o_.mode_max ? metric > best_ + o_.threshold : metric < best_ - o_.threshold;
  if (improved) {
    best_ = metric;
    bad_epochs_ = 0;
    return false;
  }
  if (++bad_epochs_ <= o_.patience) return false;
  bad_epochs_ = 0;
  const float old_lr = opt_.lr();
  const float new_lr = std::max(old_lr * o_.factor, o_.min_lr);
  // As PyTorch (eps = 1e-8): a change this small means the lr is at the floor, give or take rounding.
  if (old_lr - new_lr <= 1e-8f) return false;
  opt_.set_lr(new_lr);
  return true;
}

}  // namespace llactr

#include "llactr/nn/early_stopping.h"

#include "llactr/tensor/param_values.h"

namespace llactr {

bool EarlyStopping::update(int epoch, double value) {
  const bool improved = best_epoch_ == 0 || (ties_improve_ ? value >= best_value_ + min_delta_ : value > best_value_ + min_delta_);
  if (improved) {
    best_value_ = value;
    best_epoch_ = epoch;
    best_ = snapshot_values(params_);
    bad_epochs_ = 0;
  } else {
    ++bad_epochs_;
  }
  return improved;
}

void EarlyStopping::restore() { restore_values(params_, best_); }

}  // namespace llactr

#include "llactr/nn/early_stopping.h"

#include <stdexcept>
#include <string>

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

void EarlyStopping::restore_state(State s) {
  if (!s.best.empty()) {
    if (s.best.size() != params_.size())
      throw std::invalid_argument("EarlyStopping: a snapshot of " + std::to_string(s.best.size()) + " tensors for " +
                                  std::to_string(params_.size()) + " parameters");
    for (size_t i = 0; i < params_.size(); ++i)
      if (s.best[i].shape() != params_[i].shape())
        throw std::invalid_argument("EarlyStopping: snapshot " + std::to_string(i) + " has shape " +
                                    shape_str(s.best[i].shape()) + ", parameter " + params_[i].name() + " " +
                                    shape_str(params_[i].shape()));
  }
  best_epoch_ = s.best_epoch;
  bad_epochs_ = s.bad_epochs;
  best_value_ = s.best_value;
  best_ = std::move(s.best);
}

}  // namespace llactr

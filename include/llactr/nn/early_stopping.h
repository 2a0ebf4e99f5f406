// Early stopping on a validation value where higher is better, as the CTR trainer and ELEC's
// stage 1 use it: it remembers the best epoch and its weights, counts the epochs since, and puts
// the best weights back at the end.
//
//   EarlyStopping stop(params, patience);
//   for (int epoch = 1; epoch <= max_epochs; ++epoch) {
//     ..train..;
//     const bool improved = stop.update(epoch, valid_auc);   // snapshots the weights if so
//     if (stop.should_stop()) break;                          // patience epochs without improving
//   }
//   stop.restore();                                           // the best epoch's weights
#pragma once
#include <vector>

#include "llactr/tensor/autograd.h"
#include "llactr/tensor/tensor.h"

namespace llactr {

class EarlyStopping {
 public:
  // An epoch improves when it is the first, or when value >= best + min_delta (ties_improve) or
  // value > best + min_delta (not).
  EarlyStopping(std::vector<Var> params, int patience, double min_delta = 0, bool ties_improve = true)
      : params_(std::move(params)), patience_(patience), min_delta_(min_delta), ties_improve_(ties_improve) {}

  bool update(int epoch, double value);
  bool should_stop() const { return bad_epochs_ >= patience_; }
  void restore();  // the best epoch's weights back into the parameters

  int best_epoch() const { return best_epoch_; }
  double best_value() const { return best_value_; }

  // Its state, for training-state files: restoring what state() returned continues the run as if
  // it had not stopped. restore_state throws std::invalid_argument when the snapshot's count or
  // shapes are not the parameters'.
  struct State {
    int best_epoch = 0, bad_epochs = 0;
    double best_value = 0;
    std::vector<Tensor> best;  // the best epoch's weights (empty before the first epoch)
  };
  State state() const { return {best_epoch_, bad_epochs_, best_value_, best_}; }
  void restore_state(State s);

 private:
  std::vector<Var> params_;
  int patience_;
  double min_delta_;
  bool ties_improve_;
  int best_epoch_ = 0, bad_epochs_ = 0;
  double best_value_ = 0;
  std::vector<Tensor> best_;
};

}  // namespace llactr

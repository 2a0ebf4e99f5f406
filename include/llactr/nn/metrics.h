// Evaluation metrics for binary click prediction, computed in double.
//
// Labels must be exactly 0 or 1. Scores may be any finite order-preserving value for the AUCs
// (logits or probabilities); logloss needs probabilities. Bad input (sizes differ, a label
// other than 0/1, a NaN score, an AUC with one class) throws std::invalid_argument.
#pragma once
#include <cstdint>
#include <vector>

namespace llactr {

// Area under the ROC curve = P(score of a random positive > score of a random negative), a tie
// counting ½ (the trapezoid rule, equal to scikit-learn's roc_auc_score). Exact, O(n log n).
double auc(const std::vector<float>& scores, const std::vector<float>& labels);

// Mean binary cross-entropy −[y·log p + (1−y)·log(1−p)], with p clipped to [eps, 1 − eps] first,
// as scikit-learn's log_loss(eps=...). The default eps = 1e-7 is FuxiCTR's (log_loss(..., eps=1e-7))
// and close to what scikit-learn >= 1.5 uses for float32 input (float32 machine epsilon, 1.19e-7).
// A single class is allowed. Probabilities outside [0, 1] throw.
double logloss(const std::vector<float>& probs, const std::vector<float>& labels, double eps = 1e-7);

// Group AUC: Σ_g n_g·AUC_g / Σ_g n_g over the groups (e.g. users) that have both classes;
// n_g counts all of the group's samples. Throws when no group has both classes.
double gauc(const std::vector<float>& scores, const std::vector<float>& labels, const std::vector<int32_t>& groups);

}  // namespace llactr

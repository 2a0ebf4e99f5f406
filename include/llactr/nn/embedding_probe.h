// What a set of vectors knows about known categories: the two measures of the knowledge probe
// (docs/KNOWLEDGE.md, "The knowledge probe"), over n items with d-dimensional vectors X: [n, d]
// and a category label in [0, C) per item.
//
// - Neighbour purity@k: for each item, the share of its k nearest other items (cosine) that are
//   in its category, averaged over items. Vectors that ignore the category score about the
//   categories' share (≈ 1/C for balanced ones).
// - Linear probe accuracy: a softmax regression trained on some items of every category and
//   tested on the others. It asks whether the category is linearly readable from the vector.
#pragma once
#include <cstdint>
#include <vector>

namespace llactr {

struct ProbeSplit {
  std::vector<int> train, test;  // item indices, ascending
};

// Each category's items shuffled with the seed, the first round(train_share · size) to train
// (at least one item on each side). Throws std::invalid_argument for a share outside (0, 1) or a
// category of fewer than two items.
ProbeSplit stratified_split(const std::vector<int32_t>& labels, double train_share, uint64_t seed);

// X: [n, d] -> mean over items of |{j in kNN(i), j != i : label j == label i}| / k. Cosine
// similarity; ties go to the lower index. Throws for k < 1, k >= n, a zero vector or sizes that differ.
double neighbour_purity(const std::vector<float>& X, int d, const std::vector<int32_t>& labels, int k);

struct LinearProbeOptions {
  int steps = 300;            // full-batch AdamW steps
  float lr = 0.05f;
  float weight_decay = 1e-2f;  // decoupled, on W only
  uint64_t seed = 2024;       // W's init
};

// Standardises every dimension with the train items' mean and standard deviation, fits
// softmax(x Wᵀ + b) on the train items (cross-entropy, AdamW), and returns the accuracy on the
// test items. Labels must lie in [0, C) with C = 1 + the largest label.
double linear_probe_accuracy(const std::vector<float>& X, int d, const std::vector<int32_t>& labels,
                             const ProbeSplit& split, const LinearProbeOptions& options = {});

// The share of the largest category among the test items: what always guessing it scores.
double majority_share(const std::vector<int32_t>& labels, const std::vector<int>& items);

}  // namespace llactr

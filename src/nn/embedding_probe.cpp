#include "llactr/nn/embedding_probe.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <stdexcept>
#include <string>

#include "llactr/nn/optimizer.h"
#include "llactr/tensor/gemm.h"
#include "llactr/tensor/ops.h"
#include "llactr/tensor/rng.h"
#include "llactr/tensor/shuffle.h"

namespace llactr {

namespace {
int n_items(const std::vector<float>& X, int d, const std::vector<int32_t>& labels) {
  if (d < 1 || labels.empty() || X.size() != labels.size() * size_t(d))
    throw std::invalid_argument("embedding probe: " + std::to_string(X.size()) + " values are not " +
                                std::to_string(labels.size()) + " vectors of dimension " + std::to_string(d));
  for (int32_t y : labels)
    if (y < 0) throw std::invalid_argument("embedding probe: negative category label");
  return int(labels.size());
}
}  // namespace

ProbeSplit stratified_split(const std::vector<int32_t>& labels, double train_share, uint64_t seed) {
  if (!(train_share > 0.0 && train_share < 1.0))
    throw std::invalid_argument("probe split: the train share must lie in (0, 1)");
  std::map<int32_t, std::vector<int>> by_label;
  for (int i = 0; i < int(labels.size()); ++i) by_label[labels[size_t(i)]].push_back(i);
  Rng rng(seed);
  ProbeSplit s;
  for (auto& [label, items] : by_label) {
    if (items.size() < 2)
      throw std::invalid_argument("probe split: category " + std::to_string(label) + " has fewer than two items");
    seeded_shuffle(items, rng);
    const size_t n_train = std::clamp<size_t>(size_t(std::lround(train_share * double(items.size()))), 1, items.size() - 1);
    s.train.insert(s.train.end(), items.begin(), items.begin() + long(n_train));
    s.test.insert(s.test.end(), items.begin() + long(n_train), items.end());
  }
  std::sort(s.train.begin(), s.train.end());
  std::sort(s.test.begin(), s.test.end());
  return s;
}

double neighbour_purity(const std::vector<float>& X, int d, const std::vector<int32_t>& labels, int k) {
  const int n = n_items(X, d, labels);
  if (k < 1 || k >= n) throw std::invalid_argument("neighbour purity: k must lie in [1, n - 1]");
  // Xn: [n, d] unit rows; S = Xn Xnᵀ: [n, n] cosine similarities
  std::vector<float> Xn(X);
  for (int i = 0; i < n; ++i) {
    float* r = Xn.data() + size_t(i) * d;
    double sq = 0;
    for (int j = 0; j < d; ++j) sq += double(r[j]) * r[j];
    if (sq == 0) throw std::invalid_argument("neighbour purity: item " + std::to_string(i) + " has a zero vector");
    const float inv = float(1.0 / std::sqrt(sq));
    for (int j = 0; j < d; ++j) r[j] *= inv;
  }
  std::vector<float> S(size_t(n) * n);
  gemm(false, true, n, n, d, 1.0f, Xn.data(), Xn.data(), 0.0f, S.data());
  double total = 0;
  std::vector<int> order(size_t(n) - 1);
  for (int i = 0; i < n; ++i) {
    const float* s = S.data() + size_t(i) * n;
    // every other item, the k most similar first (ties: lower index first)
    int w = 0;
    for (int j = 0; j < n; ++j)
      if (j != i) order[size_t(w++)] = j;
    std::partial_sort(order.begin(), order.begin() + k, order.end(),
                      [s](int a, int b) { return s[a] != s[b] ? s[a] > s[b] : a < b; });
    int same = 0;
    for (int t = 0; t < k; ++t) same += labels[size_t(order[size_t(t)])] == labels[size_t(i)];
    total += double(same) / k;
  }
  return total / n;
}

double linear_probe_accuracy(const std::vector<float>& X, int d, const std::vector<int32_t>& labels,
                             const ProbeSplit& split, const LinearProbeOptions& options) {
  n_items(X, d, labels);
  if (split.train.empty() || split.test.empty()) throw std::invalid_argument("linear probe: empty train or test items");
  if (options.steps < 1 || !(options.lr > 0)) throw std::invalid_argument("linear probe: steps and lr must be positive");
  const int C = 1 + *std::max_element(labels.begin(), labels.end());
  const int n_train = int(split.train.size());
  // mean, inv_std: [d] from the train items, so the test items tell the probe nothing
  std::vector<double> mean(size_t(d), 0.0), var(size_t(d), 0.0);
  for (int i : split.train)
    for (int j = 0; j < d; ++j) mean[size_t(j)] += X[size_t(i) * d + j];
  for (double& m : mean) m /= n_train;
  for (int i : split.train)
    for (int j = 0; j < d; ++j) var[size_t(j)] += std::pow(X[size_t(i) * d + j] - mean[size_t(j)], 2);
  std::vector<float> inv_std(static_cast<size_t>(d));
  for (int j = 0; j < d; ++j) inv_std[size_t(j)] = float(1.0 / std::sqrt(var[size_t(j)] / n_train + 1e-12));
  auto standardised = [&](const std::vector<int>& items) {  // -> [items, d]
    Tensor t({int64_t(items.size()), d});
    for (size_t r = 0; r < items.size(); ++r)
      for (int j = 0; j < d; ++j)
        t.data()[r * size_t(d) + size_t(j)] = float((X[size_t(items[r]) * d + j] - mean[size_t(j)]) * inv_std[size_t(j)]);
    return t;
  };
  std::vector<int32_t> y_train;
  for (int i : split.train) y_train.push_back(labels[size_t(i)]);

  Rng rng(options.seed);
  Tensor w0({C, d});
  for (int64_t i = 0; i < w0.numel(); ++i) w0.data()[i] = rng.normal(0.0f, 0.01f);
  Var W = parameter(std::move(w0), "probe.W");  // [C, d]
  Var b = parameter(Tensor({C}), "probe.b");    // [C]
  AdamOptions ao;
  ao.lr = options.lr;
  ao.weight_decay = options.weight_decay;
  AdamW opt_W({W}, ao);
  ao.weight_decay = 0.0f;
  AdamW opt_b({b}, ao);
  const Var x_train = constant(standardised(split.train));  // [n_train, d]
  for (int step = 0; step < options.steps; ++step) {
    Var loss = cross_entropy(linear(x_train, W, b), y_train);  // logits: [n_train, C]
    backward(loss);
    opt_W.step();
    opt_b.step();
    opt_W.zero_grad();
    opt_b.zero_grad();
  }
  NoGrad no_grad;
  const Var logits = linear(constant(standardised(split.test)), W, b);  // [n_test, C]
  int correct = 0;
  for (size_t r = 0; r < split.test.size(); ++r) {
    const float* z = logits.value().data() + r * size_t(C);
    correct += int(std::max_element(z, z + C) - z) == labels[size_t(split.test[r])];
  }
  return double(correct) / double(split.test.size());
}

double majority_share(const std::vector<int32_t>& labels, const std::vector<int>& items) {
  if (items.empty()) throw std::invalid_argument("majority share: no items");
  std::map<int32_t, int> count;
  int best = 0;
  for (int i : items) best = std::max(best, ++count[labels[size_t(i)]]);
  return double(best) / double(items.size());
}

}  // namespace llactr

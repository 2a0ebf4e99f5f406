#include "llactr/nn/metrics.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace llactr {

namespace {

struct Sample {
  int32_t group;
  float score;
  bool positive;
};

void check_labels(const char* metric, const std::vector<float>& scores, const std::vector<float>& labels) {
  if (scores.size() != labels.size())
    throw std::invalid_argument(std::string(metric) + ": " + std::to_string(scores.size()) + " scores but " +
                                std::to_string(labels.size()) + " labels");
  for (size_t i = 0; i < labels.size(); ++i)
    if (labels[i] != 0.0f && labels[i] != 1.0f)
      throw std::invalid_argument(std::string(metric) + ": label " + std::to_string(labels[i]) + " at position " +
                                  std::to_string(i) + " is not 0 or 1");
}

// Samples sorted by (group, score). NaN scores are rejected first: they would break the sort's ordering.
std::vector<Sample> sorted_samples(const char* metric, const std::vector<float>& scores, const std::vector<float>& labels,
                                   const std::vector<int32_t>* groups) {
  check_labels(metric, scores, labels);
  std::vector<Sample> s(scores.size());
  for (size_t i = 0; i < scores.size(); ++i) {
    if (std::isnan(scores[i])) throw std::invalid_argument(std::string(metric) + ": score at position " + std::to_string(i) + " is NaN");
    s[i] = {groups ? (*groups)[i] : 0, scores[i], labels[i] == 1.0f};
  }
  std::sort(s.begin(), s.end(), [](const Sample& a, const Sample& b) {
    return a.group != b.group ? a.group < b.group : a.score < b.score;
  });
  return s;
}

// Over samples sorted by score: how many (positive, negative) pairs are ordered correctly,
// counting a tie as ½. Kept doubled so it stays an exact integer.
struct PairCount {
  int64_t positives = 0, negatives = 0, twice_correct = 0;
  bool both_classes() const { return positives > 0 && negatives > 0; }
  double auc() const { return double(twice_correct) / (2.0 * double(positives) * double(negatives)); }
};

PairCount count_pairs(const Sample* s, size_t n) {
  PairCount c;
  for (size_t i = 0; i < n;) {
    // One block of equal scores: its positives beat every negative below it and tie with the block's negatives.
    int64_t pos = 0, neg = 0;
    size_t j = i;
    for (; j < n && s[j].score == s[i].score; ++j) (s[j].positive ? pos : neg) += 1;
    c.twice_correct += 2 * pos * c.negatives + pos * neg;
    c.positives += pos;
    c.negatives += neg;
    i = j;
  }
  return c;
}

}  // namespace

double auc(const std::vector<float>& scores, const std::vector<float>& labels) {
  std::vector<Sample> s = sorted_samples("auc", scores, labels, nullptr);
  PairCount c = count_pairs(s.data(), s.size());
  if (!c.both_classes())
    throw std::invalid_argument("auc: needs both classes, got " + std::to_string(c.positives) + " positives and " +
                                std::to_string(c.negatives) + " negatives");
  return c.auc();
}

double gauc(const std::vector<float>& scores, const std::vector<float>& labels, const std::vector<int32_t>& groups) {
  if (groups.size() != scores.size())
    throw std::invalid_argument("gauc: " + std::to_string(scores.size()) + " scores but " + std::to_string(groups.size()) + " groups");
  std::vector<Sample> s = sorted_samples("gauc", scores, labels, &groups);
  double weighted = 0.0;
  int64_t weight = 0;
  for (size_t i = 0; i < s.size();) {
    size_t j = i;
    while (j < s.size() && s[j].group == s[i].group) ++j;
    PairCount c = count_pairs(s.data() + i, j - i);
    if (c.both_classes()) {
      weighted += double(j - i) * c.auc();
      weight += static_cast<int64_t>(j - i);
    }
    i = j;
  }
  if (weight == 0) throw std::invalid_argument("gauc: no group has both classes");
  return weighted / double(weight);
}

double logloss(const std::vector<float>& probs, const std::vector<float>& labels, double eps) {
  check_labels("logloss", probs, labels);
  if (probs.empty()) throw std::invalid_argument("logloss: no samples");
  if (!(eps > 0.0 && eps < 0.5)) throw std::invalid_argument("logloss: eps must be in (0, 0.5)");
  double sum = 0.0;
  for (size_t i = 0; i < probs.size(); ++i) {
    if (!(probs[i] >= 0.0f && probs[i] <= 1.0f))
      throw std::invalid_argument("logloss: probability " + std::to_string(probs[i]) + " at position " +
                                  std::to_string(i) + " is outside [0, 1]");
    double p = std::clamp(double(probs[i]), eps, 1.0 - eps);
    sum += labels[i] == 1.0f ? std::log(p) : std::log1p(-p);
  }
  return -sum / double(probs.size());
}

}  // namespace llactr

#include "llactr/data/split.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

#include "llactr/data/shuffle.h"

namespace llactr::data {

SplitRows split_rows(const RawTable& table, SplitMode mode, double train_ratio, double valid_ratio, uint64_t seed) {
  if (!(train_ratio > 0) || !(valid_ratio >= 0) || !(train_ratio + valid_ratio <= 1))
    throw std::invalid_argument("split ratios must satisfy 0 < train, 0 <= valid, train + valid <= 1 (got train " +
                                std::to_string(train_ratio) + ", valid " + std::to_string(valid_ratio) + ")");
  const size_t n = table.rows();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t(0));
  if (mode == SplitMode::Chronological) {
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return table.timestamp(a) < table.timestamp(b); });
  } else {
    std::mt19937_64 rng(seed);
    seeded_shuffle(order, rng);
  }
  const size_t n_train = static_cast<size_t>(train_ratio * double(n));
  const size_t n_valid = std::min(static_cast<size_t>(valid_ratio * double(n)), n - n_train);
  SplitRows s;
  s.train.assign(order.begin(), order.begin() + n_train);
  s.valid.assign(order.begin() + n_train, order.begin() + n_train + n_valid);
  s.test.assign(order.begin() + n_train + n_valid, order.end());
  return s;
}

size_t Split::num_positive() const {
  size_t p = 0;
  for (float y : labels) p += y > 0.5f;
  return p;
}

}  // namespace llactr::data

#include "llactr/methods/row_subsample.h"

#include <algorithm>
#include <numeric>
#include <utility>

#include "llactr/tensor/rng.h"

namespace llactr::methods {

std::vector<size_t> subsample_rows(size_t total, int64_t n, uint64_t seed) {
  std::vector<size_t> rows(total);
  std::iota(rows.begin(), rows.end(), size_t(0));
  if (n <= 0 || size_t(n) >= total) return rows;
  Rng rng(seed);
  for (size_t i = 0; i < size_t(n); ++i) std::swap(rows[i], rows[i + rng.below(total - i)]);  // partial Fisher-Yates
  rows.resize(size_t(n));
  std::sort(rows.begin(), rows.end());
  return rows;
}

}  // namespace llactr::methods

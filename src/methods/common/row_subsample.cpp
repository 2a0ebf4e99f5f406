#include "llactr/methods/common/row_subsample.h"

#include <algorithm>
#include <numeric>
#include <utility>

#include "llactr/tensor/shuffle.h"
#include "llactr/tensor/rng.h"

namespace llactr::methods {

std::vector<size_t> subsample_rows(size_t total, int64_t n, uint64_t seed) {
  std::vector<size_t> rows(total);
  std::iota(rows.begin(), rows.end(), size_t(0));
  if (n <= 0 || size_t(n) >= total) return rows;
  Rng rng(seed);
  seeded_shuffle_prefix(rows, size_t(n), rng);
  rows.resize(size_t(n));
  std::sort(rows.begin(), rows.end());
  return rows;
}

data::Split subsample_split(const data::Split& s, int64_t n, uint64_t seed) {
  data::Split out;
  out.num_fields = s.num_fields;
  out.dense_dim = s.dense_dim;
  for (size_t i : subsample_rows(s.size(), n, seed)) out.append_row(s, i);
  return out;
}

}  // namespace llactr::methods

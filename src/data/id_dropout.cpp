#include "llactr/data/id_dropout.h"

namespace llactr::data {

void drop_ids(Batch& batch, const std::vector<std::pair<int, int32_t>>& columns, float p, Rng& rng) {
  const size_t N = size_t(batch.num_fields);
  for (size_t g = 0; g < batch.global_rows(); ++g) {
    const bool drop = rng.uniform() < p;
    if (!drop || g < batch.first_row || g >= batch.first_row + batch.size) continue;
    const size_t b = g - batch.first_row;
    for (const auto& [column, oov] : columns) batch.ids[b * N + size_t(column)] = oov;
  }
}

}  // namespace llactr::data

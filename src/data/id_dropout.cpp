#include "llactr/data/id_dropout.h"

namespace llactr::data {

void drop_ids(Batch& batch, const std::vector<std::pair<int, int32_t>>& columns, float p, Rng& rng) {
  const size_t N = size_t(batch.num_fields);
  for (size_t b = 0; b < batch.size; ++b)
    if (rng.uniform() < p)
      for (const auto& [column, oov] : columns) batch.ids[b * N + size_t(column)] = oov;
}

}  // namespace llactr::data

#include "llactr/nn/embedding.h"

#include "llactr/nn/init.h"
#include "llactr/tensor/ops.h"

namespace llactr {

Embedding::Embedding(int64_t vocab, int64_t dim, float std, Rng& rng, const std::string& name) {
  Tensor init({vocab, dim});
  init::normal(init, rng, std);
  table = embedding_table(std::move(init), name);
}

Var Embedding::forward(const int32_t* ids, int64_t rows, int64_t cols) const {
  return gather_rows(table, ids, rows * cols, {rows, cols});
}

}  // namespace llactr

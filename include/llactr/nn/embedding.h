// An embedding table over global feature ids, rows initialised N(0, std²) (FuxiCTR: std 1e-4).
// Its gradient is row-sparse (see embedding_table in tensor/ops.h).
#pragma once
#include <string>

#include "llactr/tensor/autograd.h"

namespace llactr {

class Rng;

struct Embedding {
  Var table;  // [V, D]

  Embedding() = default;
  Embedding(int64_t vocab, int64_t dim, float std, Rng& rng, const std::string& name);

  // ids: [rows, cols] row-major, each in [0, V) -> [rows, cols, D]
  Var forward(const int32_t* ids, int64_t rows, int64_t cols) const;
  int64_t vocab() const { return table.dim(0); }
  int64_t dim() const { return table.dim(1); }
};

}  // namespace llactr

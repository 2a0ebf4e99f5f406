// Embedding lookup. Forward copies rows of the table; backward adds each output row's
// gradient into the row it came from (rows gathered twice receive both gradients).
#include <cstring>

#include "llactr/tensor/ops.h"

namespace llactr {

Var embedding_table(Tensor init, std::string name) {
  if (init.rank() != 2) throw std::invalid_argument("embedding_table: need [V, D], got " + shape_str(init.shape()));
  Var t = parameter(std::move(init), std::move(name));
  t.node()->sparse_rows = true;
  return t;
}

Var gather_rows(const Var& table, const int32_t* ids, int64_t n, const Shape& out_prefix) {
  const Shape& st = table.shape();
  if (st.size() != 2) shape_error("gather_rows", st, {n}, "(table, ids): table must be [V, D]");
  if (!out_prefix.empty() && shape_numel(out_prefix) != n) shape_error("gather_rows", out_prefix, {n}, "(out_prefix, n ids) differ in size");
  int64_t V = st[0], D = st[1];
  for (int64_t i = 0; i < n; ++i)
    if (ids[i] < 0 || ids[i] >= V)
      throw std::invalid_argument("gather_rows: id " + std::to_string(ids[i]) + " at position " + std::to_string(i) +
                                  " is outside the table's " + std::to_string(V) + " rows");
  Shape out_shape = out_prefix.empty() ? Shape{n} : out_prefix;
  out_shape.push_back(D);
  Tensor out = Tensor::uninitialized(out_shape);  // E: [n, D]
  const float* T = table.value().data();
#pragma omp parallel for if (n * D > (1 << 15))
  for (int64_t i = 0; i < n; ++i) std::memcpy(out.data() + i * D, T + ids[i] * D, sizeof(float) * D);

  std::vector<int32_t> saved(ids, ids + n);
  return make_result(std::move(out), {table}, [table, saved = std::move(saved), D](Node& self) {
    Node& t = *table.node();
    float* G = grad_buffer(t).data();
    const float* dE = self.grad.data();
    // Serial: repeated ids would race, and a fixed order keeps the sums bit-reproducible.
    for (size_t i = 0; i < saved.size(); ++i) {
      float* g = G + saved[i] * D;
      for (int64_t d = 0; d < D; ++d) g[d] += dE[i * D + d];
      if (t.sparse_rows) t.mark_row(saved[i]);
    }
  });
}

}  // namespace llactr

// Embedding lookup. Forward copies rows of the table; backward adds each output row's
// gradient into the row it came from (rows gathered twice receive both gradients).
#include <omp.h>

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
    const int64_t n = int64_t(saved.size());
    // Repeated ids must not race, and each row's sum must be taken in a fixed order. So each
    // thread owns the table rows of every T-th block of 16 rows (blocks keep small rows, e.g. the
    // [V, 1] first-order weights, from sharing cache lines between threads), scans all ids and
    // adds, in batch order, those it owns: the same sums as a serial loop, for any thread count.
#pragma omp parallel if (n * D > (1 << 15))
    {
      const int64_t T = omp_get_num_threads(), me = omp_get_thread_num();
      for (int64_t i = 0; i < n; ++i) {
        if ((saved[size_t(i)] >> 4) % T != me) continue;
        float* g = G + saved[size_t(i)] * D;
        for (int64_t d = 0; d < D; ++d) g[d] += dE[i * D + d];
      }
    }
    if (t.sparse_rows)
      for (int32_t id : saved) t.mark_row(id);
  });
}

}  // namespace llactr

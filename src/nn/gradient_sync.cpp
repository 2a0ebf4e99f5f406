#include "llactr/nn/gradient_sync.h"

#include <stdexcept>
#include <string>

namespace llactr {

namespace {

// The lazily exchanged tables: embedding tables under SparseUpdate::Lazy.
bool sent_by_rows(const Node& n, SparseUpdate update) { return n.sparse_rows && update == SparseUpdate::Lazy; }

int64_t row_width(const Node& n) { return n.value.numel() / n.value.dim(0); }

}  // namespace

float sync_gradients(const std::vector<Var>& params, SparseUpdate update, double weight, float loss,
                     Communicator& comm) {
  if (comm.size() == 1) return loss;
  const float w = float(weight);

  // flat = [w·loss, then per parameter: reached (0/1), and unless sent by rows its w·gradient].
  // rows: per lazily sent table, its touched row count, then the rows' ids; row_grads: their w·gradients.
  std::vector<float> flat{w * loss};
  std::vector<int32_t> rows;
  std::vector<float> row_grads;
  for (const Var& p : params) {
    const Node& n = *p.node();
    const bool reached = !n.grad.empty();
    flat.push_back(reached ? 1.0f : 0.0f);
    if (sent_by_rows(n, update)) {
      const int64_t D = row_width(n);
      rows.push_back(int32_t(reached ? n.touched_rows.size() : 0));
      if (!reached) continue;
      for (int32_t r : n.touched_rows) {
        rows.push_back(r);
        const float* g = n.grad.data() + r * D;
        for (int64_t j = 0; j < D; ++j) row_grads.push_back(w * g[j]);
      }
    } else if (reached) {
      const float* g = n.grad.data();
      for (int64_t j = 0; j < n.grad.numel(); ++j) flat.push_back(w * g[j]);
    } else {
      flat.resize(flat.size() + size_t(n.value.numel()), 0.0f);
    }
  }

  comm.allreduce_sum(flat.data(), flat.size());
  std::vector<size_t> row_counts, grad_counts;
  std::vector<int32_t> all_rows;
  std::vector<float> all_row_grads;
  if (!rows.empty()) {
    all_rows = comm.allgatherv(rows, &row_counts);
    all_row_grads = comm.allgatherv(row_grads, &grad_counts);
  }

  // Every rank now holds the same numbers; each unpacks them the same way.
  size_t k = 1;
  for (const Var& p : params) {
    Node& n = *p.node();
    const bool reached = flat[k++] > 0.0f;
    if (sent_by_rows(n, update)) {
      if (reached) zero_grad({p});  // this rank's rows are in the gathered ones, with everyone's
      continue;
    }
    if (!reached) {
      k += size_t(n.value.numel());
      continue;
    }
    float* g = grad_buffer(n).data();
    for (int64_t j = 0; j < n.grad.numel(); ++j) g[j] = flat[k++];
    // A dense table's summed gradient may be non-zero in any row another rank touched: count
    // every row as touched, so that clip_grad_norm reads and zero_grad clears them all.
    if (n.sparse_rows)
      for (int32_t r = 0; r < int32_t(n.value.dim(0)); ++r) n.mark_row(r);
  }

  // The gathered rows, rank by rank, table by table in parameter order.
  size_t at = 0, at_grad = 0;
  for (size_t q = 0; q < row_counts.size(); ++q) {
    for (const Var& p : params) {
      Node& n = *p.node();
      if (!sent_by_rows(n, update)) continue;
      const int64_t D = row_width(n);
      const int32_t count = all_rows[at++];
      if (count > 0) grad_buffer(n);
      for (int32_t i = 0; i < count; ++i) {
        const int32_t r = all_rows[at++];
        n.mark_row(r);
        float* g = n.grad.data() + r * D;
        for (int64_t j = 0; j < D; ++j) g[j] += all_row_grads[at_grad++];
      }
    }
  }
  if (at != all_rows.size() || at_grad != all_row_grads.size())
    throw std::logic_error("sync_gradients: the ranks' parameter lists differ (" + std::to_string(all_rows.size()) +
                           " row entries gathered, " + std::to_string(at) + " read)");
  return flat[0];
}

}  // namespace llactr

#include "llactr/ctr/first_order.h"

#include "llactr/tensor/ops.h"

namespace llactr {

FirstOrder::FirstOrder(int64_t vocab, float std, bool use_bias, Rng& rng, const std::string& name)
    : w(vocab, 1, std, rng, name + ".w") {
  if (use_bias) bias = parameter(Tensor({1}, 0.0f), name + ".bias");
}

Var FirstOrder::forward(const int32_t* ids, int64_t B, int64_t N, Var* weights) const {
  Var wb = reshape(w.forward(ids, B, N), {B, N});  // [B, N]
  if (weights) *weights = wb;
  Var y = sum(wb, 1);  // [B]
  return bias ? add(y, bias) : y;
}

std::vector<Var> FirstOrder::parameters() const {
  if (bias) return {w.table, bias};
  return {w.table};
}

}  // namespace llactr

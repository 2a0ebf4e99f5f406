#include "llactr/ctr/factorization_machine_block.h"

#include "llactr/ctr/interactions.h"
#include "llactr/nn/init.h"
#include "llactr/tensor/ops.h"
#include "llactr/tensor/rng.h"

namespace llactr {

FactorizationMachineBlock::FactorizationMachineBlock(int64_t num_fields, int64_t project_dim,
                                                     const std::vector<int64_t>& hidden, int64_t out_dim,
                                                     LinearInit init, Rng& rng, const std::string& name) {
  const int64_t N = num_fields, k = project_dim;
  Tensor p({N, k});
  init::normal(p, rng, 1.0f);
  P = parameter(std::move(p), name + ".P");
  norm = LayerNorm(N * k, name + ".norm");
  MlpOptions o;
  o.hidden = hidden;
  o.output_dim = out_dim;
  o.init = init;
  mlp = Mlp(N * k, o, rng, name + ".mlp");
}

Var FactorizationMachineBlock::forward(const Var& X, const ForwardContext& ctx) const {
  // The N×N interaction matrix X Xᵀ, never formed, projected to rank k: X (Xᵀ P).
  Var F = fmb_interaction(X, P);  // [B, N·k]
  return relu(mlp.forward(norm.forward(F), ctx.training, ctx.rng));  // [B, out_dim]
}

std::vector<Var> FactorizationMachineBlock::parameters() const {
  std::vector<Var> ps{P};
  for (const auto& part : {norm.parameters(), mlp.parameters()}) ps.insert(ps.end(), part.begin(), part.end());
  return ps;
}

}  // namespace llactr

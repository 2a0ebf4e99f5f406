#include "llactr/methods/llactr/llactr.h"

#include <cmath>
#include <stdexcept>

#include "llactr/ctr/backbone.h"
#include "llactr/ctr/interactions.h"
#include "llactr/nn/init.h"
#include "llactr/tensor/ops.h"

namespace llactr::methods {

FieMode parse_fie_mode(const std::string& s) {
  if (s == "per-sample") return FieMode::PerSample;
  if (s == "released") return FieMode::Released;
  throw std::invalid_argument("--llactr-fie-mode must be per-sample or released, not '" + s + "'");
}

const char* fie_mode_name(FieMode m) { return m == FieMode::PerSample ? "per-sample" : "released"; }

namespace {

// The rows of H [K', d] reordered to the schema's fields: [K, d].
Tensor rows_in_schema_order(const data::Schema& schema, const std::vector<std::string>& names,
                            const std::vector<float>& H, int d) {
  if (d <= 0 || H.size() != names.size() * size_t(d))
    throw std::invalid_argument("LLaCTR: field embeddings hold " + std::to_string(H.size()) + " values, expected " +
                                std::to_string(names.size()) + " fields x d = " + std::to_string(d));
  const int K = schema.num_fields();
  Tensor out({K, d});
  for (int k = 0; k < K; ++k) {
    const std::string& want = schema.fields[size_t(k)].name;
    size_t row = 0;
    while (row < names.size() && names[row] != want) ++row;
    if (row == names.size()) {
      std::string have;
      for (const std::string& n : names) have += (have.empty() ? "" : ", ") + n;
      throw std::invalid_argument("LLaCTR: no field embedding for field '" + want + "' (the embeddings have: " + have +
                                  "); recompute them for this dataset's schema");
    }
    for (int j = 0; j < d; ++j) out[int64_t(k) * d + j] = H[row * size_t(d) + size_t(j)];
  }
  return out;
}

// s_p = cos(h_i, h_j) for the pairs (i, j), i < j, in row-major upper-triangle order
// (the order of field_weighted_interaction's weights).   H: [K, d] -> s: [C]
Tensor pair_cosines(const Tensor& H) {
  const int64_t K = H.dim(0);
  auto M = H.mat();
  Tensor s({num_pairs(K)});
  int64_t p = 0;
  for (int64_t i = 0; i < K; ++i)
    for (int64_t j = i + 1; j < K; ++j) {
      // Computed in double: the similarities of an untuned small LLM can be close to 1.
      double dot = 0, ni = 0, nj = 0;
      for (int64_t t = 0; t < M.cols(); ++t) {
        dot += double(M(i, t)) * M(j, t);
        ni += double(M(i, t)) * M(i, t);
        nj += double(M(j, t)) * M(j, t);
      }
      if (ni == 0 || nj == 0) throw std::invalid_argument("LLaCTR: a field embedding is all zeros (no direction)");
      s[p++] = float(dot / std::sqrt(ni * nj));
    }
  return s;
}

Var new_parameter(Shape shape, const std::string& name) { return parameter(Tensor(std::move(shape)), name); }

}  // namespace

LlactrEnhancer::LlactrEnhancer(const data::Schema& schema, const std::vector<std::string>& field_names,
                               const std::vector<float>& H, int d, const std::string& backbone, int embedding_dim,
                               const LlactrOptions& options, Rng& rng)
    : opt_(options),
      constant_fie_(options.fie_mode == FieMode::Released && backbone_entry(backbone).released_fie_constant),
      H_(rows_in_schema_order(schema, field_names, H, d)) {
  const int64_t K = H_.dim(0), C = num_pairs(K);
  if (K < 2 && opt_.lambda_fie != 0) throw std::invalid_argument("LLaCTR: FIE needs at least two fields");
  s_ = pair_cosines(H_);
  // As the released code: nn.Linear(d, D) then nn.Linear(C, C), both with PyTorch's default init.
  W_ = new_parameter({embedding_dim, d}, "llactr.W");
  b_ = new_parameter({embedding_dim}, "llactr.b");
  A_ = new_parameter({C, C}, "llactr.A");
  c_ = new_parameter({C}, "llactr.c");
  init::torch_linear(W_.value(), b_.value(), rng);
  init::torch_linear(A_.value(), c_.value(), rng);
  // Frozen: no gradient is computed for them at all (nothing would ever apply or clear it).
  if (opt_.frozen_adapters)
    for (const Var& p : adapters()) p.node()->requires_grad = false;
}

void LlactrEnhancer::check_fields(const Var& E) const {
  if (E.shape().size() != 3 || E.dim(1) != H_.dim(0))
    throw std::invalid_argument("LLaCTR: embeddings " + shape_str(E.shape()) + " do not have the " +
                                std::to_string(H_.dim(0)) + " fields of the field embeddings");
}

std::vector<Var> LlactrEnhancer::parameters() {
  if (opt_.frozen_adapters) return {};
  return adapters();
}

Var LlactrEnhancer::adapted_similarities() const {
  return linear(constant(s_), A_, c_);  // s̃ = A·s + c: [C]
}

Var LlactrEnhancer::fre_loss(const Var& E) const {
  // E: [B, K, D].  G = H·Wᵀ + b: [K, D]; target t = softmax(G) per field.
  check_fields(E);
  const int64_t K = E.dim(1), D = E.dim(2);
  Var target = softmax(linear(constant(H_), W_, b_));  // [K, D]
  // KL is linear in log p, so (1/B) Σ_b KL(t ‖ p_b) = KL-sum of t against the batch mean of log p_b:
  // one kl_div of batch size 1 over [K, D] instead of broadcasting t to [B, K, D].
  Var mean_log_p = mean(log_softmax(E), 0);  // [K, D]
  return kl_div(reshape(mean_log_p, {1, K, D}), reshape(target, {1, K, D}));
}

Var LlactrEnhancer::fie_logit(const Var& E) const {
  // E: [B, K, D] -> [B]
  check_fields(E);
  Var s_tilde = adapted_similarities();  // [C]
  if (constant_fie_) {
    // The released code's constant for this backbone (its row's released_fie_constant): Σ_p s̃_p,
    // the same for every sample.
    return mul(constant(Tensor({E.dim(0)}, 1.0f)), sum_all(s_tilde));
  }
  return sum(field_weighted_interaction(E, s_tilde), 1);  // Σ_p s̃_p ⟨e_bi, e_bj⟩
}

Var LlactrEnhancer::extra_logit(const Var& E, const data::Batch&) {
  if (opt_.lambda_fie == 0) return Var();
  return mul_scalar(fie_logit(E), opt_.lambda_fie);
}

Var LlactrEnhancer::extra_loss(const Var& E, const Var&, const Var&, const data::Batch&) {
  if (opt_.lambda_fre == 0) return Var();
  return mul_scalar(fre_loss(E), opt_.lambda_fre);
}

}  // namespace llactr::methods

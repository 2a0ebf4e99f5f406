// LLaCTR stages 2 and 3 (arXiv 2505.14057): field embeddings H from the LLM enhance a CTR
// backbone through two terms, plugged into the trainer as an Enhancer (docs/LLACTR.md).
//
//   FRE  g_k = W·h_k + b                                  W: [D, d], b: [D]  ->  G: [K, D]
//        L_FRE = (1/B) Σ_b Σ_k KL(softmax(g_k) ‖ softmax(e_bk))   (PyTorch kl_div batchmean)
//        loss  = BCE + λ_FRE·L_FRE
//   FIE  s_p = cos(h_i, h_j) for the pairs p = (i, j), i < j     s: [C], C = K(K−1)/2
//        s̃ = A·s + c                                            A: [C, C], c: [C]
//        y_FIE = Σ_p s̃_p ⟨e_bi, e_bj⟩                            -> [B]
//        logit += λ_FIE·y_FIE
//
//   LlactrEnhancer llactr(d.schema, h.fields, h.H, h.dim, backbone, 32, LlactrOptions{}, init_rng);
//   train(*model, d.train, d.valid, tc, &llactr);
//   evaluate(*model, d.test, d.schema.user_field, 4096, &llactr);
#pragma once
#include <string>
#include <vector>

#include "llactr/ctr/trainer.h"
#include "llactr/data/schema.h"

namespace llactr::methods {

enum class FieMode {
  PerSample,  // y_FIE as above, on every backbone (the paper's equation)
  Released,   // as the released code: the backbones whose row says released_fie_constant
              // (ctr/backbone.h) add the constant λ_FIE·Σ_p s̃_p instead
};
FieMode parse_fie_mode(const std::string& s);  // "per-sample" or "released"; throws otherwise
const char* fie_mode_name(FieMode m);

struct LlactrOptions {
  float lambda_fre = 0.1f;
  float lambda_fie = 0.1f;
  FieMode fie_mode = FieMode::PerSample;
  // The released code creates W, b, A, c after handing the parameters to the optimiser, so they
  // keep their random initialisation; true reproduces that.
  bool frozen_adapters = false;
};

class LlactrEnhancer : public Enhancer {
 public:
  // field_names [K'] and H [K', d] (row-major) may list the fields in any order and may hold
  // fields the schema lacks; every schema field must be among them (std::invalid_argument
  // naming the missing field otherwise). `backbone` names a row of the backbone table, whose
  // released_fie_constant the released FIE mode reads (std::invalid_argument for an unknown one).
  // Draws W, b, then A, c from rng as torch.nn.Linear does.
  LlactrEnhancer(const data::Schema& schema, const std::vector<std::string>& field_names, const std::vector<float>& H,
                 int d, const std::string& backbone, int embedding_dim, const LlactrOptions& options, Rng& rng);

  std::vector<Var> parameters() override;  // W, b, A, c; none with frozen adapters
  Var extra_logit(const Var& E, const data::Batch& batch) override;                // λ_FIE·y_FIE: [B]
  Var extra_loss(const Var& E, const Var& h, const Var& y, const data::Batch& batch) override;  // λ_FRE·L_FRE: []

  // The terms without λ, for tests and inspection.
  Var fre_loss(const Var& E) const;      // E: [B, K, D] -> L_FRE []
  Var fie_logit(const Var& E) const;     // E: [B, K, D] -> y_FIE [B] (the constant, broadcast, in released mode)
  Var adapted_similarities() const;      // s̃: [C]
  const Tensor& similarities() const { return s_; }  // s: [C]
  const Tensor& field_embeddings() const { return H_; }  // H: [K, d] in schema order
  std::vector<Var> adapters() const { return {W_, b_, A_, c_}; }
  const LlactrOptions& options() const { return opt_; }

 private:
  void check_fields(const Var& E) const;  // E must be [B, K, D]

  LlactrOptions opt_;
  bool constant_fie_;  // released mode on a backbone for which the released code adds a constant
  Tensor H_;           // [K, d]
  Tensor s_;           // [C] cosine similarities of H's rows, pairs in row-major upper-triangle order
  Var W_, b_;          // [D, d], [D]
  Var A_, c_;          // [C, C], [C]
};

}  // namespace llactr::methods

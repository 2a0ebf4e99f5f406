// Optimisers: SGD, Adam (coupled L2, as torch.optim.Adam) and AdamW (decoupled, as torch.optim.AdamW).
//
// An optimiser owns a list of parameters and their per-element state (momentum, moments).
// Usage per batch:   loss = ...; backward(loss); opt.step(); opt.zero_grad();
//
// Embedding tables (made by embedding_table(), Node::sparse_rows) have two update modes:
//  - SparseUpdate::Lazy: only rows that received gradient since the last zero_grad are updated;
//    the state of other rows is left as is (TensorFlow LazyAdam, torch SparseAdam).
//  - SparseUpdate::Dense: the table is updated like any parameter, every row every step
//    (torch.optim.Adam on a dense nn.Embedding: untouched rows' moments keep decaying and
//    still move them).
// step() must run before zero_grad(), which forgets which rows were touched.
// docs/OPTIM.md has the exact update equations.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "llactr/tensor/autograd.h"

namespace llactr {

enum class SparseUpdate { Lazy, Dense };

class Optimizer {
 public:
  // Throws std::invalid_argument for an empty Var, a parameter that does not require grad, or lr < 0.
  Optimizer(std::vector<Var> params, float lr, SparseUpdate sparse);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter that has a gradient buffer (parameters never reached by
  // backward have none and are skipped, like PyTorch's grad=None).
  virtual void step() = 0;
  void zero_grad() { llactr::zero_grad(params_); }

  float lr() const { return lr_; }
  void set_lr(float lr);
  const std::vector<Var>& params() const { return params_; }
  SparseUpdate sparse_update() const { return sparse_; }

 protected:
  // Calls f(begin, end) on the element ranges of parameter i that this step updates: every
  // touched row of a lazily updated embedding table, otherwise the whole tensor in chunks.
  // Ranges are disjoint, so they run in parallel; each element's update is independent,
  // so the result does not depend on the thread count.
  template <class F>
  void for_each_range(size_t i, F&& f);

  std::vector<Var> params_;
  float lr_;
  SparseUpdate sparse_;
};

struct SgdOptions {
  float lr = 0.01f;
  float momentum = 0.0f;
  float weight_decay = 0.0f;  // coupled L2: g += wd·p
  SparseUpdate sparse = SparseUpdate::Dense;  // as torch.optim.SGD and the trainer's default
};

// torch.optim.SGD with dampening = 0, nesterov = false.
class Sgd : public Optimizer {
 public:
  Sgd(std::vector<Var> params, SgdOptions opt);
  void step() override;

 private:
  SgdOptions opt_;
  std::vector<std::vector<float>> momentum_;  // one buffer per parameter (empty when momentum = 0)
};

struct AdamOptions {
  float lr = 1e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 0.0f;
  SparseUpdate sparse = SparseUpdate::Dense;  // as torch.optim.Adam and the trainer's default
};

// torch.optim.Adam: weight decay is an L2 term added to the gradient before the moments.
class Adam : public Optimizer {
 public:
  Adam(std::vector<Var> params, AdamOptions opt);
  void step() override;
  int64_t steps_taken(size_t param_index) const { return steps_[param_index]; }

  // Parameter i's own weight decay (torch's parameter groups: e.g. 0 for norms and biases,
  // AdamOptions::weight_decay for matrices). Throws std::invalid_argument for wd < 0 or a bad index.
  void set_weight_decay(size_t param_index, float wd);
  float weight_decay(size_t param_index) const { return weight_decay_[param_index]; }

  // Parameter i's state (its step count for the bias corrections, and both moments), for
  // checkpoints: restoring what state() returned continues the run bit for bit. restore()
  // throws std::invalid_argument when the moments' sizes are not the parameter's.
  struct ParamState {
    int64_t steps = 0;
    std::vector<float> m, v;  // [numel] each
  };
  ParamState state(size_t param_index) const;
  void restore(size_t param_index, ParamState s);

 protected:
  Adam(std::vector<Var> params, AdamOptions opt, bool decoupled);

 private:
  AdamOptions opt_;
  bool decoupled_;
  std::vector<int64_t> steps_;  // per parameter, for bias correction (as PyTorch's state['step'])
  std::vector<float> weight_decay_;  // per parameter (opt.weight_decay unless set_weight_decay)
  std::vector<std::vector<float>> m_, v_;
};

// torch.optim.AdamW: weight decay shrinks the parameter directly (p -= lr·wd·p) and never
// enters the moments. PyTorch's default weight_decay for AdamW is 0.01.
class AdamW : public Adam {
 public:
  AdamW(std::vector<Var> params, AdamOptions opt) : Adam(std::move(params), opt, true) {}
};

// ---- implementation of the template

template <class F>
void Optimizer::for_each_range(size_t i, F&& f) {
  constexpr int64_t kChunk = 1 << 14;       // elements per task on dense tensors
  constexpr int64_t kParallelMin = 1 << 16; // below this, threads cost more than they save
  Node& n = *params_[i].node();
  if (n.sparse_rows && sparse_ == SparseUpdate::Lazy) {
    const int64_t D = n.value.numel() / n.value.dim(0);
    const std::vector<int32_t>& rows = n.touched_rows;
    const int64_t R = static_cast<int64_t>(rows.size());
#pragma omp parallel for if (R * D > kParallelMin)
    for (int64_t k = 0; k < R; ++k) f(rows[k] * D, rows[k] * D + D);
  } else {
    const int64_t N = n.value.numel();
    const int64_t chunks = (N + kChunk - 1) / kChunk;
#pragma omp parallel for if (N > kParallelMin)
    for (int64_t c = 0; c < chunks; ++c) f(c * kChunk, std::min(N, (c + 1) * kChunk));
  }
}

}  // namespace llactr

// The differentiable ops. Each takes and returns Vars; each file in src/tensor/ops_*.cpp
// holds one family, with the forward and, beside it, the backward and its derivative.
//
// Shapes: a mismatch throws std::invalid_argument naming the op and both shapes.
// Broadcasting (add/sub/mul/div) follows NumPy: shapes align at the last axis, and a
// dimension of 1, or a missing leading dimension, stretches to match.
#pragma once
#include <cstdint>
#include <vector>

#include "llactr/tensor/autograd.h"

namespace llactr {

class Rng;

// ---- products (ops_product.cpp)
// a: [M, K] (or [K, M] if trans_a), b: [K, N] (or [N, K] if trans_b) -> [M, N].
// a may have leading batch dims when b is 2-D: [.., M, K] x [K, N] -> [.., M, N].
Var matmul(const Var& a, const Var& b, bool trans_a = false, bool trans_b = false);
// Batched: a [Bt, M, K], b [Bt, K, N] (each optionally transposed in its last two dims) -> [Bt, M, N].
Var bmm(const Var& a, const Var& b, bool trans_a = false, bool trans_b = false);
// x: [.., in], W: [out, in], b: [out] or empty Var -> [.., out]   (y = x Wᵀ + b)
Var linear(const Var& x, const Var& W, const Var& b = Var());
// relu(linear(x, W, b)) in one node: the ReLU is applied in place on the product, and its
// backward masks dy before the two products, so no [.., out] pre-activation tensor or its
// gradient is stored (an MLP layer's usual pair).
Var linear_relu(const Var& x, const Var& W, const Var& b = Var());

// ---- elementwise (ops_elementwise.cpp)
Var add(const Var& a, const Var& b);
Var sub(const Var& a, const Var& b);
Var mul(const Var& a, const Var& b);
Var div(const Var& a, const Var& b);
Var add_scalar(const Var& a, float s);
Var mul_scalar(const Var& a, float s);
Var neg(const Var& a);
Var square(const Var& a);

// ---- reductions (ops_reduce.cpp)
Var sum(const Var& x, int axis, bool keepdim = false);
Var mean(const Var& x, int axis, bool keepdim = false);
Var sum_all(const Var& x);   // -> []
Var mean_all(const Var& x);  // -> []

// ---- shape (ops_shape.cpp)
Var reshape(const Var& x, Shape shape);  // same number of elements; one dim may be -1
Var transpose(const Var& x);             // swaps the last two dims
Var concat(const std::vector<Var>& xs, int axis);
Var slice(const Var& x, int axis, int64_t start, int64_t length);

// ---- embedding lookup (ops_gather.cpp)
// table: [V, D], ids: n row indices in [0, V) -> [n, D], reshaped to out_shape + [D] when
// given. The gradient is scattered into only the rows that were gathered; a table made by
// embedding_table() tracks those rows so zero_grad and lazy optimisers visit only them.
Var gather_rows(const Var& table, const int32_t* ids, int64_t n, const Shape& out_prefix = {});
Var embedding_table(Tensor init, std::string name = "");

// ---- activations (ops_activation.cpp)
Var relu(const Var& x);
Var leaky_relu(const Var& x, float slope = 0.01f);
Var sigmoid(const Var& x);
Var tanh(const Var& x);
Var silu(const Var& x);
// silu(gate) ⊙ up in one node: llama's SwiGLU, without a stored silu(gate) or its gradient.
// gate, up: the same shape -> that shape. Its sigmoid is fast_sigmoid (fast_exp.h).
Var swiglu(const Var& gate, const Var& up);
Var gelu(const Var& x);  // exact: x·Φ(x), as PyTorch's default
Var exp(const Var& x);
Var log(const Var& x);
Var softmax(const Var& x);      // over the last axis
Var log_softmax(const Var& x);  // over the last axis

// ---- normalisation and dropout (ops_norm.cpp)
// Over the last axis: x [.., D], gamma/beta [D].
Var layer_norm(const Var& x, const Var& gamma, const Var& beta, float eps = 1e-5f);
Var rms_norm(const Var& x, const Var& gamma, float eps = 1e-6f);
// Inverted dropout: keeps each element with probability 1-p and scales it by 1/(1-p).
// The mask comes from `rng`, drawn in element order, so it does not depend on threads.
Var dropout(const Var& x, float p, Rng& rng, bool training);
// The multipliers dropout draws: 1/(1-p) with probability 1-p, else 0, in element order.
Tensor dropout_mask(const Shape& shape, float p, Rng& rng);

// ---- losses and similarities (ops_loss.cpp)
// logits, targets: same shape; mean over all elements. Stable for large |logits|.
Var bce_with_logits(const Var& logits, const Tensor& targets);
// PyTorch kl_div(log_p, t, reduction='batchmean'): Σ t·(log t − log_p) / log_p.dim(0), with 0·log 0 = 0.
Var kl_div(const Var& log_p, const Var& target);
// Cosine similarity along the last axis: [.., D] x [.., D] -> [..]; norms clamped below by eps.
Var cosine_similarity(const Var& a, const Var& b, float eps = 1e-8f);
// x / max(‖x‖, eps) along the last axis (PyTorch F.normalize(x, dim=-1)).
Var l2_normalize(const Var& x, float eps = 1e-12f);
// logits: [M, C], targets: M class ids in [0, C) -> mean of −log softmax(logits)[target] over the
// rows whose target is not negative (a negative target marks a row to ignore, e.g. padding).
Var cross_entropy(const Var& logits, const std::vector<int32_t>& targets);
Var mse(const Var& a, const Var& b);  // mean of (a − b)²

}  // namespace llactr

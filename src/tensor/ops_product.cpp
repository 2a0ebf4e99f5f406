// Matrix products. For C = op(A)·op(B) the backward is
//   dA = dC · op(B)ᵀ   (stored-transposed A: dA = op(B) · dCᵀ)
//   dB = op(A)ᵀ · dC   (stored-transposed B: dB = dCᵀ · op(A))
#include <omp.h>

#include <algorithm>

#include "llactr/tensor/gemm.h"
#include "llactr/tensor/ops.h"

namespace llactr {

namespace {

// Accumulate the gradients of C[M,N] = op(A)[M,K] · op(B)[K,N] into gA and gB (either may be null).
// (A fresh gradient buffer is zero-filled by grad_buffer; assigning with β = 0 instead would save
// nothing, since gemm() implements β = 0 as a zero-fill too.)
template <class Gemm>
void matmul_backward(Gemm gemm_fn, bool ta, bool tb, int64_t M, int64_t N, int64_t K, const float* A, const float* B,
                     const float* dC, float* gA, float* gB) {
  if (gA) {
    if (!ta) gemm_fn(false, !tb, M, K, N, 1.0f, dC, B, 1.0f, gA);  // [M,K] = dC[M,N] · op(B)ᵀ
    else gemm_fn(tb, true, K, M, N, 1.0f, B, dC, 1.0f, gA);        // [K,M] = op(B)[K,N] · dCᵀ
  }
  if (gB) {
    if (!tb) gemm_fn(!ta, false, K, N, M, 1.0f, A, dC, 1.0f, gB);  // [K,N] = op(A)ᵀ · dC
    else gemm_fn(true, ta, N, K, M, 1.0f, dC, A, 1.0f, gB);        // [N,K] = dCᵀ · op(A)
  }
}

float* grad_or_null(const Var& v) { return v.requires_grad() ? grad_buffer(*v.node()).data() : nullptr; }

}  // namespace

Var matmul(const Var& a, const Var& b, bool ta, bool tb) {
  const Shape& sa = a.shape();
  const Shape& sb = b.shape();
  if (sb.size() != 2 || sa.size() < 2 || (ta && sa.size() != 2))
    shape_error("matmul", sa, sb, "need b 2-D and a 2-D (or batched [.., M, K] without trans_a)");
  int64_t K = ta ? sa[0] : sa.back();
  int64_t M = ta ? sa[1] : a.numel() / K;
  int64_t Kb = tb ? sb[1] : sb[0];
  int64_t N = tb ? sb[0] : sb[1];
  if (K != Kb) shape_error("matmul", sa, sb, "have different inner dimensions");

  Shape out_shape = ta ? Shape{M, N} : sa;
  out_shape.back() = N;
  Tensor out = Tensor::uninitialized(out_shape);  // C: [.., M, N]
  gemm(ta, tb, M, N, K, 1.0f, a.value().data(), b.value().data(), 0.0f, out.data());

  return make_result(std::move(out), {a, b}, [a, b, ta, tb, M, N, K](Node& self) {
    matmul_backward(gemm, ta, tb, M, N, K, a.value().data(), b.value().data(), self.grad.data(), grad_or_null(a),
                    grad_or_null(b));
  });
}

Var bmm(const Var& a, const Var& b, bool ta, bool tb) {
  const Shape& sa = a.shape();
  const Shape& sb = b.shape();
  if (sa.size() != 3 || sb.size() != 3 || sa[0] != sb[0]) shape_error("bmm", sa, sb, "need [Bt, M, K] and [Bt, K, N]");
  int64_t Bt = sa[0];
  int64_t M = ta ? sa[2] : sa[1], K = ta ? sa[1] : sa[2];
  int64_t Kb = tb ? sb[2] : sb[1], N = tb ? sb[1] : sb[2];
  if (K != Kb) shape_error("bmm", sa, sb, "have different inner dimensions");

  Tensor out = Tensor::uninitialized({Bt, M, N});
  const float* A = a.value().data();
  const float* B = b.value().data();
  // Many small products: one per thread at a time beats threading each product.
#pragma omp parallel for schedule(static) if (Bt * M * N * K > (1 << 16))
  for (int64_t i = 0; i < Bt; ++i)
    gemm_serial(ta, tb, M, N, K, 1.0f, A + i * M * K, B + i * K * N, 0.0f, out.data() + i * M * N);

  return make_result(std::move(out), {a, b}, [a, b, ta, tb, Bt, M, N, K](Node& self) {
    float* gA = grad_or_null(a);
    float* gB = grad_or_null(b);
    const float* A = a.value().data();
    const float* B = b.value().data();
#pragma omp parallel for schedule(static) if (Bt * M * N * K > (1 << 16))
    for (int64_t i = 0; i < Bt; ++i)
      matmul_backward(gemm_serial, ta, tb, M, N, K, A + i * M * K, B + i * K * N, self.grad.data() + i * M * N,
                      gA ? gA + i * M * K : nullptr, gB ? gB + i * K * N : nullptr);
  });
}

namespace {

// y = x · Wᵀ + b, then max(y, 0) when relu.  x: [.., in], W: [out, in], b: [out] -> y: [.., out]
Var linear_op(const char* op, const Var& x, const Var& W, const Var& b, bool relu) {
  const Shape& sx = x.shape();
  const Shape& sw = W.shape();
  if (sw.size() != 2 || sx.empty() || sx.back() != sw[1]) shape_error(op, sx, sw, "(x, W) need x [.., in], W [out, in]");
  if (b && (b.shape().size() != 1 || b.shape()[0] != sw[0])) shape_error(op, sw, b.shape(), "(W, b) need b [out]");
  int64_t in = sw[1], out_dim = sw[0], M = x.numel() / in;

  Shape out_shape = sx;
  out_shape.back() = out_dim;
  Tensor y = Tensor::uninitialized(out_shape);
  if (b) y.mat(M).rowwise() = b.value().vec().transpose();
  gemm(false, true, M, out_dim, in, 1.0f, x.value().data(), W.value().data(), b ? 1.0f : 0.0f, y.data());
  if (relu) {
    float* Y = y.data();
    const int64_t n = y.numel();
#pragma omp parallel for simd if (n > (1 << 15))
    for (int64_t i = 0; i < n; ++i) Y[i] = std::max(Y[i], 0.0f);
  }

  std::vector<Var> inputs{x, W};
  if (b) inputs.push_back(b);
  return make_result(std::move(y), inputs, [x, W, b, M, in, out_dim, relu](Node& self) {
    // With the ReLU, d(pre) = dy ⊙ [y > 0] (y > 0 exactly where the pre-activation is).
    // dx = d(pre) · W,   dW = d(pre)ᵀ · x,   db = Σ_rows d(pre)
    Tensor masked;
    if (relu) {
      masked = Tensor::uninitialized(self.grad.shape());
      const float *G = self.grad.data(), *Y = self.value.data();
      float* D = masked.data();
      const int64_t n = masked.numel();
#pragma omp parallel for simd if (n > (1 << 15))
      for (int64_t i = 0; i < n; ++i) D[i] = Y[i] > 0.0f ? G[i] : 0.0f;
    }
    const Tensor& dpre = relu ? masked : self.grad;
    const float* dy = dpre.data();
    if (x.requires_grad()) gemm(false, false, M, in, out_dim, 1.0f, dy, W.value().data(), 1.0f, grad_or_null(x));
    if (W.requires_grad()) gemm(true, false, out_dim, in, M, 1.0f, dy, x.value().data(), 1.0f, grad_or_null(W));
    if (b && b.requires_grad()) grad_buffer(*b.node()).vec() += dpre.mat(M).colwise().sum().transpose();
  });
}

}  // namespace

Var linear(const Var& x, const Var& W, const Var& b) { return linear_op("linear", x, W, b, false); }
Var linear_relu(const Var& x, const Var& W, const Var& b) { return linear_op("linear_relu", x, W, b, true); }

}  // namespace llactr

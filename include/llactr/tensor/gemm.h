// One matrix-multiply entry point for the whole code base, with two interchangeable engines:
// Eigen's GEMM and OpenBLAS's cblas_sgemm (the default; gemm.cpp says why).
// docs/PERFORMANCE.md compares them.
#pragma once
#include <cstdint>
#include <string>

namespace llactr {

enum class GemmBackend { Blas, Eigen };
void set_gemm_backend(GemmBackend b);
GemmBackend gemm_backend();
GemmBackend parse_gemm_backend(const std::string& name);  // "eigen" or "openblas"; throws otherwise

// Threads for every OpenMP loop and both GEMM engines.
void set_threads(int n);
// set_threads(n) for its lifetime; then the count before it again, also when an exception leaves
// the scope (a method's LLM stage runs on its own thread count, the CTR training on --threads).
class ScopedThreads {
 public:
  explicit ScopedThreads(int n);
  ~ScopedThreads();
  ScopedThreads(const ScopedThreads&) = delete;
  ScopedThreads& operator=(const ScopedThreads&) = delete;

 private:
  int previous_;
};

// OpenBLAS's build and the kernel it runs ("OpenBLAS 0.3.21 .. DYNAMIC_ARCH .. Haswell .."): the
// kernel follows the CPU, or OPENBLAS_CORETYPE when set, and its sums round differently from
// another's, so results are reproducible only under the same kernel (README, "Reproducibility").
std::string blas_config();

// Row-major C[M, N] = alpha · op(A) · op(B) + beta · C, where op(A) is [M, K]: A is stored
// [M, K], or [K, M] when trans_a. Likewise B is [K, N], or [N, K] when trans_b. With beta = 0,
// C's old values are never read: it may be an unset buffer (Tensor::uninitialized).
// Products under 2^18 multiply-adds run on the calling thread whatever the engine: waking
// threads costs more than such a product.
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          const float* B, float beta, float* C);

// The same product on the calling thread only, for use inside an OpenMP parallel loop.
void gemm_serial(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                 const float* B, float beta, float* C);

}  // namespace llactr

// One matrix-multiply entry point for the whole code base, with two interchangeable engines:
// OpenBLAS's cblas_sgemm (the default) and Eigen's GEMM. Benchmarks compare them.
#pragma once
#include <cstdint>

namespace llactr {

enum class GemmBackend { Blas, Eigen };
void set_gemm_backend(GemmBackend b);
GemmBackend gemm_backend();

// Row-major C[M, N] = alpha · op(A) · op(B) + beta · C, where op(A) is [M, K]: A is stored
// [M, K], or [K, M] when trans_a. Likewise B is [K, N], or [N, K] when trans_b.
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          const float* B, float beta, float* C);

// The same product on the calling thread only, for use inside an OpenMP parallel loop.
void gemm_serial(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                 const float* B, float beta, float* C);

}  // namespace llactr

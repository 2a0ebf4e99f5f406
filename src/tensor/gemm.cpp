#include "llactr/tensor/gemm.h"

#include <cblas.h>
#include <omp.h>

#include <cstring>
#include <stdexcept>

#include "llactr/tensor/tensor.h"

namespace llactr {

namespace {
// OpenBLAS by default. Eigen's parallel GEMM synchronises its two halves often; when the OS
// deschedules one thread (a shared machine), the weight-gradient products (inner dimension =
// batch, tiny output) stalled: a backbone whose step is an MLP of 300, 300, 128 units over 8 fields
// at D = 32, batch 4096, trained at 6.8k samples/s with Eigen vs 25.8k with OpenBLAS on
// ml-1m-u2999 under load (docs/PERFORMANCE.md). Idle threads of both pools should
// sleep rather than spin (apps/thread_wait_policy.h).
GemmBackend g_backend = GemmBackend::Blas;

using Stride = Eigen::OuterStride<>;
using CMap = Eigen::Map<const MatrixRM, 0, Stride>;

void eigen_gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, const float* B,
                float beta, float* C) {
  // Map A and B as stored, then let Eigen apply the transposes lazily.
  CMap a(A, ta ? K : M, ta ? M : K, Stride(ta ? M : K));
  CMap b(B, tb ? N : K, tb ? K : N, Stride(tb ? K : N));
  MatMap c(C, M, N);
  if (beta == 0.0f) c.setZero();
  else if (beta != 1.0f) c *= beta;
  if (ta && tb) c.noalias() += alpha * a.transpose() * b.transpose();
  else if (ta) c.noalias() += alpha * a.transpose() * b;
  else if (tb) c.noalias() += alpha * a * b.transpose();
  else c.noalias() += alpha * a * b;
}
}  // namespace

void set_gemm_backend(GemmBackend b) { g_backend = b; }
GemmBackend gemm_backend() { return g_backend; }

GemmBackend parse_gemm_backend(const std::string& name) {
  if (name == "eigen") return GemmBackend::Eigen;
  if (name == "openblas") return GemmBackend::Blas;
  throw std::invalid_argument("unknown GEMM engine '" + name + "' (eigen or openblas)");
}

void set_threads(int n) {
  if (n < 1) throw std::invalid_argument("threads must be at least 1, got " + std::to_string(n));
  omp_set_num_threads(n);
  openblas_set_num_threads(n);
}

std::string blas_config() { return openblas_get_config(); }

ScopedThreads::ScopedThreads(int n) : previous_(omp_get_max_threads()) { set_threads(n); }
ScopedThreads::~ScopedThreads() { set_threads(previous_); }

void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, const float* B, float beta,
          float* C) {
  if (M == 0 || N == 0) return;
  if (g_backend == GemmBackend::Eigen || M * N * K < (int64_t(1) << 18))
    return eigen_gemm(ta, tb, M, N, K, alpha, A, B, beta, C);
  if (beta == 0.0f) {
    // C may hold anything (an unset buffer). Zeroing it here and accumulating with β = 1 was
    // faster than OpenBLAS's own β = 0 pass: +3% to +6% on the bench_train_step models whose
    // steps are many mid-sized GEMMs.
    std::memset(C, 0, sizeof(float) * size_t(M * N));
    beta = 1.0f;
  }
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, static_cast<int>(M),
              static_cast<int>(N), static_cast<int>(K), alpha, A, static_cast<int>(ta ? M : K), B,
              static_cast<int>(tb ? K : N), beta, C, static_cast<int>(N));
}

void gemm_serial(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, const float* B,
                 float beta, float* C) {
  // Eigen does not start threads inside an OpenMP parallel region; OpenBLAS might.
  if (M == 0 || N == 0) return;
  eigen_gemm(ta, tb, M, N, K, alpha, A, B, beta, C);
}

}  // namespace llactr

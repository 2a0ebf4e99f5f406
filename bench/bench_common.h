// Shared by the bench programs: the machine's two limits, measured in the same process as the
// cases compared with them, and the counters that make that comparison.
//
//   GEMM roofline     best of 3 runs of a 2048³ fp32 GEMM on the default engine (OpenBLAS, all
//                     threads): the practical compute peak of this machine.
//   memory bandwidth  best of 5 STREAM triads a = b + s·c over three 64 MB arrays (all OpenMP
//                     threads), counting 3 × 4 bytes per element as STREAM does.
//
// Each is measured once, on first use. A case states its cost (FLOPs and the bytes it must move
// at least once) beside its code and calls report(); the counters are items/s, GFLOP/s, GB/s,
// roofline_frac = GFLOP/s / roofline and bandwidth_frac = GB/s / bandwidth.
#pragma once
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "llactr/tensor/gemm.h"
#include "llactr/tensor/rng.h"
#include "llactr/tensor/tensor.h"

namespace llactr::bench {

// Wall time of a timed loop, measured beside Google Benchmark's so that the counters can be
// computed in the case itself.
struct LoopClock {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); }
};

inline Tensor random_tensor(const Shape& s, uint64_t seed, float std = 0.1f) {
  Rng rng(seed);
  Tensor t(s);
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = rng.normal(0.0f, std);
  return t;
}

// GFLOP/s of C = A·B for n×n matrices, best of `reps`.
inline double measure_gemm_gflops(int64_t n = 2048, int reps = 3) {
  Tensor A = random_tensor({n, n}, 1), B = random_tensor({n, n}, 2), C({n, n});
  double best = 0;
  for (int r = 0; r < reps; ++r) {
    LoopClock clock;
    gemm(false, false, n, n, n, 1.0f, A.data(), B.data(), 0.0f, C.data());
    best = std::max(best, 2.0 * n * n * n / clock.seconds() / 1e9);
  }
  return best;
}

// One STREAM triad pass a = b + s·c; the arrays are touched first by the same threads.
struct Triad {
  std::vector<float> a, b, c;
  explicit Triad(int64_t n = int64_t(16) << 20) : a(size_t(n)), b(size_t(n)), c(size_t(n)) {
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) a[size_t(i)] = 0, b[size_t(i)] = 1, c[size_t(i)] = 2;
  }
  void run(float s) {
    const int64_t n = int64_t(a.size());
    float *pa = a.data(), *pb = b.data(), *pc = c.data();
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) pa[i] = pb[i] + s * pc[i];
  }
  double bytes() const { return 3.0 * sizeof(float) * double(a.size()); }
};

inline double measure_triad_gbs(int reps = 5) {
  Triad t;
  double best = 0;
  for (int r = 0; r < reps; ++r) {
    LoopClock clock;
    t.run(0.5f);
    best = std::max(best, t.bytes() / clock.seconds() / 1e9);
  }
  return best;
}

inline double gemm_roofline_gflops() {
  static const double g = measure_gemm_gflops();
  return g;
}
inline double memory_bandwidth_gbs() {
  static const double g = measure_triad_gbs();
  return g;
}

// What one iteration of a case costs: floating-point operations and the bytes it must read or
// write at least once (inputs, outputs, weights; not the caches' re-reads).
struct Cost {
  double flops = 0, bytes = 0;
  Cost operator+(const Cost& o) const { return {flops + o.flops, bytes + o.bytes}; }
};

// Sets the counters of a finished loop that ran state.iterations() times in `seconds`.
inline void report(benchmark::State& state, const Cost& c, double items_per_iter, double seconds) {
  const double iters = double(state.iterations());
  state.counters["items/s"] = items_per_iter * iters / seconds;
  if (c.flops > 0) {
    const double gflops = c.flops * iters / seconds / 1e9;
    state.counters["GFLOP/s"] = gflops;
    state.counters["roofline_frac"] = gflops / gemm_roofline_gflops();
  }
  if (c.bytes > 0) {
    const double gbs = c.bytes * iters / seconds / 1e9;
    state.counters["GB/s"] = gbs;
    state.counters["bandwidth_frac"] = gbs / memory_bandwidth_gbs();
  }
}

// Cases that put the two limits into the program's JSON output, so a report can quote them.
inline void BM_GemmRoofline(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(gemm_roofline_gflops());
  state.counters["GFLOP/s"] = gemm_roofline_gflops();
}
inline void BM_StreamTriad(benchmark::State& state) {
  Triad t;
  LoopClock clock;
  for (auto _ : state) t.run(0.5f);
  report(state, {0, t.bytes()}, double(t.a.size()), clock.seconds());
  state.counters["best_GB/s"] = memory_bandwidth_gbs();
}

}  // namespace llactr::bench

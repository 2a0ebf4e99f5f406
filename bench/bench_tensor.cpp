// Autodiff core benchmarks: the GEMM roofline, linear forward+backward on both GEMM engines,
// embedding gather/scatter-add, softmax and layer_norm.
//
// Counters (bench_common.h): GFLOP/s from the FLOP count written beside each case, GB/s from the
// bytes it must move at least once, and the ratios to the GEMM roofline and the memory bandwidth
// measured in this run. Run: make bench  (quick)  or  build/release-native/bench/bench_tensor
//
// BENCH_QUICK_FILTER: GemmRoofline|StreamTriad|Gemm/2048|Linear.*/4096/(288/400|1024/1024)|Gather.*/4096/13/32|Softmax/4096/400|LayerNorm/4096/400
#include <benchmark/benchmark.h>

#include "bench_common.h"
#include "llactr/tensor/gemm.h"
#include "llactr/tensor/gradcheck.h"
#include "llactr/tensor/ops.h"
#include "llactr/tensor/rng.h"

using namespace llactr;
using bench::random_tensor;

namespace {

// C[n,n] = A[n,n]·B[n,n]: the machine's practical fp32 peak.
void BM_Gemm(benchmark::State& state) {
  int64_t n = state.range(0);
  set_gemm_backend(state.range(1) ? GemmBackend::Eigen : GemmBackend::Blas);
  Tensor A = random_tensor({n, n}, 1), B = random_tensor({n, n}, 2), C({n, n});
  bench::LoopClock clock;
  for (auto _ : state) gemm(false, false, n, n, n, 1.0f, A.data(), B.data(), 0.0f, C.data());
  bench::report(state, {2.0 * n * n * n, 0}, 1, clock.seconds());
  state.SetLabel(state.range(1) ? "eigen" : "openblas");
  set_gemm_backend(GemmBackend::Blas);
}

// y = x·Wᵀ + b, then dx, dW, db: 6·B·in·out FLOPs.
void BM_Linear(benchmark::State& state, GemmBackend backend) {
  int64_t B = state.range(0), in = state.range(1), out = state.range(2);
  set_gemm_backend(backend);
  Var x = parameter(random_tensor({B, in}, 3));
  Var W = parameter(random_tensor({out, in}, 4)), b = parameter(random_tensor({out}, 5));
  Tensor seed({B, out}, 1.0f);
  bench::LoopClock clock;
  for (auto _ : state) {
    Var y = linear(x, W, b);
    backward(y, seed);
    zero_grad({x, W, b});
  }
  bench::report(state, {6.0 * B * in * out, 0}, double(B), clock.seconds());
  set_gemm_backend(GemmBackend::Blas);
}
void BM_LinearBlas(benchmark::State& s) { BM_Linear(s, GemmBackend::Blas); }
void BM_LinearEigen(benchmark::State& s) { BM_Linear(s, GemmBackend::Eigen); }

// Embedding lookup of B·N rows of D floats from a 100k-row table, and the scatter-add back.
void BM_Gather(benchmark::State& state, bool with_backward) {
  int64_t B = state.range(0), N = state.range(1), D = state.range(2), V = 100000;
  Var table = embedding_table(random_tensor({V, D}, 6));
  Rng rng(7);
  std::vector<int32_t> ids(static_cast<size_t>(B * N));
  for (auto& i : ids) i = static_cast<int32_t>(rng.below(V));
  Tensor seed({B, N, D}, 1.0f);
  bench::LoopClock clock;
  for (auto _ : state) {
    Var E = gather_rows(table, ids.data(), B * N, {B, N});
    if (with_backward) {
      backward(E, seed);
      zero_grad({table});
    } else {
      clear_tape();
    }
    benchmark::DoNotOptimize(E.value().data());
  }
  // Bytes: read B·N·D table floats and write as many (the backward moves them once more each way).
  double bytes = 2.0 * B * N * D * sizeof(float) * (with_backward ? 2 : 1);
  bench::report(state, {0, bytes}, double(B), clock.seconds());
}
void BM_GatherForward(benchmark::State& s) { BM_Gather(s, false); }
void BM_GatherForwardBackward(benchmark::State& s) { BM_Gather(s, true); }

template <bool kLayerNorm>
void BM_RowOp(benchmark::State& state) {
  int64_t R = state.range(0), C = state.range(1);
  Var x = parameter(random_tensor({R, C}, 8));
  Var g = parameter(Tensor({C}, 1.0f)), b = parameter(Tensor({C}, 0.0f));
  Tensor seed({R, C}, 1.0f);
  bench::LoopClock clock;
  for (auto _ : state) {
    Var y = kLayerNorm ? layer_norm(x, g, b) : softmax(x);
    backward(y, seed);
    zero_grad({x, g, b});
  }
  // Forward reads x and writes y; backward reads y (or x̂), dy and x's grad and writes it back.
  bench::report(state, {0, 6.0 * R * C * sizeof(float)}, double(R), clock.seconds());
}

}  // namespace

BENCHMARK(bench::BM_GemmRoofline)->Name("GemmRoofline")->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(bench::BM_StreamTriad)->Name("StreamTriad")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Gemm)->ArgsProduct({{512, 1024, 2048}, {0, 1}})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_LinearBlas)
    ->ArgsProduct({{4096}, {32, 128, 288, 512, 1024}, {32, 128, 400, 512, 1024}})
    ->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_LinearEigen)
    ->ArgsProduct({{4096}, {32, 128, 288, 512, 1024}, {32, 128, 400, 512, 1024}})
    ->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_GatherForward)->ArgsProduct({{4096}, {8, 13, 39}, {16, 32, 64}})->UseRealTime();
BENCHMARK(BM_GatherForwardBackward)->ArgsProduct({{4096}, {8, 13, 39}, {16, 32, 64}})->UseRealTime();
BENCHMARK(BM_RowOp<false>)->Name("Softmax")->Args({4096, 400})->UseRealTime();
BENCHMARK(BM_RowOp<true>)->Name("LayerNorm")->Args({4096, 400})->UseRealTime();

BENCHMARK_MAIN();

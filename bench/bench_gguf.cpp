// dequantize_row throughput per ggml type, in bytes of f32 output per second (one thread).
// A row of 4096 elements (a typical hidden size) is dequantised repeatedly; its blocks stay in L1/L2.
// BENCH_QUICK_FILTER: BM_DequantizeRow/(0|8|12|14)$
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "llactr/llm/gguf/gguf_types.h"

using namespace llactr::gguf;

static void BM_DequantizeRow(benchmark::State& state) {
  const auto t = static_cast<GgmlType>(state.range(0));
  const int64_t n = 4096;
  std::vector<float> x(n), y(n);
  for (int64_t k = 0; k < n; ++k) x[k] = std::sin(0.1f * k) * (1 + k % 5);
  std::vector<uint8_t> q(row_bytes(t, n));
  quantize_row(t, x.data(), q.data(), n);
  for (auto _ : state) {
    dequantize_row(t, q.data(), y.data(), n);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * n * static_cast<int64_t>(sizeof(float)));
  state.SetLabel(type_name(t));
}
BENCHMARK(BM_DequantizeRow)
    ->Arg(static_cast<int>(GgmlType::F32))->Arg(static_cast<int>(GgmlType::F16))
    ->Arg(static_cast<int>(GgmlType::BF16))->Arg(static_cast<int>(GgmlType::Q8_0))
    ->Arg(static_cast<int>(GgmlType::Q4_0))->Arg(static_cast<int>(GgmlType::Q4_1))
    ->Arg(static_cast<int>(GgmlType::Q5_0))->Arg(static_cast<int>(GgmlType::Q5_1))
    ->Arg(static_cast<int>(GgmlType::Q4_K))->Arg(static_cast<int>(GgmlType::Q5_K))
    ->Arg(static_cast<int>(GgmlType::Q6_K));

BENCHMARK_MAIN();

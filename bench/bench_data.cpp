// Data pipeline speed: parse+encode of ml-1m-u2999 from raw files, loading it from the cache,
// batcher throughput, sha256 and JSON parsing. Real-data cases report an error (and are
// skipped) when ml-1m-u2999 is not in $LLACTR_DATA_MIRROR, data/ or ../shared/data.
// Wall-clock time (UseRealTime) where a thread or the disk is involved: that is what a run waits for.
// BENCH_QUICK_FILTER: BM_Batcher|BM_CacheLoad|BM_Sha256|BM_JsonParseReviewLine
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "llactr/data/batcher.h"
#include "llactr/data/dataset.h"
#include "llactr/util/json.h"
#include "llactr/util/sha256.h"

using namespace llactr::data;
namespace fs = std::filesystem;

namespace {

std::string find_ml1m() {
  std::string candidates[3] = {"", "data/ml-1m-u2999", "../shared/data/ml-1m-u2999"};
  if (const char* m = std::getenv("LLACTR_DATA_MIRROR")) candidates[0] = std::string(m) + "/ml-1m-u2999";
  for (const auto& c : candidates)
    if (!c.empty() && fs::exists(c)) return c;
  return "";
}

DataOptions ml1m_options(const std::string& cache_dir) {
  DataOptions o;
  o.format = DataFormat::Ml1m;
  o.dir = find_ml1m();
  o.cache_dir = cache_dir;
  return o;
}

void BM_ParseEncodeMl1m(benchmark::State& state) {
  DataOptions o = ml1m_options("");
  if (o.dir.empty()) return state.SkipWithError("ml-1m-u2999 not found (make data-ml1m or LLACTR_DATA_MIRROR)");
  size_t rows = 0;
  for (auto _ : state) rows = load_dataset(o).num_samples();
  state.counters["samples"] = double(rows);
}
BENCHMARK(BM_ParseEncodeMl1m)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_CacheLoadMl1m(benchmark::State& state) {
  std::string cache = (fs::temp_directory_path() / "llactr-bench-cache").string();
  DataOptions o = ml1m_options(cache);
  if (o.dir.empty()) return state.SkipWithError("ml-1m-u2999 not found (make data-ml1m or LLACTR_DATA_MIRROR)");
  load_dataset(o);  // writes the cache
  for (auto _ : state) {
    Dataset d = load_dataset(o);
    if (!d.from_cache) return state.SkipWithError("cache was not hit");
    benchmark::DoNotOptimize(d.train.ids.data());
  }
  fs::remove_all(cache);
}
BENCHMARK(BM_CacheLoadMl1m)->Unit(benchmark::kMillisecond)->UseRealTime();

// A synthetic split shaped like ml-1m-u2999's train split: 288,347 rows x 8 fields.
const Split& synthetic_split() {
  static Split s = [] {
    Split t;
    t.num_fields = 8;
    std::mt19937_64 rng(1);
    for (size_t i = 0; i < 288347; ++i) {
      for (int k = 0; k < 8; ++k) t.ids.push_back(int32_t(rng() % 150000));
      t.labels.push_back(float(rng() % 2));
    }
    return t;
  }();
  return s;
}

// Args: batch size, prefetch (0/1). Items = samples delivered.
void BM_Batcher(benchmark::State& state) {
  BatcherOptions o;
  o.batch_size = size_t(state.range(0));
  o.prefetch = state.range(1) != 0;
  Batcher b(synthetic_split(), o);
  Batch batch;
  uint64_t epoch = 0;
  size_t samples = 0;
  for (auto _ : state) {
    b.start_epoch(epoch++);
    while (b.next(batch)) samples += batch.size;
    benchmark::DoNotOptimize(batch.ids.data());
  }
  state.SetItemsProcessed(int64_t(samples));
}
BENCHMARK(BM_Batcher)->Args({1024, 0})->Args({4096, 0})->Args({1024, 1})->Args({4096, 1})->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Sha256(benchmark::State& state) {
  std::string bytes(1 << 20, 'x');
  for (auto _ : state) benchmark::DoNotOptimize(llactr::sha256_hex(bytes));
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(bytes.size()));
}
BENCHMARK(BM_Sha256);

void BM_JsonParseReviewLine(benchmark::State& state) {
  const std::string line =
      R"({"rating": 5.0, "title": "Great strings", "text": "They sound bright and stay in tune \u00e9.", )"
      R"("images": [], "asin": "B0000000AB", "parent_asin": "B0000000AB", "user_id": "AGBFYI2DDIKXC5Y4FARTYDTQBMFQ", )"
      R"("timestamp": 1588687728923, "helpful_vote": 2, "verified_purchase": true})";
  for (auto _ : state) benchmark::DoNotOptimize(llactr::parse_json(line));
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(line.size()));
}
BENCHMARK(BM_JsonParseReviewLine);

}  // namespace

BENCHMARK_MAIN();

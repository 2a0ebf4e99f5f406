// Seeded, shuffled mini-batches over an encoded split.
//
//   Batcher b(d.train, {/*batch_size=*/1024, /*shuffle=*/true, /*seed=*/7});
//   Batch batch;
//   for (int epoch = 0; epoch < E; ++epoch) {
//     b.start_epoch(epoch);
//     while (b.next(batch)) use(batch.ids.data(), batch.labels.data(), batch.size);
//   }
//
// The order of epoch e depends only on (seed, e), so a run resumed at epoch e sees the same
// batches. The last batch of an epoch is partial (size < batch_size) unless drop_last is set.
// After the first call, next() never allocates: the caller's Batch buffers are refilled in
// place or, with prefetch, swapped with a buffer a background thread has already filled.
//
// Data-parallel training: with shards = R, each of R processes (shard = its rank) draws the
// same order and receives only its contiguous slice of each batch, rows
// [B·shard/R, B·(shard+1)/R) of the batch's B. A slice that would be empty (a last batch of fewer
// than R rows) holds the batch's last row instead, marked `padding`: its loss weight is 0.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "llactr/data/split.h"

namespace llactr::data {

struct Batch {
  std::vector<int32_t> ids;   // [size, num_fields] global ids, row-major (capacity batch_size rows)
  std::vector<float> labels;  // [size]
  size_t size = 0;            // rows in this batch
  int num_fields = 0;
  std::vector<float> dense;   // [size, dense_dim]: the rows' Split::dense (empty when dense_dim is 0)
  int dense_dim = 0;
  // Where the rows came from: what a method that reads more than ids (an instance text with the
  // OOV cells' own texts) needs. rows: [size] indices into *source.
  const Split* source = nullptr;
  std::vector<uint32_t> rows;
  // With BatcherOptions::shards > 1, these rows are rows [first_row, first_row + size) of a batch
  // of global_size rows spread over the processes; otherwise first_row = 0, global_size = size
  // (or 0 in a Batch filled by hand: the batch is whole).
  size_t global_size = 0;
  size_t first_row = 0;
  bool padding = false;  // this process's slice was empty: it holds a copy of the batch's last row
  size_t global_rows() const { return global_size ? global_size : size; }
  // This slice's share of the batch's mean loss: size / global_rows(), 0 for padding.
  double weight() const { return padding ? 0.0 : double(size) / double(global_rows()); }
};

struct BatcherOptions {
  size_t batch_size = 1024;
  bool shuffle = true;
  uint64_t seed = 2024;
  bool drop_last = false;  // drop the final partial batch of each epoch
  bool prefetch = false;   // fill the next batch on a background thread
  int shard = 0, shards = 1;  // this process's slice of each batch (data-parallel; see the top)
};

class Batcher {
 public:
  Batcher(const Split& split, const BatcherOptions& options);  // the split must outlive the batcher
  ~Batcher();
  Batcher(const Batcher&) = delete;
  Batcher& operator=(const Batcher&) = delete;

  // Begins epoch `epoch` (any order; an unfinished epoch is abandoned).
  void start_epoch(uint64_t epoch);
  // Fills out with the next batch; false when the epoch has no more batches.
  bool next(Batch& out);

  size_t batches_per_epoch() const;
  const BatcherOptions& options() const { return opt_; }

 private:
  size_t batch_rows(size_t batch_index) const;  // rows in that batch of the epoch (0 past the end)
  void fill(size_t batch_index, Batch& out) const;
  void prefetch_loop();
  void stop_prefetch();

  const Split& split_;
  BatcherOptions opt_;
  std::vector<uint32_t> order_;  // [split rows], this epoch's permutation
  size_t next_batch_ = 0;

  // Prefetch: the worker fills ready_ with batch worker_batch_; next() swaps it out.
  std::thread worker_;
  std::mutex mu_;
  std::condition_variable cv_;
  Batch ready_;
  bool ready_full_ = false, stop_ = false;
  size_t worker_batch_ = 0;
};

}  // namespace llactr::data

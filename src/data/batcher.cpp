#include "llactr/data/batcher.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

#include "llactr/tensor/shuffle.h"
#include "llactr/util/communicator.h"

namespace llactr::data {
namespace {

void reserve(Batch& b, size_t rows, const Split& split) {
  b.num_fields = split.num_fields;
  b.ids.resize(rows * split.num_fields);
  b.labels.resize(rows);
  b.dense_dim = split.dense_dim;
  b.dense.resize(rows * size_t(split.dense_dim));
  b.source = &split;
  b.rows.resize(rows);
}

}  // namespace

Batcher::Batcher(const Split& split, const BatcherOptions& options) : split_(split), opt_(options) {
  if (opt_.batch_size == 0) throw std::invalid_argument("batch size must be > 0");
  if (opt_.shards < 1 || opt_.shard < 0 || opt_.shard >= opt_.shards)
    throw std::invalid_argument("batcher: shard " + std::to_string(opt_.shard) + " of " + std::to_string(opt_.shards));
  if (split.size() > std::numeric_limits<uint32_t>::max()) throw std::invalid_argument("split too large for 32-bit row indices");
  order_.resize(split.size());
  if (split.dense.size() != split.size() * size_t(std::max(split.dense_dim, 0)))
    throw std::invalid_argument("split: dense holds " + std::to_string(split.dense.size()) + " values, expected rows x dense_dim = " +
                                std::to_string(split.size()) + " x " + std::to_string(split.dense_dim));
  reserve(ready_, opt_.batch_size, split);
  start_epoch(0);
}

Batcher::~Batcher() { stop_prefetch(); }

size_t Batcher::batches_per_epoch() const {
  size_t n = split_.size(), b = opt_.batch_size;
  return opt_.drop_last ? n / b : (n + b - 1) / b;
}

size_t Batcher::batch_rows(size_t batch_index) const {
  if (batch_index >= batches_per_epoch()) return 0;
  return std::min(opt_.batch_size, split_.size() - batch_index * opt_.batch_size);
}

void Batcher::fill(size_t batch_index, Batch& out) const {
  const size_t global = batch_rows(batch_index), nf = size_t(split_.num_fields), nd = size_t(split_.dense_dim);
  if (out.ids.size() < opt_.batch_size * nf || out.labels.size() < opt_.batch_size || out.dense.size() < opt_.batch_size * nd ||
      out.rows.size() < opt_.batch_size || out.source != &split_)
    reserve(out, opt_.batch_size, split_);
  // This shard's rows of the batch; all of it with one shard.
  const RankShare share = rank_share(global, opt_.shard, opt_.shards, /*pad_empty=*/true);
  const size_t n = share.count;
  out.padding = share.padding;
  out.global_size = global;
  out.first_row = share.first;
  const uint32_t* rows = order_.data() + batch_index * opt_.batch_size + share.first;
  int32_t* ids = out.ids.data();
  for (size_t i = 0; i < n; ++i) {
    std::memcpy(ids + i * nf, split_.ids.data() + size_t(rows[i]) * nf, nf * sizeof(int32_t));
    out.labels[i] = split_.labels[rows[i]];
    out.rows[i] = rows[i];
    if (nd) std::memcpy(out.dense.data() + i * nd, split_.dense.data() + size_t(rows[i]) * nd, nd * sizeof(float));
  }
  out.size = n;
  out.num_fields = split_.num_fields;
  out.dense_dim = split_.dense_dim;
}

void Batcher::start_epoch(uint64_t epoch) {
  stop_prefetch();
  std::iota(order_.begin(), order_.end(), uint32_t(0));
  if (opt_.shuffle) {
    std::mt19937_64 rng = epoch_generator(opt_.seed, epoch);
    seeded_shuffle(order_, rng);
  }
  next_batch_ = 0;
  if (opt_.prefetch) {
    stop_ = false;
    ready_full_ = false;
    worker_batch_ = 0;
    worker_ = std::thread(&Batcher::prefetch_loop, this);
  }
}

void Batcher::prefetch_loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stop_ || !ready_full_; });
    if (stop_ || batch_rows(worker_batch_) == 0) return;
    lock.unlock();
    fill(worker_batch_, ready_);  // ready_ is ours while ready_full_ is false
    lock.lock();
    ++worker_batch_;
    ready_full_ = true;
    cv_.notify_all();
  }
}

void Batcher::stop_prefetch() {
  if (!worker_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

bool Batcher::next(Batch& out) {
  if (batch_rows(next_batch_) == 0) return false;
  if (!opt_.prefetch) {
    fill(next_batch_++, out);
    return true;
  }
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return ready_full_; });
  // The caller's buffers become the worker's next target; make sure they are full size.
  if (out.ids.size() < ready_.ids.size() || out.labels.size() < ready_.labels.size() || out.dense.size() < ready_.dense.size() ||
      out.rows.size() < ready_.rows.size() || out.source != &split_)
    reserve(out, opt_.batch_size, split_);
  std::swap(out, ready_);
  ready_full_ = false;
  ++next_batch_;
  cv_.notify_all();
  return true;
}

}  // namespace llactr::data

#include <gtest/gtest.h>

#include <set>

#include "llactr/data/batcher.h"

using namespace llactr::data;

namespace {

// Row i holds ids (i, i + 1, i + 2) and label i % 2, so every row is recognisable.
Split make_split(size_t n) {
  Split s;
  s.num_fields = 3;
  for (size_t i = 0; i < n; ++i) {
    for (int k = 0; k < 3; ++k) s.ids.push_back(int32_t(i + k));
    s.labels.push_back(float(i % 2));
  }
  return s;
}

// Row indices of one epoch, checking each batch row is an intact copy of its split row.
std::vector<int32_t> epoch_rows(Batcher& b, uint64_t epoch, std::vector<size_t>* sizes = nullptr) {
  std::vector<int32_t> rows;
  Batch batch;
  b.start_epoch(epoch);
  while (b.next(batch)) {
    if (sizes) sizes->push_back(batch.size);
    for (size_t i = 0; i < batch.size; ++i) {
      const int32_t* r = batch.ids.data() + i * 3;
      EXPECT_EQ(r[1], r[0] + 1);
      EXPECT_EQ(r[2], r[0] + 2);
      EXPECT_EQ(batch.labels[i], float(r[0] % 2));
      EXPECT_EQ(batch.rows[i], uint32_t(r[0]));  // the split row it was copied from
      rows.push_back(r[0]);
    }
  }
  return rows;
}

}  // namespace

TEST(Batcher, EachEpochIsAPermutationWithAPartialLastBatch) {
  Split s = make_split(10);
  Batcher b(s, {4, true, 7});
  EXPECT_EQ(b.batches_per_epoch(), 3u);
  std::vector<size_t> sizes;
  std::vector<int32_t> rows = epoch_rows(b, 0, &sizes);
  EXPECT_EQ(sizes, (std::vector<size_t>{4, 4, 2}));
  EXPECT_EQ(std::set<int32_t>(rows.begin(), rows.end()).size(), 10u);
  EXPECT_NE(rows, epoch_rows(b, 1));  // a new order each epoch

  BatcherOptions drop{4, true, 7};
  drop.drop_last = true;
  Batcher d(s, drop);
  std::vector<size_t> dsizes;
  EXPECT_EQ(epoch_rows(d, 0, &dsizes).size(), 8u);
  EXPECT_EQ(dsizes, (std::vector<size_t>{4, 4}));

  Batcher plain(s, {3, false, 7});
  EXPECT_EQ(epoch_rows(plain, 5), (std::vector<int32_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(Batcher, SameSeedAndEpochSameOrder) {
  Split s = make_split(1000);
  Batcher a(s, {64, true, 11}), b(s, {64, true, 11}), c(s, {64, true, 12});
  std::vector<int32_t> a2 = epoch_rows(a, 2);
  epoch_rows(b, 0);
  EXPECT_EQ(epoch_rows(b, 2), a2);  // depends on (seed, epoch) only, not on history
  EXPECT_NE(epoch_rows(c, 2), a2);
}

TEST(Batcher, PrefetchGivesTheSameBatchesWithoutAllocating) {
  Split s = make_split(1001);
  BatcherOptions o{100, true, 5};
  Batcher plain(s, o);
  o.prefetch = true;
  Batcher pre(s, o);
  for (uint64_t epoch = 0; epoch < 3; ++epoch) EXPECT_EQ(epoch_rows(pre, epoch), epoch_rows(plain, epoch));
  for (Batcher* b : {&plain, &pre}) {
    Batch batch;
    b->start_epoch(0);
    ASSERT_TRUE(b->next(batch));
    EXPECT_EQ(batch.source, &s);
  }
  // The caller's buffers are refilled in place (plain) or swapped between two (prefetch).
  for (Batcher* b : {&plain, &pre}) {
    std::set<const int32_t*> buffers;
    Batch batch;
    b->start_epoch(9);
    while (b->next(batch)) buffers.insert(batch.ids.data());
    EXPECT_LE(buffers.size(), b == &pre ? 2u : 1u);
  }
  // Abandoning an epoch half-way (prefetch thread still running) and restarting is safe.
  Batch batch;
  pre.start_epoch(0);
  ASSERT_TRUE(pre.next(batch));
  EXPECT_EQ(epoch_rows(pre, 0), epoch_rows(plain, 0));
}

TEST(Batcher, EmptySplitAndBadOptions) {
  Split s = make_split(0);
  Batcher b(s, {8, true, 1});
  Batch batch;
  EXPECT_FALSE(b.next(batch));
  EXPECT_THROW(Batcher(s, {0, true, 1}), std::invalid_argument);
}

// Data-parallel training: shard k of R gets rows [B·k/R, B·(k+1)/R) of each batch B of the one
// order; together the shards' slices are the unsharded batch, row for row.
TEST(Batcher, ShardsTakeContiguousSlicesOfEachBatchAndPadAnEmptyOne) {
  const Split s = make_split(10);
  BatcherOptions whole_opt;
  whole_opt.batch_size = 4;
  whole_opt.seed = 9;
  Batcher whole(s, whole_opt);
  std::vector<std::vector<uint32_t>> want;  // [batch] rows
  Batch batch;
  while (whole.next(batch)) want.emplace_back(batch.rows.begin(), batch.rows.begin() + long(batch.size));
  ASSERT_EQ(want.size(), 3u);  // 4, 4, 2 rows

  const int R = 3;
  std::vector<std::vector<uint32_t>> got(want.size());
  // Slices of 4 rows: [0,1) [1,2) [2,4); of the last 2: shard 0's [0,0) is empty, so it pads with
  // the batch's last row; [0,1) [1,2).
  const size_t want_first[3][3] = {{0, 0, 1}, {1, 1, 0}, {2, 2, 1}};  // [shard][batch]
  const size_t want_size[3][3] = {{1, 1, 1}, {1, 1, 1}, {2, 2, 1}};
  for (int k = 0; k < R; ++k) {
    BatcherOptions o = whole_opt;
    o.shard = k;
    o.shards = R;
    Batcher part(s, o);
    for (size_t b = 0; part.next(batch); ++b) {
      SCOPED_TRACE("shard " + std::to_string(k) + ", batch " + std::to_string(b));
      EXPECT_EQ(batch.global_size, want[b].size());
      EXPECT_EQ(batch.first_row, want_first[k][b]);
      EXPECT_EQ(batch.size, want_size[k][b]);
      const bool pad = k == 0 && b == 2;
      EXPECT_EQ(batch.padding, pad);
      EXPECT_DOUBLE_EQ(batch.weight(), pad ? 0.0 : double(batch.size) / double(want[b].size()));
      for (size_t i = 0; i < batch.size; ++i) EXPECT_EQ(batch.rows[i], want[b][batch.first_row + i]);
      if (!pad) got[b].insert(got[b].end(), batch.rows.begin(), batch.rows.begin() + long(batch.size));
    }
  }
  EXPECT_EQ(got, want);
  BatcherOptions bad = whole_opt;
  bad.shard = 3;
  bad.shards = 3;
  EXPECT_THROW(Batcher(s, bad), std::invalid_argument);
}

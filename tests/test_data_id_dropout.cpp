#include <gtest/gtest.h>

#include "llactr/data/id_dropout.h"

using namespace llactr;
using namespace llactr::data;

namespace {

// n rows of three fields; field k's ids are 100k + 1 + row (its OOV id is 100k).
Batch make_batch(size_t n) {
  Batch b;
  b.num_fields = 3;
  b.size = n;
  for (size_t i = 0; i < n; ++i)
    for (int k = 0; k < 3; ++k) b.ids.push_back(int32_t(100 * k + 1 + int(i)));
  b.labels.assign(n, 0.0f);
  return b;
}

const std::vector<std::pair<int, int32_t>> kItemColumns{{1, 100}, {2, 200}};  // fields 1 and 2

}  // namespace

TEST(IdDropout, ProbabilityZeroAndOneAreNoneAndAll) {
  Rng rng(7);
  Batch b = make_batch(20);
  const std::vector<int32_t> before = b.ids;
  drop_ids(b, kItemColumns, 0.0f, rng);
  EXPECT_EQ(b.ids, before);
  drop_ids(b, kItemColumns, 1.0f, rng);
  for (size_t i = 0; i < 20; ++i) {
    EXPECT_EQ(b.ids[i * 3 + 0], int32_t(1 + i)) << "an unlisted column is never touched";
    EXPECT_EQ(b.ids[i * 3 + 1], 100);
    EXPECT_EQ(b.ids[i * 3 + 2], 200);
  }
}

TEST(IdDropout, ARowLosesAllItsListedIdsOrNoneAndTheDrawsAreSeeded) {
  Batch a = make_batch(2000), b = make_batch(2000);
  Rng r1(2024), r2(2024);
  drop_ids(a, kItemColumns, 0.3f, r1);
  drop_ids(b, kItemColumns, 0.3f, r2);
  EXPECT_EQ(a.ids, b.ids);
  size_t dropped = 0;
  for (size_t i = 0; i < 2000; ++i) {
    const bool d1 = a.ids[i * 3 + 1] == 100, d2 = a.ids[i * 3 + 2] == 200;
    EXPECT_EQ(d1, d2) << "row " << i << ": the item's fields go together";
    dropped += d1;
  }
  // Binomial(2000, 0.3): mean 600, sd 20.5; ±5 sd.
  EXPECT_NEAR(double(dropped), 600.0, 103.0);
}

// Data-parallel: two slices of a batch, each drawing with the same seed, drop exactly the rows the
// whole batch drops in one process, and leave their generators in the same state.
TEST(IdDropout, SlicesOfABatchDropTheRowsTheWholeBatchDrops) {
  Batch whole = make_batch(9);
  Rng r_whole(5);
  drop_ids(whole, kItemColumns, 0.5f, r_whole);
  for (const auto& [first, size] : {std::pair<size_t, size_t>{0, 4}, {4, 5}}) {
    Batch slice = make_batch(9);
    slice.ids.erase(slice.ids.begin(), slice.ids.begin() + long(first * 3));
    slice.ids.resize(size * 3);
    slice.size = size;
    slice.first_row = first;
    slice.global_size = 9;
    Rng r(5);
    drop_ids(slice, kItemColumns, 0.5f, r);
    for (size_t i = 0; i < size * 3; ++i) EXPECT_EQ(slice.ids[i], whole.ids[first * 3 + i]) << "slice at " << first;
    EXPECT_EQ(r.uniform(), Rng(r_whole).uniform()) << "the generators stay in step";
  }
}

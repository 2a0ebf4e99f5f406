// The seeded subsample the LLM stages read (methods/row_subsample.h): n distinct sorted rows, the
// same for the same seed, all rows for n = 0 or n >= total, and a split of exactly those rows.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "llactr/tensor/shuffle.h"
#include "llactr/methods/common/row_subsample.h"
#include "llactr/tensor/rng.h"

namespace llactr::methods {
namespace {

TEST(RowSubsample, DistinctSortedAndSeeded) {
  const std::vector<size_t> a = subsample_rows(1000, 100, 7);
  ASSERT_EQ(a.size(), 100u);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  EXPECT_EQ(std::set<size_t>(a.begin(), a.end()).size(), 100u);
  EXPECT_LT(a.back(), 1000u);
  EXPECT_EQ(subsample_rows(1000, 100, 7), a);
  EXPECT_NE(subsample_rows(1000, 100, 8), a);
  EXPECT_EQ(subsample_rows(5, 0, 7), (std::vector<size_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(subsample_rows(5, 9, 7), (std::vector<size_t>{0, 1, 2, 3, 4}));
}

TEST(RowSubsample, SplitKeepsIdsLabelsAndDenseOfTheChosenRows) {
  data::Split s;
  s.num_fields = 2;
  s.dense_dim = 1;
  for (int i = 0; i < 50; ++i) {
    s.ids.insert(s.ids.end(), {i, 100 + i});
    s.labels.push_back(float(i % 2));
    s.dense.push_back(0.5f * float(i));
  }
  const data::Split sub = subsample_split(s, 10, 3);
  ASSERT_EQ(sub.size(), 10u);
  EXPECT_EQ(sub.num_fields, 2);
  ASSERT_EQ(sub.dense.size(), 10u);
  const std::vector<size_t> rows = subsample_rows(50, 10, 3);
  for (size_t j = 0; j < rows.size(); ++j) {
    const int i = int(rows[j]);
    EXPECT_EQ(sub.row(j)[0], i);
    EXPECT_EQ(sub.row(j)[1], 100 + i);
    EXPECT_EQ(sub.labels[j], float(i % 2));
    EXPECT_EQ(sub.dense[j], 0.5f * float(i));
  }
  EXPECT_EQ(subsample_split(s, 0, 3).ids, s.ids);  // 0 = every row
}

}  // namespace
}  // namespace llactr::methods

namespace llactr::data {
namespace {

// The shared shuffles draw what the five hand-written loops they replace drew (ssft.cpp,
// elec_llm.cpp, pa_mlm.cpp: back to front; ssft_data.cpp, row_subsample.cpp: a prefix, front to
// back), so every order and sample is the one before, to the bit.
TEST(SeededShuffle, DrawsWhatTheHandLoopsDrew) {
  for (size_t n : {0, 1, 2, 7, 100}) {
    std::vector<int> want(n), got(n);
    std::iota(want.begin(), want.end(), 0);
    got = want;
    Rng a(42), b(42);
    for (int i = int(n) - 1; i > 0; --i) std::swap(want[size_t(i)], want[a.below(uint64_t(i) + 1)]);
    seeded_shuffle(got, b);
    EXPECT_EQ(got, want) << n;
    EXPECT_EQ(a.next_u64(), b.next_u64()) << "the same number of draws";
    for (size_t k : {size_t(0), n / 2, n}) {
      std::vector<size_t> w(n), g(n);
      std::iota(w.begin(), w.end(), size_t(0));
      g = w;
      Rng c(7), d(7);
      for (size_t i = 0; i < k; ++i) std::swap(w[i], w[i + c.below(n - i)]);
      seeded_shuffle_prefix(g, k, d);
      EXPECT_EQ(g, w) << n << " " << k;
      EXPECT_EQ(c.next_u64(), d.next_u64());
    }
  }
}

}  // namespace
}  // namespace llactr::data

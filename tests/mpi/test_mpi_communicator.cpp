// The MPI communicator's collectives against values worked out by hand, for any number of ranks
// R (make check-mpi runs R = 2). Every rank runs every test; each expectation holds on every rank.
#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>

#include "llactr/util/communicator.h"

namespace llactr {
namespace {

TEST(MpiCommunicator, RunsUnderMpirunWithSeveralRanks) {
  Communicator& c = world();
  ASSERT_GE(c.size(), 2) << "run the MPI tests with mpirun -np 2 (make check-mpi)";
  EXPECT_GE(c.rank(), 0);
  EXPECT_LT(c.rank(), c.size());
  EXPECT_EQ(c.is_writer(), c.rank() == 0);
}

TEST(MpiCommunicator, AllreduceSumAddsEveryRanksBufferInPlace) {
  Communicator& c = world();
  const int r = c.rank(), R = c.size();
  // Rank r holds (r + 1, 10 (r + 1), 0.5, -r): the sums are R(R+1)/2, 10 R(R+1)/2, R/2, -R(R-1)/2,
  // all exact in float for small R.
  std::vector<float> x{float(r + 1), 10.0f * float(r + 1), 0.5f, -float(r)};
  c.reset_traffic();
  c.allreduce_sum(x.data(), x.size());
  EXPECT_EQ(x, (std::vector<float>{R * (R + 1) / 2.0f, 10.0f * R * (R + 1) / 2.0f, 0.5f * R, -R * (R - 1) / 2.0f}));
  EXPECT_EQ(c.traffic().calls, 1u);
  EXPECT_EQ(c.traffic().bytes_sent, 4 * sizeof(float));
  EXPECT_GE(c.traffic().seconds, 0.0);
}

TEST(MpiCommunicator, AllgathervConcatenatesInRankOrderWithEachRanksCount) {
  Communicator& c = world();
  const int r = c.rank(), R = c.size();
  // Rank r sends r values 100 r + k (rank 0 sends none): the result is 100, 200, 201, 300, 301, 302, ..
  std::vector<float> mine;
  std::vector<int32_t> mine_ids;
  for (int k = 0; k < r; ++k) mine.push_back(float(100 * r + k)), mine_ids.push_back(-(100 * r + k));
  std::vector<float> want;
  std::vector<int32_t> want_ids;
  std::vector<size_t> want_counts;
  for (int q = 0; q < R; ++q) {
    want_counts.push_back(size_t(q));
    for (int k = 0; k < q; ++k) want.push_back(float(100 * q + k)), want_ids.push_back(-(100 * q + k));
  }
  std::vector<size_t> counts;
  EXPECT_EQ(c.allgatherv(mine, &counts), want);
  EXPECT_EQ(counts, want_counts);
  EXPECT_EQ(c.allgatherv(mine_ids, &counts), want_ids);
  EXPECT_EQ(counts, want_counts);
  EXPECT_EQ(c.allgatherv(std::vector<float>{}), std::vector<float>{});
}

TEST(MpiCommunicator, BroadcastCopiesTheRootsDataToEveryRank) {
  Communicator& c = world();
  const int root = c.size() - 1;  // not rank 0, so that the root argument is used
  const bool is_root = c.rank() == root;
  std::vector<float> x = is_root ? std::vector<float>{2.5f, -1.0f} : std::vector<float>{0.0f, 0.0f};
  std::vector<int32_t> ids = is_root ? std::vector<int32_t>{9, 8, 7} : std::vector<int32_t>{0, 0, 0};
  std::string text = is_root ? "from the last rank" : "x";
  c.reset_traffic();
  c.broadcast(x.data(), x.size(), root);
  c.broadcast(ids.data(), ids.size(), root);
  c.broadcast(text, root);
  EXPECT_EQ(x, (std::vector<float>{2.5f, -1.0f}));
  EXPECT_EQ(ids, (std::vector<int32_t>{9, 8, 7}));
  EXPECT_EQ(text, "from the last rank");
  // Only the root hands bytes over: 2 floats, 3 ints, the length (8 bytes) and 18 characters.
  EXPECT_EQ(c.traffic().bytes_sent, is_root ? 2 * 4 + 3 * 4 + 8 + 18u : 0u);
  c.barrier();
}

TEST(MpiCommunicator, ScopedWorldRunsAOneProcessReferenceInsideTheJob) {
  SingleProcess alone;
  {
    ScopedWorld scope(alone);
    EXPECT_EQ(world().size(), 1);
    std::vector<float> x{1.0f};
    world().allreduce_sum(x.data(), 1);  // no other rank takes part
    EXPECT_EQ(x[0], 1.0f);
  }
  EXPECT_GE(world().size(), 2);
}

// Run alone by scripts/check-mpi.sh (it is disabled in the normal run): the last rank throws
// while the others wait in a collective; the job must stop, every rank, with the message and a
// non-zero status, instead of hanging. LLACTR_FAULT_PATH picks how the error leaves the rank:
// "main" hands it to exit_with_error as the programs' mains do; otherwise it escapes gtest
// (--gtest_catch_exceptions=0) and reaches the std::terminate handler.
TEST(MpiFault, DISABLED_ARankThatThrowsStopsEveryRank) {
  Communicator& c = world();
  std::vector<float> x{1.0f};
  if (c.rank() == c.size() - 1) {
    const char* path = std::getenv("LLACTR_FAULT_PATH");
    const std::string message = "rank " + std::to_string(c.rank()) + " fails on purpose";
    if (path && std::string(path) == "main") std::exit(exit_with_error("llactr_mpi_tests", message));
    throw std::runtime_error(message);
  }
  c.allreduce_sum(x.data(), 1);  // waits for the rank that failed
  ADD_FAILURE() << "rank " << c.rank() << " returned from a collective its peer never joined";
}

}  // namespace
}  // namespace llactr

// The single-process communicator (the default build's world()) and ScopedWorld. The MPI
// implementation is tested under mpirun by `make check-mpi` (tests/mpi/).
#include <gtest/gtest.h>

#include "llactr/nn/gradient_sync.h"
#include "llactr/util/communicator.h"

namespace llactr {
namespace {

TEST(Communicator, SingleProcessIsRankZeroOfOneAndItsCollectivesAreIdentities) {
  SingleProcess c;
  EXPECT_EQ(c.rank(), 0);
  EXPECT_EQ(c.size(), 1);
  EXPECT_TRUE(c.is_writer());
  std::vector<float> x{1.5f, -2.0f, 3.25f};
  c.allreduce_sum(x.data(), x.size());  // the sum over one rank
  EXPECT_EQ(x, (std::vector<float>{1.5f, -2.0f, 3.25f}));
  std::vector<size_t> counts;
  EXPECT_EQ(c.allgatherv(x, &counts), x);
  EXPECT_EQ(counts, std::vector<size_t>{3});
  const std::vector<int32_t> ids{7, 0, 42};
  EXPECT_EQ(c.allgatherv(ids, &counts), ids);
  EXPECT_EQ(c.allgatherv(std::vector<int32_t>{}, &counts), std::vector<int32_t>{});
  EXPECT_EQ(counts, std::vector<size_t>{0});
  std::string text = "kept";
  c.broadcast(text);
  EXPECT_EQ(text, "kept");
  c.broadcast(x.data(), x.size());
  EXPECT_EQ(x[2], 3.25f);
  c.barrier();
  // A single process sends nothing; it counts its calls.
  EXPECT_EQ(c.traffic().calls, 7u);
  EXPECT_EQ(c.traffic().bytes_sent, 0u);
  c.reset_traffic();
  EXPECT_EQ(c.traffic().calls, 0u);
}

TEST(Communicator, TheDefaultBuildsWorldIsOneProcessAndScopedWorldReplacesIt) {
  Communicator& job = world();
  EXPECT_EQ(job.size(), 1);
  SingleProcess other;
  {
    ScopedWorld scope(other);
    EXPECT_EQ(&world(), &other);
    SingleProcess inner;
    {
      ScopedWorld nested(inner);
      EXPECT_EQ(&world(), &inner);
    }
    EXPECT_EQ(&world(), &other);
  }
  EXPECT_EQ(&world(), &job);
}

TEST(Communicator, ExitWithErrorPrintsTheMessageAndReturnsOneInASingleProcess) {
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(exit_with_error("prog", "the data folder is missing"), 1);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "prog: error: the data folder is missing\n");
}

TEST(CommunicatorDeathTest, SingleProcessAbortPrintsAndExitsWithOne) {
  SingleProcess c;
  EXPECT_EXIT(c.abort("stop here"), ::testing::ExitedWithCode(1), "error: stop here");
}

// One process: the gradients are already the batch's; sync_gradients returns the loss untouched.
TEST(Communicator, SyncGradientsInOneProcessLeavesTheGradientsAsTheyAre) {
  Var w = parameter(Tensor({2}, std::vector<float>{1.0f, 2.0f}));
  grad_buffer(*w.node()).vec() << 0.5f, -0.25f;
  SingleProcess alone;
  EXPECT_EQ(sync_gradients({w}, SparseUpdate::Dense, 0.3, 0.75f, alone), 0.75f);
  EXPECT_EQ(w.node()->grad[0], 0.5f);
  EXPECT_EQ(w.node()->grad[1], -0.25f);
  EXPECT_EQ(alone.traffic().calls, 0u);
}

}  // namespace
}  // namespace llactr

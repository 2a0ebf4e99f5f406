// main() of the MPI tests (make check-mpi runs them under `mpirun -np 2`): MPI is initialised
// before the tests by world(). Rank 0 prints gtest's usual output; the other ranks print only
// their failures, prefixed with the rank, so the log reads as one run. The job fails when any
// rank fails (mpirun returns a non-zero status when a rank does).
#include <gtest/gtest.h>

#include <cstdio>

#include "llactr/util/communicator.h"

namespace {

class FailuresOnly : public ::testing::EmptyTestEventListener {
 public:
  explicit FailuresOnly(int rank) : rank_(rank) {}
  void OnTestPartResult(const ::testing::TestPartResult& r) override {
    if (r.failed())
      std::fprintf(stderr, "[rank %d] %s:%d: failure\n%s\n", rank_, r.file_name() ? r.file_name() : "?", r.line_number(),
                   r.summary());
  }

 private:
  int rank_;
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  llactr::Communicator& c = llactr::world();
  if (!c.is_writer()) {
    ::testing::TestEventListeners& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new FailuresOnly(c.rank()));
  }
  return RUN_ALL_TESTS();
}

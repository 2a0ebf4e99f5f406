// The processes of one job and the collectives that data-parallel training needs
// (docs/DISTRIBUTED.md).
//
//   Communicator& c = world();             // this job: one process, or `mpirun -np R` ranks (make MPI=1)
//   c.allreduce_sum(g.data(), g.size());   // every rank ends with the sum over ranks, in place
//   std::vector<float> all = c.allgatherv(mine, &counts);  // every rank's vector, in rank order
//   if (c.is_writer()) write_results();    // one rank writes files and prints progress
//
// Two implementations, chosen by which file is linked, never by #ifdef: the default build links
// world_single.cpp (the job is this process: SingleProcess, whose collectives copy nothing and
// need no library); `make MPI=1` links communicator_mpi.cpp (OpenMPI's MPI_COMM_WORLD, initialised
// on the first call of world(), finalised at exit).
//
// Every rank must call the same collectives in the same order, with matching sizes where the
// operation needs them (allreduce_sum, broadcast). A rank that cannot go on calls abort(), which
// stops every rank with its message: the others would otherwise wait forever in their next
// collective. With MPI, an exception that escapes everything (std::terminate) aborts the same way,
// and the programs' mains hand theirs to exit_with_error().
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace llactr {

// What a rank has spent in collectives since the last reset_traffic() (docs/DISTRIBUTED.md).
struct CommTraffic {
  uint64_t calls = 0;       // collectives called
  uint64_t bytes_sent = 0;  // bytes of this rank's own buffers handed to them (payload, not wire bytes)
  double seconds = 0;       // wall time inside them, including the wait for the slowest rank
};

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;  // 0 .. size() - 1
  virtual int size() const = 0;
  // The one rank that writes files and prints progress (rank 0).
  bool is_writer() const { return rank() == 0; }

  // data[0, n) <- its sum over all ranks, on every rank. The order in which ranks' values are
  // added is the library's; every rank receives the same bits.
  virtual void allreduce_sum(float* data, size_t n) = 0;
  // Every rank's `local`, concatenated in rank order, on every rank; counts (when given) receives
  // each rank's length. Ranks may pass different lengths, including 0.
  virtual std::vector<float> allgatherv(const std::vector<float>& local, std::vector<size_t>* counts = nullptr) = 0;
  virtual std::vector<int32_t> allgatherv(const std::vector<int32_t>& local, std::vector<size_t>* counts = nullptr) = 0;
  // root's data[0, n) to every rank (n equal on every rank); the string version resizes the receivers'.
  virtual void broadcast(float* data, size_t n, int root = 0) = 0;
  virtual void broadcast(int32_t* data, size_t n, int root = 0) = 0;
  virtual void broadcast(std::string& text, int root = 0) = 0;
  virtual void barrier() = 0;
  // Prints "error (rank r of R): message" on stderr and ends every rank with exit status 1.
  [[noreturn]] virtual void abort(const std::string& message) = 0;

  const CommTraffic& traffic() const { return traffic_; }
  void reset_traffic() { traffic_ = CommTraffic(); }

 protected:
  CommTraffic traffic_;
};

// One process alone: rank 0 of 1. The collectives count their calls and move nothing.
class SingleProcess final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void allreduce_sum(float*, size_t) override { ++traffic_.calls; }
  std::vector<float> allgatherv(const std::vector<float>& local, std::vector<size_t>* counts = nullptr) override;
  std::vector<int32_t> allgatherv(const std::vector<int32_t>& local, std::vector<size_t>* counts = nullptr) override;
  void broadcast(float*, size_t, int root = 0) override;
  void broadcast(int32_t*, size_t, int root = 0) override;
  void broadcast(std::string&, int root = 0) override;
  void barrier() override { ++traffic_.calls; }
  [[noreturn]] void abort(const std::string& message) override;
};

// The contiguous share of n items (a global batch's rows or texts, a cache's rows) that rank
// `rank` of `size` takes: [n·rank/size, n·(rank+1)/size), in order, so that the shares of ranks
// 0..size-1 concatenated are the n items. With pad_empty, a share that would be empty (n < size,
// n > 0) holds the last item instead, marked padding: the rank still runs the step, with loss
// weight 0 (data::Batcher's slices; the LLM stages' batches of texts).
struct RankShare {
  size_t first = 0, count = 0;
  bool padding = false;
  // This share's part of a mean over the n items: count / n, 0 for padding.
  double weight(size_t n) const { return padding || n == 0 ? 0.0 : double(count) / double(n); }
};
RankShare rank_share(size_t n, int rank, int size, bool pad_empty);

// Σ over ranks of a count too large for a float's 24 bits (tokens read, rows scored), exactly.
int64_t sum_over_ranks(int64_t value, Communicator& comm);

// The communicator of this job (see the top of this file), or the one a ScopedWorld installed.
Communicator& world();

// Within its scope, world() returns c: the MPI tests train a one-process reference inside an
// `mpirun -np 2` job this way. Not thread-safe; scopes nest.
class ScopedWorld {
 public:
  explicit ScopedWorld(Communicator& c);
  ~ScopedWorld();
  ScopedWorld(const ScopedWorld&) = delete;
  ScopedWorld& operator=(const ScopedWorld&) = delete;

 private:
  Communicator* previous_;
};

// What a program's main does with an error that reached it: prints "program: error: message" on
// stderr and returns 1, the exit status. When the job has other ranks it aborts them all instead
// (Communicator::abort), since they would wait for this one in their next collective.
int exit_with_error(const std::string& program, const std::string& message);

}  // namespace llactr

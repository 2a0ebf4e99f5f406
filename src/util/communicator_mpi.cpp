// The MPI build's job (make MPI=1): MPI_COMM_WORLD, through OpenMPI. The only file that includes
// mpi.h; the Makefile links it instead of world_single.cpp.
//
// MPI is initialised on the first call of world() (MPI_THREAD_FUNNELED: OpenMP threads compute,
// only the calling thread talks to MPI) and finalised when the program exits normally. Once it
// is initialised, an exception that escapes everything reaches the std::terminate handler below,
// which aborts the whole job with the exception's message, so no rank is left waiting.
#include <mpi.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <stdexcept>

#include "job_world.h"
#include "llactr/util/clock.h"
#include "llactr/util/communicator.h"

namespace llactr {

namespace {

// MPI's counts are int.
int mpi_count(size_t n, const char* what) {
  if (n > size_t(INT_MAX))
    throw std::invalid_argument(std::string(what) + ": " + std::to_string(n) + " elements, more than MPI's int counts hold");
  return int(n);
}

class MpiWorld final : public Communicator {
 public:
  MpiWorld() {
    int initialised = 0;
    MPI_Initialized(&initialised);
    if (!initialised) {
      int provided = 0;
      MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
      owns_mpi_ = true;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    std::set_terminate(on_terminate);
  }
  ~MpiWorld() override {
    int finalised = 0;
    MPI_Finalized(&finalised);
    if (owns_mpi_ && !finalised) MPI_Finalize();
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void allreduce_sum(float* data, size_t n) override {
    Timed t(traffic_, n * sizeof(float));
    MPI_Allreduce(MPI_IN_PLACE, data, mpi_count(n, "allreduce_sum"), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
  }
  std::vector<float> allgatherv(const std::vector<float>& local, std::vector<size_t>* counts) override {
    return gather(local, MPI_FLOAT, counts);
  }
  std::vector<int32_t> allgatherv(const std::vector<int32_t>& local, std::vector<size_t>* counts) override {
    return gather(local, MPI_INT32_T, counts);
  }
  void broadcast(float* data, size_t n, int root) override { bcast(data, n, MPI_FLOAT, root); }
  void broadcast(int32_t* data, size_t n, int root) override { bcast(data, n, MPI_INT32_T, root); }
  void broadcast(std::string& text, int root) override {
    int64_t n = int64_t(text.size());
    bcast(&n, 1, MPI_INT64_T, root);
    text.resize(size_t(n));
    bcast(text.data(), size_t(n), MPI_CHAR, root);
  }
  void barrier() override {
    Timed t(traffic_, 0);
    MPI_Barrier(MPI_COMM_WORLD);
  }
  [[noreturn]] void abort(const std::string& message) override {
    std::fprintf(stderr, "error (rank %d of %d): %s\n", rank_, size_, message.c_str());
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, 1);
    std::_Exit(1);  // MPI_Abort does not return; this tells the compiler so
  }

 private:
  // Counts one collective: its call, the bytes this rank hands over, and the time inside it.
  struct Timed {
    Timed(CommTraffic& t, size_t bytes) : traffic(t), t0(Clock::now()) {
      ++traffic.calls;
      traffic.bytes_sent += bytes;
    }
    ~Timed() { traffic.seconds += seconds_since(t0); }
    CommTraffic& traffic;
    Clock::time_point t0;
  };

  template <class T>
  std::vector<T> gather(const std::vector<T>& local, MPI_Datatype type, std::vector<size_t>* counts_out) {
    Timed t(traffic_, sizeof(int64_t) + local.size() * sizeof(T));
    int64_t mine = int64_t(local.size());
    const size_t R = static_cast<size_t>(size_);
    std::vector<int64_t> sizes(R, 0);
    MPI_Allgather(&mine, 1, MPI_INT64_T, sizes.data(), 1, MPI_INT64_T, MPI_COMM_WORLD);
    std::vector<int> counts(R), displs(R);
    size_t total = 0;
    for (size_t r = 0; r < R; ++r) {
      counts[r] = mpi_count(size_t(sizes[r]), "allgatherv");
      displs[r] = mpi_count(total, "allgatherv");
      total += size_t(sizes[r]);
    }
    std::vector<T> all(total);
    MPI_Allgatherv(local.data(), int(mine), type, all.data(), counts.data(), displs.data(), type, MPI_COMM_WORLD);
    if (counts_out) counts_out->assign(sizes.begin(), sizes.end());
    return all;
  }

  void bcast(void* data, size_t n, MPI_Datatype type, int root) {
    if (root < 0 || root >= size_) throw std::invalid_argument("broadcast: no rank " + std::to_string(root));
    int type_size = 0;
    MPI_Type_size(type, &type_size);
    Timed t(traffic_, rank_ == root ? n * size_t(type_size) : 0);
    MPI_Bcast(data, mpi_count(n, "broadcast"), type, root, MPI_COMM_WORLD);
  }

  static void on_terminate();

  int rank_ = 0, size_ = 1;
  bool owns_mpi_ = false;
};

MpiWorld& mpi_world() {
  static MpiWorld w;
  return w;
}

// An exception nobody caught, on any rank: say what it was and stop every rank.
void MpiWorld::on_terminate() {
  std::string what = "terminate called without an active exception";
  if (std::exception_ptr e = std::current_exception()) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      what = std::string("uncaught exception: ") + ex.what();
    } catch (...) {
      what = "uncaught exception of an unknown type";
    }
  }
  mpi_world().abort(what);
}

}  // namespace

Communicator& job_world() { return mpi_world(); }

}  // namespace llactr

// The default build's job: this process alone. `make MPI=1` links communicator_mpi.cpp instead.
#include "job_world.h"

namespace llactr {

Communicator& job_world() {
  static SingleProcess single;
  return single;
}

}  // namespace llactr

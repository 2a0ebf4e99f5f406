// The job's own communicator, defined by the one of world_single.cpp (default build) and
// communicator_mpi.cpp (make MPI=1) that the Makefile links; world() returns it unless a
// ScopedWorld is active.
#pragma once
#include "llactr/util/communicator.h"

namespace llactr {

Communicator& job_world();

}  // namespace llactr

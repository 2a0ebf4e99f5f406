// ./run_experiment: see include/llactr/apps/experiment.h and src/apps/experiment.cpp.
#include <exception>

#include "llactr/apps/experiment.h"
#include "llactr/apps/thread_wait_policy.h"
#include "llactr/util/communicator.h"

int main(int argc, char** argv) {
  llactr::ensure_sleeping_idle_threads(argv);
  try {
    return llactr::run_experiment(argc, argv);
  } catch (const std::exception& e) {
    return llactr::exit_with_error("run_experiment", e.what());  // under mpirun: stops every rank
  }
}

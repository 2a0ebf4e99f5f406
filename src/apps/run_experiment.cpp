// ./run_experiment: see include/llactr/apps/experiment.h and src/apps/experiment.cpp.
#include <cstdio>
#include <exception>

#include "llactr/apps/experiment.h"
#include "llactr/apps/thread_wait_policy.h"

int main(int argc, char** argv) {
  llactr::ensure_sleeping_idle_threads(argv);
  try {
    return llactr::run_experiment(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "run_experiment: error: %s\n", e.what());
    return 1;
  }
}

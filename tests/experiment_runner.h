// ./run_experiment in-process for the tests: argv from strings, and the test's thread count kept.
#pragma once
#include <omp.h>

#include <string>
#include <vector>

#include "llactr/apps/experiment.h"
#include "llactr/tensor/gemm.h"

namespace llactr::testing {

inline int run_experiment_with(std::vector<std::string> args) {
  args.insert(args.begin(), "run_experiment");
  std::vector<char*> argv;
  for (std::string& s : args) argv.push_back(s.data());
  const int threads = omp_get_max_threads();
  const int rc = run_experiment(int(argv.size()), argv.data());
  set_threads(threads);  // run_experiment sets its own; the other tests keep theirs
  return rc;
}

}  // namespace llactr::testing

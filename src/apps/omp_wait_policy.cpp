#include "llactr/apps/omp_wait_policy.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace llactr {

void ensure_passive_omp_wait(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY")) return;
  setenv("OMP_WAIT_POLICY", "passive", 1);
  execv("/proc/self/exe", argv);
  // Only reached when execv failed: carry on, just slower on a busy machine.
  std::perror("note: could not restart with OMP_WAIT_POLICY=passive");
}

}  // namespace llactr

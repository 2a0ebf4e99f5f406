#include "llactr/apps/thread_wait_policy.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace llactr {

void ensure_sleeping_idle_threads(char** argv) {
  bool changed = false;
  const char* settings[][2] = {{"OMP_WAIT_POLICY", "passive"}, {"OPENBLAS_THREAD_TIMEOUT", "4"}};
  for (const auto& [name, value] : settings)
    if (!std::getenv(name)) {
      setenv(name, value, 1);
      changed = true;
    }
  if (!changed) return;
  execv("/proc/self/exe", argv);
  // Only reached when execv failed: carry on, just slower.
  std::perror("note: could not restart with OMP_WAIT_POLICY=passive and OPENBLAS_THREAD_TIMEOUT=4");
}

}  // namespace llactr

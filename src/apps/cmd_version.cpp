#include <Eigen/Core>
#include <cstdio>
#include <omp.h>

#include "llactr/apps/commands.h"
#include "llactr/apps/version.h"

namespace llactr {

int cmd_version(int, char**) {
  std::printf("llactr %s (Eigen %d.%d.%d, OpenMP %d threads max)\n", kVersion, EIGEN_WORLD_VERSION,
              EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION, omp_get_max_threads());
  return 0;
}

}  // namespace llactr

#include <Eigen/Core>
#include <cstdio>
#include <omp.h>

#include "llactr/apps/commands.h"
#include "llactr/apps/version.h"
#include "llactr/tensor/gemm.h"

namespace llactr {

int cmd_version(int, char**) {
  std::printf("llactr %s (Eigen %d.%d.%d, OpenMP %d threads max)\n", kVersion, EIGEN_WORLD_VERSION,
              EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION, omp_get_max_threads());
  std::printf("BLAS: %s\n", blas_config().c_str());
  return 0;
}

}  // namespace llactr

// Idle OpenMP threads must sleep, not spin: OpenBLAS runs its own threads beside OpenMP's, and
// with libgomp's default (spin, then sleep) the two pools spin against each other. On the
// 2-core machine with other work running, WuKong trained at 498 samples/s with the default and
// at 10,129 with OMP_WAIT_POLICY=passive (docs/PERFORMANCE.md). libgomp reads the variable once,
// before main(), so a program can only change it by starting itself again.
#pragma once

namespace llactr {

// When OMP_WAIT_POLICY is unset: set it to passive and re-execute this program with the same
// arguments (Linux /proc/self/exe). When it is set, by the user or by the re-execution, return.
void ensure_passive_omp_wait(char** argv);

}  // namespace llactr

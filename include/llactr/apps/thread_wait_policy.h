// Idle threads must sleep, not spin. Two pools share the cores: OpenMP's (our elementwise loops)
// and OpenBLAS's own pthreads (its GEMMs). Both spin for a while before they sleep, and then
// spin against each other and against the thread doing the work:
//  - libgomp's default spinning: on the 2-core machine with other work running, a backbone whose
//    step is many small ops (stacked blocks of small GEMMs and LayerNorms) trained at 498
//    samples/s with the default and at 10,129 with OMP_WAIT_POLICY=passive;
//  - OpenBLAS's workers call sched_yield in a loop for 2^28 cycles after each GEMM (~0.1 s): in a
//    profile of a two-stream MLP's training step, half of its worker thread's samples. With
//    OPENBLAS_THREAD_TIMEOUT=4 (2^4 cycles, its minimum) training steps were 5-16% faster on an idle machine
//    (docs/PERFORMANCE.md, "CTR training").
// Both libraries read their variable once, before main(), so a program can only change them by
// starting itself again.
#pragma once

namespace llactr {

// Sets OMP_WAIT_POLICY=passive and OPENBLAS_THREAD_TIMEOUT=4 where they are unset (a user's value
// is kept) and, if it set either, re-executes this program with the same arguments (Linux
// /proc/self/exe). Returns when both are set, by the user or by the re-execution.
void ensure_sleeping_idle_threads(char** argv);

}  // namespace llactr

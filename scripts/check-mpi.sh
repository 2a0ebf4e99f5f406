#!/usr/bin/env bash
# make check-mpi: the MPI build's tests under `mpirun -np 2`, then the fault test: a rank that
# throws must stop every rank with its message and a non-zero status, never hang (each run is
# under `timeout`, whose status 124 counts as a hang).
#
#   scripts/check-mpi.sh build/release-native-mpi/llactr_mpi_tests [gtest options]
set -uo pipefail
bin=$1
shift
# CI runs as root, which OpenMPI refuses unless told; --oversubscribe starts 2 ranks even when
# fewer cores are free; --bind-to none leaves the OS to place them (mpirun binds each rank to one
# core by default). One thread per rank: 2 ranks already fill the 2 cores CI has.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 OMP_WAIT_POLICY=passive
mpirun=(mpirun -np 2 --oversubscribe --bind-to none)

start=$SECONDS
timeout 300 "${mpirun[@]}" "$bin" "$@"
status=$?
if ((status == 124)); then echo "check-mpi: the MPI tests did not finish in 300 s (a hang?)" >&2; exit 1; fi
if ((status != 0)); then echo "check-mpi: the MPI tests failed (status $status)" >&2; exit 1; fi

# The last rank (1) throws; rank 0 waits in an allreduce. Both ways out of a rank: the exception
# escaping to std::terminate, and a main() that hands it to exit_with_error.
for path in terminate main; do
  out=$(LLACTR_FAULT_PATH=$path timeout 60 "${mpirun[@]}" -x LLACTR_FAULT_PATH "$bin" --gtest_filter='MpiFault.*' \
    --gtest_also_run_disabled_tests --gtest_catch_exceptions=0 2>&1)
  status=$?
  if ((status == 124)); then
    echo "check-mpi: fault test ($path): the job hung instead of stopping when rank 1 threw" >&2
    echo "$out" >&2
    exit 1
  fi
  if ((status == 0)) || ! grep -q "error (rank 1 of 2):.*rank 1 fails on purpose" <<<"$out"; then
    echo "check-mpi: fault test ($path): expected a non-zero status and rank 1's message, got status $status:" >&2
    echo "$out" >&2
    exit 1
  fi
  echo "check-mpi: fault test ($path): every rank stopped with rank 1's message (status $status)"
done
echo "check-mpi: passed in $((SECONDS - start)) s"

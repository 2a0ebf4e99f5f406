#!/usr/bin/env bash
# Install (or, with --check, only look for) llactr's build dependencies: Eigen 3.4, OpenBLAS,
# GoogleTest, Google Benchmark; OpenMP comes with g++. Debian/Ubuntu package names.
# With --mpi, also OpenMPI (libopenmpi-dev, openmpi-bin), which only `make MPI=1` and
# `make check-mpi` need.
#
#   scripts/install-deps.sh [--check] [--mpi]
set -euo pipefail
check=0 mpi=0
for arg in "$@"; do
  case $arg in
    --check) check=1 ;;
    --mpi) mpi=1 ;;
    *) echo "usage: $0 [--check] [--mpi]" >&2; exit 2 ;;
  esac
done
PKGS=(libeigen3-dev libopenblas-dev libgtest-dev libbenchmark-dev)
# One file that each package installs, to tell whether it is there.
FILES=(/usr/include/eigen3/Eigen/Core openblas_config.h /usr/include/gtest/gtest.h /usr/include/benchmark/benchmark.h)
if ((mpi)); then
  PKGS+=(libopenmpi-dev openmpi-bin)
  FILES+=(openmpi/mpi.h /usr/bin/mpirun.openmpi)
fi

missing=()
for i in "${!PKGS[@]}"; do
  f=${FILES[$i]}
  # Look for OpenBLAS's own header, not cblas.h: netlib's libblas-dev installs a cblas.h too,
  # without openblas_set_num_threads, so its presence says nothing about OpenBLAS.
  if [[ $f == openblas_config.h ]]; then
    compgen -G "/usr/include/*/openblas_config.h" >/dev/null || compgen -G "/usr/include/openblas_config.h" >/dev/null ||
      compgen -G "/usr/include/*/openblas*/openblas_config.h" >/dev/null || missing+=("${PKGS[$i]}")
  elif [[ $f == openmpi/mpi.h ]]; then  # under the multiarch folder: /usr/lib/x86_64-linux-gnu/openmpi/include
    compgen -G "/usr/lib/*/openmpi/include/mpi.h" >/dev/null || missing+=("${PKGS[$i]}")
  elif [[ ! -e $f ]]; then
    missing+=("${PKGS[$i]}")
  fi
done

if ((check)); then
  if ((${#missing[@]})); then
    echo "error: missing build dependencies: ${missing[*]}" >&2
    echo "       run:  make deps$( ((mpi)) && echo -mpi)     (or: sudo apt-get install -y ${missing[*]})" >&2
    exit 1
  fi
  exit 0
fi

if ((${#missing[@]} == 0)); then
  echo "deps: all present (${PKGS[*]})"
  exit 0
fi
SUDO=""
if [[ $(id -u) != 0 ]]; then SUDO="sudo"; fi
echo "deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"

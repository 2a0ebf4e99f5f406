#!/usr/bin/env bash
# Install (or, with --check, only look for) llactr's build dependencies: Eigen 3.4, OpenBLAS,
# GoogleTest, Google Benchmark; OpenMP comes with g++. Debian/Ubuntu package names.
set -euo pipefail
PKGS=(libeigen3-dev libopenblas-dev libgtest-dev libbenchmark-dev)
# One file that each package installs, to tell whether it is there.
FILES=(/usr/include/eigen3/Eigen/Core openblas_config.h /usr/include/gtest/gtest.h /usr/include/benchmark/benchmark.h)

missing=()
for i in "${!PKGS[@]}"; do
  f=${FILES[$i]}
  # Look for OpenBLAS's own header, not cblas.h: netlib's libblas-dev installs a cblas.h too,
  # without openblas_set_num_threads, so its presence says nothing about OpenBLAS.
  if [[ $f == openblas_config.h ]]; then
    compgen -G "/usr/include/*/openblas_config.h" >/dev/null || compgen -G "/usr/include/openblas_config.h" >/dev/null ||
      compgen -G "/usr/include/*/openblas*/openblas_config.h" >/dev/null || missing+=("${PKGS[$i]}")
  elif [[ ! -e $f ]]; then
    missing+=("${PKGS[$i]}")
  fi
done

if [[ ${1:-} == --check ]]; then
  if ((${#missing[@]})); then
    echo "error: missing build dependencies: ${missing[*]}" >&2
    echo "       run:  make deps     (or: sudo apt-get install -y ${missing[*]})" >&2
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

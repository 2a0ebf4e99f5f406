#!/usr/bin/env bash
# Run the Google Benchmark programs. quick: short minimum times and each program's quick
# filter (its BENCH_QUICK_FILTER line), for `make bench` (< 2 minutes); full: everything.
set -euo pipefail
mode=$1; shift
mkdir -p build/bench-results
for bin in "$@"; do
  name=$(basename "$bin")
  args=(--benchmark_out="build/bench-results/$name.json" --benchmark_out_format=json)
  if [[ $mode == quick ]]; then
    filter=$(grep -h '^// BENCH_QUICK_FILTER:' "bench/$name.cpp" | sed 's|^// BENCH_QUICK_FILTER: *||' || true)
    args+=(--benchmark_min_time=0.05)
    [[ -n $filter ]] && args+=(--benchmark_filter="$filter")
  fi
  echo "== $name"
  start=$SECONDS
  "$bin" "${args[@]}"
  echo "== $name: $((SECONDS - start)) s"
done

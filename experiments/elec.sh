#!/usr/bin/env bash
# ELEC (docs/ELEC.md) next to base on six backbones, SEEDS seeds (default 3), with the controls of
# issue 15: without score distillation (α = 0), without representation distillation (β = 0), a
# frozen LLM in stage 1, and without LLM (G gets v = 0: self-distillation alone). Each variant is
# one run folder; the aggregate puts them side by side with RelaImpr and the cost columns.
#   DATA=../shared/data experiments/elec.sh                 # ML-100K
#   DATA=../shared/data DATASET=ml1m experiments/elec.sh    # ml-1m-u2999
# BACKBONES picks a subset, THREADS the threads per run, RUNS where run folders go. A variant whose
# results.md exists (it finished) is not run again. Stage 1 and the vector cache are shared through
# data/cache/elec/<dataset> (the frozen variant caches the base model's vectors under another key).
set -euo pipefail
cd "$(dirname "$0")/.."
STUDY=elec
SEEDS=${SEEDS:-3}
source experiments/study.sh
variant() {  # variant NAME [options..]: ELEC rows NAME, NAME-gain (and NAME-llm)
  local name=$1; shift
  run "$name" --method elec --elec-label "$name" "$@"
}
run base --method base
run elec --method elec
# The control the results table needs first, then the ablations.
variant "w-o-LLM" --elec-without-llm
variant "w-o-score" --elec-alpha 0
variant "w-o-repr" --elec-beta 0
variant frozen-LLM --elec-llm-tune frozen
dirs=()
for name in base elec w-o-LLM w-o-score w-o-repr frozen-LLM; do
  dirs+=("$RUNS/$name"@*)
done
./run_experiment --aggregate --out "$OUT" "${dirs[@]}"

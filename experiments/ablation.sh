#!/usr/bin/env bash
# LLaCTR's ablations (six backbones, SEEDS seeds, default 3): the full method, w/o SSFT (the untuned
# LLM's field embeddings), w/o FRE, w/o FIE, frozen adapters (as the released code), the released
# code's FIE for FinalMLP/WuKong, and SSFT with InfoNCE / generative / both losses. Each variant is
# one run folder; the aggregate puts them side by side with the base runs and marks the variant
# chosen on validation AUC.
#   DATA=../shared/data experiments/ablation.sh                 # ML-100K
#   DATA=../shared/data DATASET=ml1m experiments/ablation.sh    # ml-1m-u2999
# BACKBONES picks a subset (run folders are named after it, so runs on other subsets add rows to
# the same table), THREADS the threads per run, RUNS where run folders go. A variant whose
# results.md exists (it finished) is not run again.
set -euo pipefail
cd "$(dirname "$0")/.."
STUDY=ablation
SEEDS=${SEEDS:-3}
source experiments/study.sh
variant() {  # variant NAME [options..]
  local name=$1; shift
  run "$name" --method llactr --llactr-label "$name" "$@"
}
run base --method base
variant LLaCTR
variant "w-o-SSFT" --llactr-ssft-epoch 0
variant "w-o-FRE" --llactr-lambda-fre 0
variant "w-o-FIE" --llactr-lambda-fie 0
variant frozen-adapters --llactr-frozen-adapters
variant released-FIE --llactr-fie-mode released
# LLaCTR above is SSFT with InfoNCE only (the default). Each loss caches its SSFT in its own folder,
# so that the variants do not overwrite each other's field embeddings.
variant SSFT-generative --ssft-loss generative --ssft-dir "data/cache/ssft/$label-generative"
variant SSFT-both --ssft-loss both --ssft-dir "data/cache/ssft/$label-both"
dirs=()
for name in base LLaCTR w-o-SSFT w-o-FRE w-o-FIE frozen-adapters released-FIE SSFT-generative SSFT-both; do
  dirs+=("$RUNS/$name"@*)
done
./run_experiment --aggregate --out "$OUT" "${dirs[@]}"

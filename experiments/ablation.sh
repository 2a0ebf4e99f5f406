#!/usr/bin/env bash
# LLaCTR's ablations on ML-100K (six backbones, SEEDS seeds, default 3): the full method, w/o SSFT
# (the untuned LLM's field embeddings), w/o FRE, w/o FIE, frozen adapters (as the released code),
# the released code's FIE for FinalMLP/WuKong, and SSFT with InfoNCE / generative / both losses.
# Each variant is one run folder; the aggregate puts them side by side with the base runs and
# marks the variant chosen on validation AUC.
#   DATA=../shared/data experiments/ablation.sh
# BACKBONES picks a subset (run folders are named after it, so runs on other subsets add rows to
# the same table), THREADS the threads per run, RUNS where run folders go. A variant whose
# results.json exists is not run again.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-data}
SEEDS=${SEEDS:-3}
BACKBONES=${BACKBONES:-six}
THREADS=${THREADS:-2}
RUNS=${RUNS:-results/ablation}
OUT=${OUT:-docs/results/ablation}
export OMP_WAIT_POLICY=passive
common=(--config experiments/ml100k_main.cfg --data-dir "$DATA/ml-100k" --seeds "$SEEDS"
        --llm-model "$DATA/stories260K/stories260K.gguf" --quiet --backbones "$BACKBONES" --threads "$THREADS")
run() {  # run NAME [options..]
  local dir="$RUNS/$1@${BACKBONES//,/-}"; shift
  [[ -f "$dir/results.json" ]] || ./run_experiment "${common[@]}" --out "$dir" "$@"
}
variant() {  # variant NAME [options..]
  local name=$1; shift
  run "$name" --method llactr --label "$name" "$@"
}
run base --method base
variant LLaCTR
variant "w-o-SSFT" --ssft-epoch 0
variant "w-o-FRE" --lambda-fre 0
variant "w-o-FIE" --lambda-fie 0
variant frozen-adapters --llactr-frozen-adapters
variant released-FIE --fie-mode released
# LLaCTR above is SSFT with InfoNCE only (the default). Each loss caches its SSFT in its own folder,
# so that the variants do not overwrite each other's field embeddings.
variant SSFT-generative --ssft-loss generative --ssft-dir data/cache/ssft/ml100k-generative
variant SSFT-both --ssft-loss both --ssft-dir data/cache/ssft/ml100k-both
dirs=()
for name in base LLaCTR w-o-SSFT w-o-FRE w-o-FIE frozen-adapters released-FIE SSFT-generative SSFT-both; do
  dirs+=("$RUNS/$name"@*)
done
./run_experiment --aggregate --out "$OUT" "${dirs[@]}"

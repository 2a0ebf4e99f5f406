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
# results.json exists is not run again.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-data}
DATASET=${DATASET:-ml100k}
SEEDS=${SEEDS:-3}
BACKBONES=${BACKBONES:-six}
THREADS=${THREADS:-2}
case $DATASET in
  ml100k) data_dir=ml-100k label=ml100k suffix= ;;
  ml1m) data_dir=ml-1m-u2999 label=ml1m-u2999 suffix=_ml1m ;;
  *) echo "DATASET must be ml100k or ml1m, not '$DATASET'" >&2; exit 2 ;;
esac
RUNS=${RUNS:-results/ablation$suffix}
OUT=${OUT:-docs/results/ablation$suffix}
export OMP_WAIT_POLICY=passive
common=(--config "experiments/${DATASET}_main.cfg" --data-dir "$DATA/$data_dir" --seeds "$SEEDS"
        --llm-model "$DATA/stories260K/stories260K.gguf" --quiet --backbones "$BACKBONES" --threads "$THREADS")
run() {  # run NAME [options..]
  local dir="$RUNS/$1@${BACKBONES//,/-}"; shift
  [[ -f "$dir/results.json" ]] || ./run_experiment "${common[@]}" --out "$dir" "$@"
}
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

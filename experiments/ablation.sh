#!/usr/bin/env bash
# LLaCTR's ablations on ML-100K (six backbones, SEEDS seeds, default 3): the full method, w/o SSFT
# (the untuned LLM's field embeddings), w/o FRE, w/o FIE, frozen adapters (as the released code),
# the released code's FIE for FinalMLP/WuKong, and SSFT with InfoNCE / generative / both losses.
# Each variant is one run folder; the aggregate puts them side by side with the base runs and
# marks the variant chosen on validation AUC.
#   DATA=../shared/data experiments/ablation.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-data}
SEEDS=${SEEDS:-3}
OUT=${OUT:-docs/results/ablation}
export OMP_WAIT_POLICY=passive
common=(--config experiments/ml100k_main.cfg --data-dir "$DATA/ml-100k" --seeds "$SEEDS"
        --llm-model "$DATA/stories260K/stories260K.gguf" --quiet)
variant() {  # variant NAME [options..]
  local name=$1; shift
  ./run_experiment "${common[@]}" --method llactr --label "$name" --out "results/ablation/$name" "$@"
}
./run_experiment "${common[@]}" --method base --out results/ablation/base
variant LLaCTR
variant "w-o-SSFT" --ssft-epoch 0
variant "w-o-FRE" --lambda-fre 0
variant "w-o-FIE" --lambda-fie 0
variant frozen-adapters --llactr-frozen-adapters
variant released-FIE --fie-mode released
variant SSFT-generative --ssft-loss generative   # LLaCTR above is SSFT with InfoNCE only (the default)
variant SSFT-both --ssft-loss both
./run_experiment --aggregate --out "$OUT" \
    results/ablation/{base,LLaCTR,w-o-SSFT,w-o-FRE,w-o-FIE,frozen-adapters,released-FIE,SSFT-generative,SSFT-both}

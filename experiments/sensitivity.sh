#!/usr/bin/env bash
# LLaCTR's sensitivity on ML-100K (six backbones, SEEDS seeds, default 1): λ_FRE and λ_FIE over
# {0.01, 0.05, 0.1, 0.3, 0.5, 0.7} (the other at its default 0.1), and the SSFT epoch whose field
# embeddings are used. The aggregate's validation table is the selection rule: the value with the
# best validation AUC, and its test AUC — never the best test AUC.
#   DATA=../shared/data experiments/sensitivity.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-data}
SEEDS=${SEEDS:-1}
OUT=${OUT:-docs/results/sensitivity}
export OMP_WAIT_POLICY=passive
common=(--config experiments/ml100k_main.cfg --data-dir "$DATA/ml-100k" --seeds "$SEEDS"
        --llm-model "$DATA/stories260K/stories260K.gguf" --quiet --method llactr)
values=(0.01 0.05 0.1 0.3 0.5 0.7)
./run_experiment "${common[@]}" --method base --out results/sensitivity/base
for v in "${values[@]}"; do
  ./run_experiment "${common[@]}" --lambda-fre "$v" --label "fre=$v" --out "results/sensitivity/fre_$v"
  ./run_experiment "${common[@]}" --lambda-fie "$v" --label "fie=$v" --out "results/sensitivity/fie_$v"
done
for e in ${SSFT_EPOCHS:-0 1 2 3}; do
  ./run_experiment "${common[@]}" --ssft-epoch "$e" --label "ssft-epoch=$e" --out "results/sensitivity/ssft_epoch_$e"
done
./run_experiment --aggregate --out "$OUT/lambda_fre" results/sensitivity/base results/sensitivity/fre_*
./run_experiment --aggregate --out "$OUT/lambda_fie" results/sensitivity/base results/sensitivity/fie_*
./run_experiment --aggregate --out "$OUT/ssft_epoch" results/sensitivity/base results/sensitivity/ssft_epoch_*

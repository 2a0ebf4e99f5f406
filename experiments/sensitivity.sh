#!/usr/bin/env bash
# LLaCTR's sensitivity (six backbones, SEEDS seeds, default 1): λ_FRE and λ_FIE over
# {0.01, 0.05, 0.1, 0.3, 0.5, 0.7} (the other at its default 0.1), and the SSFT epoch whose field
# embeddings are used. The aggregate's validation table is the selection rule: the value with the
# best validation AUC, and its test AUC — never the best test AUC.
#   DATA=../shared/data experiments/sensitivity.sh                 # ML-100K
#   DATA=../shared/data DATASET=ml1m experiments/sensitivity.sh    # ml-1m-u2999
# BACKBONES, THREADS and RUNS as in experiments/ablation.sh. The backbones' own sizes (DeepFM's MLP,
# DCNv2's depth) are a study of their own: experiments/backbone_sizes.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
STUDY=sensitivity
SEEDS=${SEEDS:-1}
source experiments/study.sh
values=(0.01 0.05 0.1 0.3 0.5 0.7)
run base --method base
for v in "${values[@]}"; do
  run "fre_$v" --method llactr --llactr-lambda-fre "$v" --llactr-label "fre=$v"
  run "fie_$v" --method llactr --llactr-lambda-fie "$v" --llactr-label "fie=$v"
done
for e in ${SSFT_EPOCHS:-0 1 2 3}; do
  run "ssft_epoch_$e" --method llactr --llactr-ssft-epoch "$e" --llactr-label "ssft-epoch=$e"
done
./run_experiment --aggregate --out "$OUT/lambda_fre" "$RUNS"/base@* "$RUNS"/fre_*
./run_experiment --aggregate --out "$OUT/lambda_fie" "$RUNS"/base@* "$RUNS"/fie_*
./run_experiment --aggregate --out "$OUT/ssft_epoch" "$RUNS"/base@* "$RUNS"/ssft_epoch_*

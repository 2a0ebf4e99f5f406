#!/usr/bin/env bash
# LLaCTR's main table: ML-100K and ml-1m-u2999, six backbones, base vs +LLaCTR, SEEDS seeds
# (default 3), then one aggregated table. Hyperparameters are the configs' (fixed, not tuned on test).
#   experiments/main_table.sh                 # data in data/ (after `make data` and `scripts/fetch-data.sh ml1m`)
#   DATA=../shared/data experiments/main_table.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-data}
SEEDS=${SEEDS:-3}
OUT=${OUT:-docs/results/main}
export OMP_WAIT_POLICY=passive
./run_experiment --config experiments/ml100k_main.cfg --data-dir "$DATA/ml-100k" --seeds "$SEEDS" \
    --llm-model "$DATA/stories260K/stories260K.gguf" --out results/ml100k_main --quiet
./run_experiment --config experiments/ml1m_main.cfg --data-dir "$DATA/ml-1m-u2999" --seeds "$SEEDS" \
    --llm-model "$DATA/stories260K/stories260K.gguf" --out results/ml1m-u2999_main --quiet
./run_experiment --aggregate --out "$OUT" results/ml100k_main results/ml1m-u2999_main

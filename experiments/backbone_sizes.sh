#!/usr/bin/env bash
# The backbones' sizes as a sensitivity study (docs/results/sensitivity_backbones.md): DeepFM's MLP
# width (--deepfm-mlp) and DCNv2's cross-network depth (--dcnv2-layers) on ML-100K, base only,
# SEEDS seeds (default 3), every other setting as experiments/ml100k_main.cfg. Each grid point is
# one run folder whose rows are named after the point (--base-label), so the aggregate's
# validation table is the selection rule: the point with the best validation AUC, and its test
# AUC — never the best test AUC. LR, the reference, is trained in every folder as usual.
#   DATA=../shared/data THREADS=1 experiments/backbone_sizes.sh
# DEEPFM_MLPS and DCNV2_LAYERS (space-separated) set the grids; THREADS (default 2), RUNS (the run
# folders) and OUT (the aggregates) as in experiments/study.sh. A finished point (its folder has
# results.md) is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-data}
SEEDS=${SEEDS:-3}
THREADS=${THREADS:-2}
RUNS=${RUNS:-results/sensitivity_backbones}
OUT=${OUT:-docs/results/sensitivity_backbones}
# DeepFM's default 300,300,128 (FuxiCTR's) among equal-width MLPs from 100 to 800.
DEEPFM_MLPS=${DEEPFM_MLPS:-100,100,100 200,200,200 300,300,128 400,400,400 800,800,800}
DCNV2_LAYERS=${DCNV2_LAYERS:-1 2 3 4}  # default 3
export OMP_WAIT_POLICY=passive
common=(--config experiments/ml100k_main.cfg --data-dir "$DATA/ml-100k" --seeds "$SEEDS" --method base
        --threads "$THREADS" --quiet)
point() {  # point BACKBONE NAME LABEL [options..]: one run folder, skipped when it finished
  local backbone=$1 dir="$RUNS/$2" label=$3; shift 3
  [[ -f "$dir/results.md" ]] || ./run_experiment "${common[@]}" --backbones "$backbone" --base-label "$label" \
      --out "$dir" "$@"
}
# A row's name holds no comma (epochs.csv): the point 400,400,400 is named mlp=400-400-400.
for m in $DEEPFM_MLPS; do point DeepFM "deepfm_mlp_${m//,/-}" "mlp=${m//,/-}" --deepfm-mlp "$m"; done
for l in $DCNV2_LAYERS; do point DCNv2 "dcnv2_layers_$l" "layers=$l" --dcnv2-layers "$l"; done
./run_experiment --aggregate --out "$OUT/deepfm_mlp" "$RUNS"/deepfm_mlp_*
./run_experiment --aggregate --out "$OUT/dcnv2_layers" "$RUNS"/dcnv2_layers_*

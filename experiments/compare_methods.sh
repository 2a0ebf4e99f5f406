#!/usr/bin/env bash
# The three LLM-enhanced methods side by side (docs/results/methods.md): base, LLaCTR, ELEC and
# ClickPrompt on ML-100K in ONE run_experiment process, so every method sees the same data, backbone
# initialisations and seed, and every inference µs is measured under the same conditions. Each
# method's LLM cost (seconds, tokens) is measured in this run: the SSFT and ELEC caches are the
# run folder's own, so a first run computes them (a rerun reads them back and reports the seconds
# recorded when they were computed). ClickPrompt runs its two served modes, `clickprompt` (fused, the
# reference's main mode) and `clickprompt-ctr`; `clickprompt-plm`, an ablation that costs as much as the
# fused row, runs in docs/results/clickprompt.md's experiments, so that the full run fits its budget.
#   DATA=../shared/data experiments/compare_methods.sh           # six backbones, SEEDS seeds (default 1), all rows
#   DATA=../shared/data experiments/compare_methods.sh --quick   # DeepFM; ClickPrompt's LLM stages on 10k train rows
# THREADS sets the threads (default 2), RUNS the run folder, OUT the aggregate's folder. The run is
# skipped when RUNS/results.md exists (a finished run); delete the folder to run again. BACKBONES
# (comma-separated) runs a subset, to split the full run over processes or machines, each with its own
# RUNS; aggregate their folders with ./run_experiment --aggregate --out OUT RUNS_A RUNS_B ...
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-data}
SEEDS=${SEEDS:-1}
THREADS=${THREADS:-2}
quick=()
suffix=
case ${1:-} in
  "") backbones=${BACKBONES:-six} ;;
  --quick)
    # The quick look: one backbone, and the two ClickPrompt stages that read every train row (PA-MLM
    # and the fused row's fine-tuning) on the same seeded 10k of ML-100K's 58,284 train rows.
    # LLaCTR's SSFT never reads train rows; ELEC's stage 1 reads 2000 (--elec-llm-rows) and its
    # cache must cover every row G trains on, so both are as in the full run.
    backbones=${BACKBONES:-DeepFM} suffix=_quick
    quick=(--clickprompt-mlm-rows 10000 --clickprompt-finetune-rows 10000) ;;
  *) echo "usage: experiments/compare_methods.sh [--quick]" >&2; exit 2 ;;
esac
RUNS=${RUNS:-results/compare_methods$suffix}
OUT=${OUT:-docs/results/methods$suffix}
export OMP_WAIT_POLICY=passive
if [[ ! -f "$RUNS/results.md" ]]; then
  start=$(date +%s)
  ./run_experiment --config experiments/ml100k_main.cfg --data-dir "$DATA/ml-100k" --seeds "$SEEDS" \
      --llm-model "$DATA/stories260K/stories260K.gguf" --backbones "$backbones" --threads "$THREADS" \
      --method base,llactr,elec,clickprompt --clickprompt-rows fused,ctr --ssft-dir "$RUNS/ssft" --elec-dir "$RUNS/elec" \
      "${quick[@]}" --out "$RUNS"
  wall=$(( $(date +%s) - start ))
  echo "compare_methods: $(( wall / 60 )) min $(( wall % 60 )) s wall" | tee "$RUNS/wall.txt"
fi
./run_experiment --aggregate --out "$OUT" "$RUNS"

# Sourced by ablation.sh, sensitivity.sh and elec.sh: the dataset choice, the run folders, the
# options every run shares and run(). The script sets STUDY (the folders' stem) and SEEDS' default.
DATA=${DATA:-data}
DATASET=${DATASET:-ml100k}
BACKBONES=${BACKBONES:-six}
THREADS=${THREADS:-2}
case $DATASET in
  ml100k) data_dir=ml-100k label=ml100k suffix= ;;
  ml1m) data_dir=ml-1m-u2999 label=ml1m-u2999 suffix=_ml1m ;;
  *) echo "DATASET must be ml100k or ml1m, not '$DATASET'" >&2; exit 2 ;;
esac
RUNS=${RUNS:-results/$STUDY$suffix}
OUT=${OUT:-docs/results/$STUDY$suffix}
export OMP_WAIT_POLICY=passive
common=(--config "experiments/${DATASET}_main.cfg" --data-dir "$DATA/$data_dir" --seeds "$SEEDS"
        --llm-model "$DATA/stories260K/stories260K.gguf" --quiet --backbones "$BACKBONES" --threads "$THREADS")
# A finished run folder has results.md, written once at the end; results.json is rewritten after
# every backbone and seed, so an interrupted run leaves one, and the run starts again from the top.
run() {  # run NAME [options..]: one run folder, skipped when it finished (has results.md)
  local dir="$RUNS/$1@${BACKBONES//,/-}"; shift
  [[ -f "$dir/results.md" ]] || ./run_experiment "${common[@]}" --out "$dir" "$@"
}

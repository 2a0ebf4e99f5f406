# Sourced by knowledge.sh and knowledge_ml100k.sh, after they set RUNS and the array `common`.
# run NAME [options..]: ./run_experiment "${common[@]}" options.. --out RUNS/NAME, with its log
# (RUNS/NAME.log) and wall time (RUNS/NAME.wall), printing the seeds' AUC lines and errors.
# results.md is written last, so it marks a finished run, which is not run again; a folder with
# options.cfg and no results.md was interrupted, and continues with --resume (results.json alone
# holds the runs finished so far: docs/RESUME.md).
run() {
  local name=$1; shift
  [[ -f $RUNS/$name/results.md ]] && { echo "$name: finished before, not run again"; return; }
  local resume=()
  [[ -f $RUNS/$name/options.cfg ]] && { resume=(--resume); echo "$name: interrupted before, resumed"; }
  local start; start=$(date +%s)
  ./run_experiment "${common[@]}" "$@" "${resume[@]}" --out "$RUNS/$name" 2>&1 | tee -a "$RUNS/$name.log" |
    grep --line-buffered -E "seed [0-9]+: (test|cold-item) AUC|error"
  echo "$name: $(( $(date +%s) - start )) s wall${resume:+ (resumed: this part only)}" | tee "$RUNS/$name.wall"
}

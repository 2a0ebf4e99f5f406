#!/usr/bin/env bash
# A real kill: ./run_experiment on ML-100K (LR and DeepFM, base, 4 epochs) is killed with SIGKILL
# once a training state is on disk, resumed with --resume, and its results.json's metrics must
# equal an uninterrupted run's, digit for digit (17 significant digits: the doubles' bits).
# `make test-resume`; skipped when ML-100K is not in data/ml-100k or $LLACTR_DATA_MIRROR/ml-100k.
set -euo pipefail
cd "$(dirname "$0")/.."
data=data/ml-100k
[[ -f $data/u.data ]] || data="${LLACTR_DATA_MIRROR:-}/ml-100k"
if [[ ! -f $data/u.data ]]; then
  echo "resume_kill: SKIPPED (no ML-100K in data/ml-100k or \$LLACTR_DATA_MIRROR/ml-100k; run make data)"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
args=(--dataset ml100k --data-dir "$data" --backbones DeepFM --method base --epochs 4 --patience 5
      --threads 2 --net-dropout 0.2 --cache-dir "" --quiet)
metrics() {  # the metrics of each run in results.json, one per line (timings left out)
  grep -o '"\(backbone\|valid_auc\|test_auc\|test_logloss\|test_gauc\|best_epoch\|epochs\)": *[^,}]*' "$1/results.json"
}

./run_experiment "${args[@]}" --out "$tmp/whole" >/dev/null 2>&1

./run_experiment "${args[@]}" --out "$tmp/killed" >/dev/null 2>&1 &
pid=$!
# Wait for DeepFM's first epoch state (LR, the reference, trains first), then kill at once.
for _ in $(seq 1 600); do
  compgen -G "$tmp/killed/state/*DeepFM*/train.state" >/dev/null && break
  kill -0 $pid 2>/dev/null || break
  sleep 0.1
done
if ! kill -9 $pid 2>/dev/null; then
  echo "resume_kill: FAILED (the run ended before it could be killed)"; exit 1
fi
wait $pid 2>/dev/null || true
echo "resume_kill: killed with states: $(cd "$tmp/killed" && ls state/*/ 2>/dev/null | tr '\n' ' ')"

./run_experiment "${args[@]}" --out "$tmp/killed" --resume >/dev/null 2>"$tmp/resume.log" || {
  cat "$tmp/resume.log"; exit 1; }
grep -q "resumed after epoch" "$tmp/resume.log" || { echo "resume_kill: FAILED (nothing resumed)"; exit 1; }
[[ $(metrics "$tmp/whole" | wc -l) -eq 14 ]] || { echo "resume_kill: FAILED (expected 2 runs x 7 metrics)"; exit 1; }
if diff <(metrics "$tmp/whole") <(metrics "$tmp/killed"); then
  echo "resume_kill: OK ($(grep -o 'resumed after epoch [0-9]*' "$tmp/resume.log" | head -1); metrics equal)"
else
  echo "resume_kill: FAILED (the resumed run's metrics differ, above)"; exit 1
fi

#!/usr/bin/env bash
# Issue 28, part 6 on real data: what each method carries from an LM that knows movies into a CTR
# model on ML-100K (docs/results/knowledge.md, "ML-100K"). Two tables:
#  - cold-item: `--split-mode cold-item` (a fifth of the movies never in train; their MovieID and
#    Title are out of vocabulary, their Genres are not), FM and DeepFM, 3 seeds: base, then LLaCTR and
#    ELEC with each of four LMs, then ClickPrompt fused/CTR over the generated text with each;
#  - the usual (chronological) split: LLaCTR on the six backbones with the movie LM against
#    stories260K's, 3 seeds.
# The four LMs are pretrain_knowledge.sh's with SCOPE=movies (context 128): the domain LM on the
# movie lines of ml-latest-small ("Toy Story (1995) is tagged pixar, fun."), its control (each
# title with another movie's genres and tags), the untrained LM, and stories260K. Their probe is
# bench/movie_probe.sh. No user of ML-100K wrote those tags (ml-latest-small's taggers are other
# people, years later), and the corpus holds no rating.
#   experiments/knowledge_ml100k.sh
# LM_DIR (default results/knowledge_movies), DATA (default data), THREADS (default 2), SEEDS, LMS
# (space-separated) and RUNS (default results/knowledge_ml100k) override; OUT is the aggregate's
# folder (default docs/results/knowledge_ml100k). A finished run is not run again, an interrupted
# one is resumed (experiments/run_folder.sh).
#
# ELEC runs three times per LM, as in knowledge.sh: over the instance text (ELEC as reconstructed,
# with LLaCTR in the same run), over the movie's title (--elec-text-fields Title, two-stage), and
# over what the LM writes about the movie (--elec-text-template "{Title} is tagged" --elec-generate
# 32, two-stage): the continuation is where a small LM keeps what it read about the title.
# Settings are experiments/ml100k_main.cfg's (chosen on the usual split's validation AUC,
# docs/BACKBONES.md); every LM reads the short SSFT prompt (experiments/ssft_prompt_short.txt),
# since the paper's is longer than the context of 128. ClickPrompt's LLM stages read a seeded 10,000
# train rows and early-stop on 5,000 validation rows, as in knowledge.sh, and run last.
# LM_DIR's LMs were pretrained with --packing per-epoch (pretrain_knowledge.sh's default since the
# fifth session): with fixed packing the same corpus and epochs gave a movie probe of 0.157, not 0.990.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-data}
LM_DIR=${LM_DIR:-results/knowledge_movies}
THREADS=${THREADS:-2}
SEEDS=${SEEDS:-3}
STORIES=${STORIES:-$DATA/stories260K/stories260K.gguf}
read -r -a lms <<<"${LMS:-domain control untrained stories260K}"
RUNS=${RUNS:-results/knowledge_ml100k}
OUT=${OUT:-docs/results/knowledge_ml100k}
export OMP_WAIT_POLICY=passive

make --no-print-directory llactr run_experiment
[[ -f $DATA/ml-100k/u.data ]] || make --no-print-directory data
model_of() { if [[ $1 == stories260K ]]; then echo "$STORIES"; else echo "$LM_DIR/$1/model.gguf"; fi; }
for lm in "${lms[@]}"; do
  [[ -f $(model_of "$lm") ]] || { echo "knowledge_ml100k.sh: $(model_of "$lm") is missing: run SCOPE=movies OUT=$LM_DIR experiments/pretrain_knowledge.sh" >&2; exit 1; }
done
mkdir -p "$RUNS"

common=(--config experiments/ml100k_main.cfg --data-dir "$DATA/ml-100k" --seeds "$SEEDS" --threads "$THREADS"
        --ssft-threads "$THREADS" --elec-threads "$THREADS" --clickprompt-threads "$THREADS"
        --ssft-prompt experiments/ssft_prompt_short.txt --cache-dir "$RUNS/cache")
source experiments/run_folder.sh

cold=(--split-mode cold-item --backbones FM,DeepFM --dataset-label ml100k-cold)
run cold-base "${cold[@]}" --method base
# The item rows of every LM first (minutes each), then the usual split's LLaCTR, then the
# instance-text rows (LLaCTR, and ELEC's LLM forward per row), then ClickPrompt.
for lm in "${lms[@]}"; do
  run "cold-$lm-elec-gen" "${cold[@]}" --llm-model "$(model_of "$lm")" --method elec \
    --elec-text-template "{Title} is tagged" --elec-generate 32 --elec-schedule two-stage \
    --elec-label "elec-gen-2s-$lm" --elec-dir "$RUNS/$lm/elec"
  run "cold-$lm-elec-title" "${cold[@]}" --llm-model "$(model_of "$lm")" --method elec --elec-text-fields Title \
    --elec-schedule two-stage --elec-label "elec-title-2s-$lm" --elec-dir "$RUNS/$lm/elec"
done
# The usual split: LLaCTR (the paper's setting) with the movie LM and with stories260K.
for lm in domain stories260K; do
  [[ " ${lms[*]} " == *" $lm "* ]] || continue
  run "usual-$lm" --llm-model "$(model_of "$lm")" --method base,llactr --llactr-label "llactr-$lm" \
    --ssft-dir "$RUNS/$lm/ssft-usual"
done
for lm in "${lms[@]}"; do
  run "cold-$lm" "${cold[@]}" --llm-model "$(model_of "$lm")" --method llactr,elec \
    --llactr-label "llactr-$lm" --elec-label "elec-$lm" --ssft-dir "$RUNS/$lm/ssft" --elec-dir "$RUNS/$lm/elec"
done
# ClickPrompt reads what the LM writes about the film, as ELEC's generated-text row: the instance
# text (124 tokens with the movie LMs' tokenizer) and 10 prompts do not fit their context of 128.
for lm in "${lms[@]}"; do
  run "cold-$lm-clickprompt-gen" "${cold[@]}" --llm-model "$(model_of "$lm")" --method clickprompt \
    --clickprompt-rows fused,ctr --clickprompt-mlm-rows 10000 --clickprompt-finetune-rows 10000 \
    --clickprompt-finetune-valid-rows 5000 --clickprompt-text-template "{Title} is tagged" --clickprompt-generate 32 \
    --clickprompt-label "clickprompt-gen-$lm"
done

runs=("$RUNS"/cold-base)
for lm in "${lms[@]}"; do
  runs+=("$RUNS/cold-$lm" "$RUNS/cold-$lm-elec-title" "$RUNS/cold-$lm-elec-gen" "$RUNS/cold-$lm-clickprompt-gen")
done
for lm in domain stories260K; do [[ " ${lms[*]} " == *" $lm "* ]] && runs+=("$RUNS/usual-$lm"); done
./run_experiment --aggregate --out "$OUT" "${runs[@]}"

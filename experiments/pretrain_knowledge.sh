#!/usr/bin/env bash
# Issue 28, parts 1-4: the knowledge corpus and its control, the tokenizer, three LMs of one shape
# (the domain LM on the corpus, the control LM on the scrambled corpus, the untrained init) and the
# knowledge probe of each, with stories260K beside them (docs/PRETRAIN.md, docs/KNOWLEDGE.md).
#   experiments/pretrain_knowledge.sh                 # SCOPE=chains: 25 epochs of the domain chains
#   SCOPE=categories experiments/pretrain_knowledge.sh  # 30 epochs of the domain glosses and chains
#   SCOPE=all experiments/pretrain_knowledge.sh       # the whole of WordNet + movie tags, 4000 steps
#   SCOPE=movies OUT=results/knowledge_movies experiments/pretrain_knowledge.sh  # the ML-100K rows' LMs
#   LENGTH="--max-steps 200" experiments/pretrain_knowledge.sh  # a smoke run of a few minutes
# SCOPE picks the corpus: chains (the hypernym chains of the probe categories' WordNet subtrees,
# 0.38M tokens; the default: its LM writes the right category for more words, and carries more to
# cold items through ELEC, than the categories LM: docs/results/knowledge.md), categories (the same
# subtrees' glosses and chains, 0.6M tokens), all (6.3M tokens; 4000 steps is 1.3 epochs) or movies (the
# movie lines of ML-100K's films, 1,587 lines, 28k tokens, 150 epochs at a context of 128: the LMs
# of knowledge_ml100k.sh, whose SSFT prompt over ML-100K's 9 fields needs 90 positions; its probe is
# bench/movie_probe.sh). SHAPE, LENGTH,
# LR, THREADS and OUT (default results/knowledge) override. An LM whose model.gguf exists is not
# trained again; delete it to retrain. The probe table goes to OUT/probe.md.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-results/knowledge}
SCOPE=${SCOPE:-chains}
context=64
[[ $SCOPE == movies ]] && context=128
SHAPE=${SHAPE:---dim 128 --layers 4 --heads 4 --ffn 384 --context $context}
LR=${LR:-2e-3}
THREADS=${THREADS:-2}
K=data/knowledge
STORIES=${STORIES:-data/stories260K/stories260K.gguf}
case $SCOPE in
  chains) corpus=$K/chains.txt control=$K/chains-control.txt LENGTH=${LENGTH:---epochs 25} ;;
  categories) corpus=$K/categories.txt control=$K/categories-control.txt LENGTH=${LENGTH:---epochs 30} ;;
  all) corpus=$K/corpus.txt control=$K/control.txt LENGTH=${LENGTH:---max-steps 4000} ;;
  movies) corpus=$K/movies.txt control=$K/movies-control.txt LENGTH=${LENGTH:---epochs 150} ;;
  *) echo "pretrain_knowledge.sh: SCOPE is chains, categories, all or movies, not '$SCOPE'" >&2; exit 2 ;;
esac

make --no-print-directory llactr
make --no-print-directory data-knowledge
[[ -f $STORIES ]] || make --no-print-directory data
mkdir -p "$OUT/probe"

train() {  # train NAME CORPUS [options..]: OUT/NAME/model.gguf
  local name=$1 corpus=$2; shift 2
  mkdir -p "$OUT/$name"
  [[ -f $OUT/$name/model.gguf ]] && { echo "$name: $OUT/$name/model.gguf exists, not retrained"; return; }
  # shellcheck disable=SC2086
  ./llactr pretrain --corpus "$corpus" --tokenizer "$K/tokenizer-4096.gguf" --out "$OUT/$name/model.gguf" $SHAPE \
    --batch 32 --threads "$THREADS" --seed 1 --eval-every 500 --checkpoint-every 500 "$@" 2>&1 | tee "$OUT/$name/log.txt"
}
# The untrained LM: one step at the smallest learning rate, 1e-12, which moves no weight of
# size ~0.02 by a float32 ulp: the init, written as a GGUF.
train untrained "$corpus" --max-steps 1 --lr 1e-12 --warmup 1
# shellcheck disable=SC2086
train domain "$corpus" $LENGTH --lr "$LR" --warmup 200
# shellcheck disable=SC2086
train control "$control" $LENGTH --lr "$LR" --warmup 200

if [[ $SCOPE == movies ]]; then  # what each LM writes about ML-100K's tagged movies
  for lm in domain control untrained stories260K; do
    model=$OUT/$lm/model.gguf
    [[ $lm == stories260K ]] && model=$STORIES
    echo "- $lm: $(bench/movie_probe.sh "$model" data/ml-100k 2>/dev/null)"
  done | tee "$OUT/probe.md"
  exit 0
fi

# Four probes per LM: the bare word (last and mean pooling); "{word} is a", whose last state is the
# one that predicts the category (docs/KNOWLEDGE.md, "The template matters"); and "{word} is a" with
# the 32 tokens the LM writes after it, mean-pooled: the text ELEC's generated-text rows read.
probes=("last|{word}|0|last" "mean|{word}|0|mean" "last|{word} is a|0|isa" "mean|{word} is a|32|isagen")
{
  echo "| LM | pooling | template | generated tokens | purity@10 | chance | probe accuracy | majority |"
  echo "|---|---|---|---|---|---|---|---|"
  for lm in domain control untrained stories260K; do
    model=$OUT/$lm/model.gguf
    [[ $lm == stories260K ]] && model=$STORIES
    for p in "${probes[@]}"; do
      IFS='|' read -r pool template generate tag <<<"$p"
      json=$OUT/probe/${lm}_$tag.json
      ./llactr probe --llm-model "$model" --categories "$K/corpus.txt.categories.tsv" --pool "$pool" \
        --template "$template" --generate "$generate" --out "$json" >&2
      num() { sed -E "s/.*\"$1\": ([-0-9.eE+]+).*/\1/" "$json"; }
      printf "| %s | %s | \`%s\` | %s | %.4f | %.4f | %.4f | %.4f |\n" "$lm" "$pool" "$template" "$generate" \
        "$(num purity)" "$(num purity_chance)" "$(num probe_accuracy)" "$(num probe_majority)"
    done
  done
  # What each LM writes: the share of 20 words a category whose "{word} is a" chain names it.
  echo
  echo "Generative probe (bench/generative_probe.sh, 20 words a category):"
  echo
  for lm in domain control untrained stories260K; do
    model=$OUT/$lm/model.gguf
    [[ $lm == stories260K ]] && model=$STORIES
    echo "- $lm: $(bench/generative_probe.sh "$model" 20 "$K/corpus.txt.categories.tsv" 2>/dev/null)"
  done
} | tee "$OUT/probe.md"

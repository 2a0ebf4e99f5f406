#!/usr/bin/env bash
# What an LM writes about a word, measured (docs/results/knowledge.md): for the first N words of
# each probe category, the share whose greedy continuation of "{word} is a" (40 tokens) names the
# word's category ("cello is a bowed stringed instrument, a stringed instrument, a musical
# instrument, ..." names musical_instrument.n.01). The linear probe of `llactr probe` reads one
# hidden state; this reads the words the model writes, where a small LM keeps most of what it knows.
#   bench/generative_probe.sh MODEL.gguf [N (default 20)] [CATEGORIES.tsv (default data/knowledge/corpus.txt.categories.tsv)]
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:?usage: bench/generative_probe.sh MODEL.gguf [N] [CATEGORIES.tsv]}
n=${2:-20}
tsv=${3:-data/knowledge/corpus.txt.categories.tsv}
[[ -f $model ]] || { echo "generative_probe.sh: $model is missing" >&2; exit 1; }
[[ -f $tsv ]] || { echo "generative_probe.sh: $tsv is missing: run make data-knowledge" >&2; exit 1; }
make --no-print-directory llactr >&2
hits=0 total=0
while IFS=$'\t' read -r word category; do
  name=${category%.n.*}
  name=${name//_/ }
  out=$(./llactr generate --llm-model "$model" --prompt "$word is a" --greedy --n 40 | tr '\n' ' ')
  total=$((total + 1))
  # The category as one of the chain's items: " musical instrument," or " fish." or " tree "
  if [[ $out == *" $name"[,.\ ]* ]]; then hits=$((hits + 1)); fi
done < <(grep -v '^#' "$tsv" | awk -F'\t' -v n="$n" '{ if (++seen[$2] <= n) print }')
awk -v h="$hits" -v t="$total" -v m="$model" 'BEGIN { printf "%s: %d of %d words (%.3f) name their category\n", m, h, t, h / t }'

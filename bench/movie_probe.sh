#!/usr/bin/env bash
# What an LM writes about a movie, measured (docs/results/knowledge.md, the ML-100K rows): for the
# ML-100K movies whose exact title has a tag line in the movie corpus ("Toy Story (1995) is tagged
# pixar, fun."), the share whose greedy continuation of "{Title} is tagged" (24 tokens) contains
# one of the movie's own tags, and the share that contains a tag of the movie N places on in the
# same list (the rate a model that writes frequent tags reaches without knowing the movie).
#   bench/movie_probe.sh MODEL.gguf [ML-100K folder (default data/ml-100k)] [CORPUS (default data/knowledge/movies.txt)]
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:?usage: bench/movie_probe.sh MODEL.gguf [ML-100K folder] [CORPUS]}
ml=${2:-data/ml-100k}
corpus=${3:-data/knowledge/movies.txt}
for f in "$model" "$ml/u.item" "$corpus"; do
  [[ -f $f ]] || { echo "movie_probe.sh: $f is missing (make data; make data-knowledge)" >&2; exit 1; }
done
make --no-print-directory llactr >&2
# title <TAB> tags (lower case, ", "-separated), for the ML-100K titles with a tag line
pairs=$(awk -F'|' 'NR == FNR { title[$2] = 1; next }
                   { i = index($0, " is tagged "); if (i == 0) next; t = substr($0, 1, i - 1)
                     if (t in title) { tags = tolower(substr($0, i + 11)); sub(/\.$/, "", tags); print t "\t" tags } }' \
        <(iconv -f latin1 -t utf-8 "$ml/u.item") "$corpus")
mapfile -t titles < <(cut -f1 <<<"$pairs")
mapfile -t tags < <(cut -f2 <<<"$pairs")
n=${#titles[@]}
own=0 other=0
# contains OUT TAGS: does the continuation hold one of the tags as whole words?
contains() {
  local out=" ${1,,} " tag
  IFS=$'\n' read -r -d '' -a list < <(sed 's/, /\n/g' <<<"$2"; printf '\0') || true
  for tag in "${list[@]}"; do [[ -n $tag && $out == *[\ ,]"$tag"[\ ,.]* ]] && return 0; done
  return 1
}
for ((i = 0; i < n; ++i)); do
  out=$(./llactr generate --llm-model "$model" --prompt "${titles[i]} is tagged" --greedy --n 24 | tr '\n' ' ')
  out=${out#*is tagged}
  contains "$out" "${tags[i]}" && own=$((own + 1))
  contains "$out" "${tags[(i + n / 2) % n]}" && other=$((other + 1))
done
awk -v o="$own" -v x="$other" -v n="$n" -v m="$model" \
  'BEGIN { printf "%s: %d of %d movies (%.3f) get one of their own tags; another movie'"'"'s: %d (%.3f)\n", m, o, n, o / n, x, x / n }'

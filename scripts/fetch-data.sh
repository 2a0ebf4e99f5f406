#!/usr/bin/env bash
# Fetch the data sets into data/ and check them against data/SHA256SUMS.
#
#   scripts/fetch-data.sh default   MovieLens-100K (data/ml-100k) and stories260K.gguf (data/stories260K)
#   scripts/fetch-data.sh ml1m      MovieLens-1M (data/ml-1m)
#   scripts/fetch-data.sh ml-latest-small   MovieLens latest-small (data/ml-latest-small): its
#                                   movies.csv and tags.csv feed the knowledge corpus
#
# With LLACTR_DATA_MIRROR=/some/folder, copies <mirror>/ml-100k and <mirror>/stories260K (for
# ml1m: <mirror>/ml-1m-u2999, else <mirror>/ml-1m) instead of downloading. Never writes outside data/.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=data
SUMS=$DATA/SHA256SUMS

ML100K_URL=https://files.grouplens.org/datasets/movielens/ml-100k.zip
ML1M_URL=https://files.grouplens.org/datasets/movielens/ml-1m.zip
MLSMALL_URL=https://files.grouplens.org/datasets/movielens/ml-latest-small.zip
STORIES_URL=https://huggingface.co/ggml-org/models/resolve/main/tinyllamas/stories260K.gguf

die() { echo "fetch-data: $*" >&2; exit 1; }

sha256_of() {
  if command -v sha256sum >/dev/null; then sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null; then shasum -a 256 "$1" | cut -d' ' -f1
  else die "need sha256sum (coreutils) or shasum to verify downloads"; fi
}

# verify NAME: checks every SHA256SUMS entry under data/NAME/.
# Returns 0 if all match, 1 if a file is missing, 2 (with a message) if one differs.
verify() {
  local name=$1 ok=0 hash path
  while read -r hash path; do
    [[ $path == "$name"/* ]] || continue
    [[ -f $DATA/$path ]] || return 1
    if [[ $(sha256_of "$DATA/$path") != "$hash" ]]; then
      echo "fetch-data: checksum mismatch for $DATA/$path (expected $hash)" >&2
      return 2
    fi
    ok=$((ok + 1))
  done < "$SUMS"
  (( ok > 0 )) || echo "fetch-data: note: no checksums listed for $name; not verified"
  return 0
}

download() {  # download URL FILE
  if command -v curl >/dev/null; then curl -fL --retry 3 -o "$2.part" "$1"
  elif command -v wget >/dev/null; then wget -O "$2.part" "$1"
  else die "need curl or wget: sudo apt-get install curl"; fi
  mv "$2.part" "$2"
}

unzip_into() {  # unzip_into ZIP: extracts into data/
  command -v unzip >/dev/null || die "need unzip to extract $1: sudo apt-get install unzip"
  unzip -q -o "$1" -d "$DATA"
  rm -f "$1"
}

# from_mirror NAME [TARGET]: copies <mirror>/NAME to data/TARGET; false if no mirror holds it.
from_mirror() {
  local name=$1 target=${2:-$1}
  [[ -n ${LLACTR_DATA_MIRROR:-} && -d $LLACTR_DATA_MIRROR/$name ]] || return 1
  echo "fetch-data: copying $LLACTR_DATA_MIRROR/$name -> $DATA/$target"
  rm -rf "${DATA:?}/$target"
  cp -r "$LLACTR_DATA_MIRROR/$name" "$DATA/$target"
  chmod -R u+w "$DATA/$target"
}

# fetch NAME: already there and verified, or copied from the mirror, or downloaded; then verified.
fetch() {
  local name=$1
  if verify "$name" >/dev/null 2>&1; then echo "fetch-data: $DATA/$name present and verified"; return; fi
  if ! from_mirror "$name"; then
    case $name in
      ml-100k) download "$ML100K_URL" "$DATA/ml-100k.zip" && unzip_into "$DATA/ml-100k.zip" ;;
      ml-1m) download "$ML1M_URL" "$DATA/ml-1m.zip" && unzip_into "$DATA/ml-1m.zip" ;;
      ml-latest-small) download "$MLSMALL_URL" "$DATA/ml-latest-small.zip" && unzip_into "$DATA/ml-latest-small.zip" ;;
      stories260K) mkdir -p "$DATA/stories260K" && download "$STORIES_URL" "$DATA/stories260K/stories260K.gguf" ;;
      *) die "unknown data set $name" ;;
    esac
  fi
  verify "$name" || die "$DATA/$name does not match $SUMS after fetching; delete it and retry"
  echo "fetch-data: $DATA/$name ready"
}

mkdir -p "$DATA"
case ${1:-default} in
  default)
    fetch ml-100k
    fetch stories260K ;;
  ml1m)
    # A mirror may hold the full ML-1M or only ml-1m-u2999 (the ratings of users 1..2999).
    if [[ -n ${LLACTR_DATA_MIRROR:-} && ! -d $LLACTR_DATA_MIRROR/ml-1m && -d $LLACTR_DATA_MIRROR/ml-1m-u2999 ]]; then
      fetch ml-1m-u2999
    else
      fetch ml-1m
    fi ;;
  ml-latest-small)
    fetch ml-latest-small ;;
  *) die "usage: $0 [default|ml1m|ml-latest-small]" ;;
esac

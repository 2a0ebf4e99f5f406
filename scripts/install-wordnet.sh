#!/usr/bin/env bash
# Install (or, with --check, only look for) WordNet 3.0's database, which the knowledge corpus
# reads: Debian's wordnet-base puts data.noun, data.verb, data.adj, data.adv in /usr/share/wordnet.
set -euo pipefail
DIR=/usr/share/wordnet
if [[ -f $DIR/data.noun && -f $DIR/data.verb && -f $DIR/data.adj && -f $DIR/data.adv ]]; then
  echo "wordnet: present in $DIR"
  exit 0
fi
if [[ ${1:-} == --check ]]; then
  echo "error: WordNet 3.0 is not in $DIR" >&2
  echo "       run:  make data-knowledge     (or: sudo apt-get install -y --no-install-recommends wordnet-base)" >&2
  exit 1
fi
SUDO=""
if [[ $(id -u) != 0 ]]; then SUDO="sudo"; fi
echo "wordnet: installing wordnet-base"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends wordnet-base

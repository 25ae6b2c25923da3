#!/usr/bin/env bash
# scripts/kddcup-size.sh [OUT]: a table the size of KDD Cup 99's 10% file
# (494,021 rows), which issue 22 measured peak memory on, made from
# NSL-KDD's KDDTrain+ (125,973 rows, the same 41 features, label and
# difficulty): three whole copies, then its first 116,102 rows, as gzip'd
# CSV in the nsl-kdd preset's format. The copies are exact duplicates;
# scripts/bench/kddcup-size.yaml keeps them (dedupe: none).
#
# The same bytes every time (gzip -n: no name, no time stamp). OUT defaults
# to scripts/bench/data/kddcup-size.csv.gz (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
src=../shared/datasets/nsl-kdd/KDDTrain+.txt.gz
out=${1:-scripts/bench/data/kddcup-size.csv.gz}
[ -r "$src" ] || { echo "kddcup-size: $src not found" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
tmp=$(mktemp "$out.XXXXXX")
trap 'rm -f "$tmp"' EXIT
{
  for _ in 1 2 3; do gzip -dc "$src"; done
  gzip -dc "$src" | awk 'NR <= 116102'
} | gzip -n -6 >"$tmp"
rows=$(gzip -dc "$tmp" | wc -l)
[ "$rows" -eq 494021 ] || { echo "kddcup-size: wrote $rows rows, not 494,021" >&2; exit 1; }
chmod 644 "$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "kddcup-size: $out, $rows rows"

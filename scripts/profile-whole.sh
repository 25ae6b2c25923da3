#!/usr/bin/env bash
# make profile-whole: profiles make bench-whole's two whole processes
# (scripts/bench/parity-one-seed.yaml and scripts/bench/nsl-kdd-whole.yaml)
# and prints where their CPU goes, stage by stage: the runner and the
# report label their work (internal/stage: data, features, split, each
# model, metrics, silhouette, leakage, parquet, aggregate, report load,
# figures, report write, html), so the breakdown is pprof's own
# (go tool pprof -tags). The profiles, a heap profile and an execution
# trace of the worker schedule stay in DIR for go tool pprof / go tool
# trace.
#
#   scripts/profile-whole.sh [DIR]      (default: a new temporary directory)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-$(mktemp -d)}
mkdir -p "$dir"
go build -o bin/harness ./harness
echo "profile-whole: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), profiles in $dir"
for work in parity nsl-kdd; do
  file=scripts/bench/parity-one-seed.yaml
  [ "$work" = nsl-kdd ] && file=scripts/bench/nsl-kdd-whole.yaml
  rm -rf "$dir/runs-$work"
  start=$(date +%s.%N)
  bin/harness run -out "$dir/runs-$work" -workers 2 \
    -cpuprofile "$dir/$work.cpu" -memprofile "$dir/$work.mem" -trace "$dir/$work.trace" \
    "$file" >"$dir/$work.log" 2>&1 || { cat "$dir/$work.log"; exit 1; }
  end=$(date +%s.%N)
  echo
  echo "== $work ($file): $(python3 -c "print(f'{$end - $start:.2f}')") s wall, profiled"
  go tool pprof -tags "$dir/$work.cpu" 2>/dev/null | sed -n '/stage:/,/^ *$/p'
done
echo
echo "profile-whole: go tool pprof -top -cum bin/harness $dir/WORK.cpu for functions, -tagfocus stage=NAME for one stage; go tool trace $dir/WORK.trace for the schedule"

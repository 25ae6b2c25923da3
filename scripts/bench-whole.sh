#!/usr/bin/env bash
# make bench-whole: the two whole processes of issue 22, timed as a user
# waits for them, each beside scikit-learn doing the same work without
# writing anything (scripts/reference/whole_reference.py), alternated in
# one run:
#
#   parity   one trial of the notebook's own 10,000 flows and its five
#            models, artifacts and report included (scripts/bench/parity-one-seed.yaml)
#   nsl-kdd  KDDTrain+ split 70/30, the random forest and the isolation
#            forest, artifacts and report included (scripts/bench/nsl-kdd-whole.yaml)
#
# Each round runs harness then scikit-learn (then the next round), every
# harness run into a fresh directory (nothing reused), with 2 workers
# against n_jobs=2. It prints each run's wall time and peak RSS (GNU time)
# and the medians' ratio. A benchmark, never a test: it needs scikit-learn
# (Debian's python3-sklearn) and skips without it.
#
#   scripts/bench-whole.sh [ROUNDS]      (default 3; make bench-whole)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
python=$(scripts/python-env.sh 2>/dev/null || true)/python3
if ! "$python" -c 'import sklearn, pandas' 2>/dev/null; then
  echo "bench-whole: scikit-learn and pandas are not installed: skipped" >&2
  exit 0
fi
[ -x /usr/bin/time ] || { echo "bench-whole: needs GNU time (/usr/bin/time, Debian package time)" >&2; exit 1; }
go build -o bin/harness ./harness
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# measure NAME CMD...: run CMD, append "NAME seconds peak-KiB" to $tmp/times.
measure() {
  local name=$1
  shift
  /usr/bin/time -f "%e %M" -o "$tmp/one" "$@" >"$tmp/$name.log" 2>&1 || { cat "$tmp/$name.log"; exit 1; }
  echo "$name $(cat "$tmp/one")" >>"$tmp/times"
}

echo "bench-whole: $rounds rounds, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
  for work in parity nsl-kdd; do
    file=scripts/bench/parity-one-seed.yaml
    [ "$work" = nsl-kdd ] && file=scripts/bench/nsl-kdd-whole.yaml
    measure "$work-harness" bin/harness run -out "$tmp/runs-$r" -workers 2 "$file"
    measure "$work-sklearn" "$python" scripts/reference/whole_reference.py "$work"
  done
  echo "bench-whole: round $r done, load $(cut -d' ' -f1-3 /proc/loadavg)"
done

python3 - "$tmp/times" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, secs, kib = line.split()
    runs.setdefault(name, []).append((float(secs), int(kib)))
print()
print("| work | harness (s) | scikit-learn (s) | ratio | harness peak RSS | scikit-learn peak RSS |")
print("|---|---|---|---:|---:|---:|")
for work in ("parity", "nsl-kdd"):
    h, s = runs[work + "-harness"], runs[work + "-sklearn"]
    hm, sm = statistics.median(t for t, _ in h), statistics.median(t for t, _ in s)
    fmt = lambda v: ", ".join(f"{t:.2f}" for t, _ in v)
    print(f"| {work} | {fmt(h)} (median {hm:.2f}) | {fmt(s)} (median {sm:.2f}) | {sm / hm:.1f}x | "
          f"{max(k for _, k in h) / 1024:.0f} MiB | {max(k for _, k in s) / 1024:.0f} MiB |")
PY

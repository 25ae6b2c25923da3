#!/usr/bin/env bash
# make bench-decide: /v1/decide's latency at 5,000 requests a second (issue
# 21), beside the machine's own floor, alternated in one run:
#
#   decide   harness serve -policy (a trial of scripts/bench/decide-load.yaml)
#            under harness loadtest -path /v1/decide -rate 5000
#   nop      the same load test against scripts/loadfloor/nop.c, a C server
#            that answers every request at once and does nothing: what is
#            left is the loopback path, the scheduler and the generator
#
# before them, scripts/loadfloor/hiccup.c counts how often this machine,
# idle, wakes a thread that sleeps 0.1 ms more than 1 ms late: at 5,000
# requests a second, each millisecond of such a stall makes about five
# requests late whatever the server. For each decide round it also reads
# the server's own histogram: the share of requests the handler took
# more than 1 ms over. It prints every run and the medians.
#
# A benchmark, never a test: the figures depend on the machine and on
# whatever else runs on it. It needs gcc.
#
#   scripts/bench-decide.sh [ROUNDS [DURATION]]   (default 3 and 10s)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
duration=${2:-10s}
command -v gcc >/dev/null || { echo "bench-decide: needs gcc" >&2; exit 1; }
go build -o bin/harness ./harness
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
gcc -O2 -Wall -o "$tmp/nop" scripts/loadfloor/nop.c
gcc -O2 -Wall -o "$tmp/hiccup" scripts/loadfloor/hiccup.c
bin/harness run -out "$tmp/runs" -workers 2 scripts/bench/decide-load.yaml >"$tmp/run.log" 2>&1 || { cat "$tmp/run.log"; exit 1; }
trial=$(dirname "$(find "$tmp/runs" -name policy.json | head -1)")
[ -d "$trial/model" ] || { echo "bench-decide: no exported model in $trial" >&2; exit 1; }

# free_port: a TCP port on 127.0.0.1 that nothing listens on.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# wait_up PORT: until GET /healthz answers.
wait_up() {
  for _ in $(seq 100); do
    curl -fsS -o /dev/null "http://127.0.0.1:$1/healthz" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench-decide: nothing answers on port $1" >&2
  exit 1
}
# load NAME PORT: harness loadtest /v1/decide; appends "NAME p99-ms p50-ms" to $tmp/p99.
load() {
  bin/harness loadtest -addr "127.0.0.1:$2" -path /v1/decide -rate 5000 -duration "$duration" >"$tmp/load.log" 2>&1 || { cat "$tmp/load.log"; exit 1; }
  grep -q ' 0 errors, 0 unsent' "$tmp/load.log" || { cat "$tmp/load.log"; exit 1; }
  local line
  line=$(grep '^latency' "$tmp/load.log")
  printf '%-7s %s\n' "$1" "$line"
  echo "$1 $(sed -E 's/.* p99 ([0-9.]+)ms.*/\1/' <<<"$line") $(sed -E 's/.* p50 ([0-9.]+)ms.*/\1/' <<<"$line")" >>"$tmp/p99"
}

echo "bench-decide: $rounds rounds of $duration at 5,000 req/s, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$tmp/hiccup" 10
for r in $(seq "$rounds"); do
  port=$(free_port)
  bin/harness serve -model "$trial/model" -policy "$trial/policy.json" -addr "127.0.0.1:$port" >"$tmp/serve.log" 2>&1 &
  pids+=($!)
  wait_up "$port"
  load decide "$port"
  curl -fsS "http://127.0.0.1:$port/metrics" | python3 -c '
import sys
le, total = {}, 0
for line in sys.stdin:
    if line.startswith("harness_serve_request_duration_seconds_bucket{endpoint=\"/v1/decide\""):
        le[line.split("le=\"")[1].split("\"")[0]] = float(line.split()[-1])
n = le.get("+Inf", 0)
print("        server histogram: %d requests, %.3f%% over 1 ms in the handler" % (n, 100 * (n - le.get("0.001", 0)) / max(n, 1)))
'
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
  port=$(free_port)
  "$tmp/nop" "$port" &
  pids+=($!)
  wait_up "$port"
  load nop "$port"
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
done
python3 - "$tmp/p99" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, p99, p50 = line.split()
    runs.setdefault(name, []).append((float(p99), float(p50)))
print()
print("| server | p99 per round (ms) | median p99 | median p50 |")
print("|---|---|---:|---:|")
for name in ("decide", "nop"):
    r = runs[name]
    print("| %s | %s | %.3f | %.3f |" % (name, ", ".join("%.3f" % p for p, _ in r),
          statistics.median(p for p, _ in r), statistics.median(q for _, q in r)))
PY

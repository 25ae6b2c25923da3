#!/usr/bin/env bash
# make cluster-test: the deployment paths tested on real daemons, started
# here as this script's own processes (no systemd), configured in a
# temporary directory, and stopped at the end, whatever happens.
#
# 1. Slurm (deploy/slurm/): a one-node cluster (munged, slurmctld, slurmd)
#    runs scripts/cluster/sweep.yaml as a four-task job array and its
#    dependent merge job (deploy/slurm/submit.sh). One task is cancelled
#    while it runs (scancel) after finishing a trial, then resubmitted: it
#    must reuse the trials it finished. The merged run must be
#    byte-identical to a local harness run of the same file.
# 2. Prometheus (deploy/prometheus/): harness serve serves a trial's
#    exported model; promtool checks its /metrics, the example rules and a
#    scrape config; Prometheus scrapes it while harness loadtest drives
#    load, and the request counter and the p99 of the latency histogram
#    are read back through Prometheus's HTTP query API. The counter must
#    equal the server's own.
#
# It installs Debian's slurm-wlm, munge and prometheus where they are
# missing (apt-get, as root or through sudo). Usage: scripts/cluster-test.sh
# [HARNESS_BINARY] (default bin/harness, which make builds).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
harness=$(realpath "${1:-bin/harness}")
start_time=$(date +%s)

say() { printf 'cluster-test: %s\n' "$*"; }
die() { printf 'cluster-test: FAIL: %s\n' "$*" >&2; exit 1; }

# Packages.
missing=()
for c in munged:munge slurmctld:slurm-wlm slurmd:slurm-wlm sbatch:slurm-wlm prometheus:prometheus promtool:prometheus; do
  command -v "${c%%:*}" >/dev/null 2>&1 || command -v "/usr/sbin/${c%%:*}" >/dev/null 2>&1 || missing+=("${c#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  say "installing $(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $(printf '%s\n' "${missing[@]}" | sort -u) >/dev/null
fi
export PATH="$PATH:/usr/sbin"

tmp=$(mktemp -d /tmp/harness-cluster.XXXXXX)
chmod 755 "$tmp" # munged requires every directory above its socket to be searchable
pids=()
cleanup() {
  local rc=$?
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ $rc -ne 0 ]; then
    for f in "$tmp"/*.log "$tmp"/slurm/*.out; do
      [ -f "$f" ] && { echo "--- $f (last lines)"; tail -n 20 "$f"; }
    done
  fi
  rm -rf "$tmp"
  exit $rc
}
trap cleanup EXIT

# wait_for TIMEOUT_SECONDS WHAT COMMAND...: poll COMMAND every 0.2 s.
wait_for() {
  local limit=$1 what=$2
  shift 2
  local deadline=$(($(date +%s) + limit))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || die "timed out after ${limit}s waiting for $what"
    sleep 0.2
  done
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- munge -----------------------------------------------------------------
mkdir -p "$tmp/munge"
chmod 755 "$tmp/munge"
mungekey -c -k "$tmp/munge/munge.key" >/dev/null 2>&1 || die "mungekey failed"
munged -F -S "$tmp/munge/munge.socket" --key-file="$tmp/munge/munge.key" \
  --pid-file="$tmp/munge/munged.pid" --seed-file="$tmp/munge/munge.seed" \
  --log-file="$tmp/munged.log" &
pids+=($!)
wait_for 10 "munged's socket" test -S "$tmp/munge/munge.socket"

# --- slurm -----------------------------------------------------------------
host=$(hostname -s)
mkdir -p "$tmp/slurm/state" "$tmp/slurm/spool"
node=$(slurmd -C | head -n 1)
cat >"$tmp/slurm.conf" <<EOF
ClusterName=harness
SlurmctldHost=$host
SlurmUser=$(id -un)
AuthType=auth/munge
AuthInfo=socket=$tmp/munge/munge.socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
SchedulerParameters=batch_sched_delay=0
MinJobAge=600
StateSaveLocation=$tmp/slurm/state
SlurmdSpoolDir=$tmp/slurm/spool
SlurmctldPidFile=$tmp/slurm/slurmctld.pid
SlurmdPidFile=$tmp/slurm/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
$node
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$tmp/slurm.conf
slurmctld -D -c -f "$SLURM_CONF" >"$tmp/slurmctld.stdout.log" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$tmp/slurmd.stdout.log" 2>&1 &
pids+=($!)
wait_for 30 "the node to be idle" sh -c 'sinfo -h -o %t | grep -q idle'
say "slurm up: $(sinfo -h -o '%P %D %t %c')"

# state JOB: the job's (or array task's) state, e.g. RUNNING.
state() { scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -n 1; }
is_state() { [ "$(state "$1")" = "$2" ]; }

cd "$tmp/slurm" # sbatch writes its job logs here
experiment=$root/scripts/cluster/sweep.yaml
runs=$tmp/slurm-runs
read -r array merge < <(HARNESS=$harness "$root/deploy/slurm/submit.sh" "$experiment" 4 "$runs")
say "submitted array job $array (4 shards) and merge job $merge (afterok)"

# Cancel task 1 while it runs, once it has finished a trial.
wait_for 120 "task ${array}_1 to finish a trial while running" sh -c \
  "grep -q 'trial [0-9]*/' harness-sweep-${array}_1.out && [ \"\$(scontrol show job ${array}_1 | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')\" = RUNNING ]"
scancel "${array}_1"
wait_for 30 "task ${array}_1 to be cancelled" is_state "${array}_1" CANCELLED
before=$(grep -c 'trial [0-9]*/' "harness-sweep-${array}_1.out" || true)
say "cancelled task ${array}_1 after $before finished trial(s)"
# The merge job's dependency can no longer be met: Slurm removes it
# (--kill-on-invalid-dep). The other tasks finish.
for i in 0 2 3; do wait_for 300 "task ${array}_$i" is_state "${array}_$i" COMPLETED; done
wait_for 30 "merge job $merge to be cancelled" sh -c "[ \"\$(scontrol show job $merge | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')\" != PENDING ]"

# Resubmit task 1 alone, then the merge after it.
name=cluster-sweep
env="ALL,EXPERIMENT=$experiment,SHARDS=4,OUT=$runs,NAME=$name,HARNESS=$harness"
again=$(sbatch --parsable --array=1 --export="$env" "$root/deploy/slurm/sweep.sbatch")
again=${again%%;*}
merge2=$(sbatch --parsable --dependency="afterok:$again" --kill-on-invalid-dep=yes --export="$env" "$root/deploy/slurm/merge.sbatch")
merge2=${merge2%%;*}
say "resubmitted shard 1 as $again, merge as $merge2"
wait_for 300 "merge job $merge2" sh -c "s=\$(scontrol show job $merge2 | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p'); [ \"\$s\" = COMPLETED ] || { [ \"\$s\" = FAILED ] || [ \"\$s\" = CANCELLED ] && exit 2; exit 1; }"
is_state "$merge2" COMPLETED || die "merge job $merge2 ended $(state "$merge2")"
reused=$(grep -c 'up to date, reused' "harness-sweep-${again}_1.out" || true)
ran=$(grep 'trial [0-9]*/' "harness-sweep-${again}_1.out" | grep -vc 'reused' || true)
[ "$reused" -ge 1 ] && [ "$reused" -eq "$before" ] || die "the resubmitted shard reused $reused trials, want the $before finished before the cancel"
say "shard 1 resumed: $reused trial(s) reused, $ran run"

# The local run, byte for byte.
cd "$tmp"
"$harness" run -out "$tmp/local-runs" -workers 2 "$experiment" >"$tmp/local.log" 2>&1 || die "local run failed"
if ! diff -r -x .harness.lock "$tmp/local-runs/$name" "$runs/$name" >"$tmp/diff.log"; then
  head -n 20 "$tmp/diff.log"
  die "the Slurm run differs from the local run"
fi
files=$(find "$runs/$name" -type f ! -name .harness.lock | wc -l)
say "the merged Slurm run is byte-identical to the local run ($files files)"
"$harness" verify "$runs/$name" >/dev/null || die "harness verify failed on the Slurm run"

# --- Prometheus --------------------------------------------------------------
model=$(find "$runs/$name/trials" -type d -name model | sort | head -n 1)
[ -n "$model" ] || die "no exported model in the run"
sport=$(free_port)
"$harness" serve -model "$model" -addr "127.0.0.1:$sport" >"$tmp/serve.log" 2>&1 &
pids+=($!)
wait_for 30 "harness serve" curl -fsS "http://127.0.0.1:$sport/healthz"
curl -fsS "http://127.0.0.1:$sport/metrics" >"$tmp/metrics.txt"
promtool check metrics <"$tmp/metrics.txt" || die "promtool check metrics failed on /metrics"
say "promtool check metrics: /metrics passes"
promtool check rules "$root/deploy/prometheus/rules.yml" >"$tmp/rules.log" || { cat "$tmp/rules.log"; die "promtool check rules failed"; }
promtool test rules "$root/deploy/prometheus/rules_test.yml" >"$tmp/rules-test.log" || { cat "$tmp/rules-test.log"; die "promtool test rules failed"; }
say "promtool: deploy/prometheus/rules.yml checks and its unit tests pass"

pport=$(free_port)
sed -e "s/127.0.0.1:8080/127.0.0.1:$sport/" -e "s/scrape_interval: 15s/scrape_interval: 1s/" -e "s/evaluation_interval: 15s/evaluation_interval: 1s/" \
  -e "s#rules.yml#$root/deploy/prometheus/rules.yml#" "$root/deploy/prometheus/prometheus.yml" >"$tmp/prometheus.yml"
promtool check config "$tmp/prometheus.yml" >/dev/null || die "promtool check config failed"
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
  --web.listen-address="127.0.0.1:$pport" >"$tmp/prometheus.log" 2>&1 &
pids+=($!)
query() { curl -fsS --get "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1" | python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "")'; }
wait_for 60 "Prometheus's first scrape" sh -c "[ -n \"\$(curl -fsS --get http://127.0.0.1:$pport/api/v1/query --data-urlencode 'query=up{job=\"harness-serve\"} == 1' | grep -o '\"result\":\[{')\" ]"

"$harness" loadtest -addr "127.0.0.1:$sport" -rate 500 -duration 5s >"$tmp/loadtest.log" 2>&1 || { cat "$tmp/loadtest.log"; die "harness loadtest failed"; }
sent=$(sed -n 's/^requests: \([0-9]*\) sent.*/\1/p' "$tmp/loadtest.log")
own=$(curl -fsS "http://127.0.0.1:$sport/metrics" | awk '/^harness_serve_requests_total\{code="200",endpoint="\/v1\/score"\}/ {print $2}')
[ "$own" = "$sent" ] || die "the server counted $own scoring requests, the load test sent $sent"
wait_for 30 "Prometheus to scrape the load" sh -c "[ \"\$(curl -fsS --get http://127.0.0.1:$pport/api/v1/query --data-urlencode 'query=sum(harness_serve_requests_total{endpoint=\"/v1/score\",code=\"200\"})' | grep -o '\"$sent\"')\" = '\"$sent\"' ]"
wait_for 30 "the recording rule's p99" sh -c "curl -fsS --get http://127.0.0.1:$pport/api/v1/query --data-urlencode 'query=harness:serve_request_duration_seconds:p99_1m{endpoint=\"/v1/score\"} > 0' | grep -q '\"result\":\[{'"
counted=$(query 'sum(harness_serve_requests_total{endpoint="/v1/score",code="200"})')
p99=$(query 'histogram_quantile(0.99, sum by (le) (increase(harness_serve_request_duration_seconds_bucket{endpoint="/v1/score"}[1m])))')
rule=$(query 'harness:serve_request_duration_seconds:p99_1m{endpoint="/v1/score"}')
[ "$counted" = "$sent" ] || die "Prometheus counted $counted requests, want $sent"
[ -n "$p99" ] && [ -n "$rule" ] || die "no p99 from Prometheus"
say "loadtest: $(grep -E '^(achieved|latency)' "$tmp/loadtest.log" | tr '\n' ' ')"
say "Prometheus query API: sum(harness_serve_requests_total{endpoint=\"/v1/score\",code=\"200\"}) = $counted (the server's own: $own); p99 of harness_serve_request_duration_seconds over 1m = ${p99}s; recording rule harness:serve_request_duration_seconds:p99_1m = ${rule}s"
say "PASS in $(($(date +%s) - start_time))s"

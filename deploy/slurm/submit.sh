#!/bin/bash
# Submit a sharded sweep to Slurm: a job array of SHARDS tasks (one shard
# each, sweep.sbatch) and the merge job that runs when every task has
# succeeded (merge.sbatch, --dependency=afterok). Prints the two job IDs.
#
#   deploy/slurm/submit.sh EXPERIMENT.yaml SHARDS OUT [sbatch options...]
#
# OUT must be on a file system every node mounts. HARNESS (the binary) and
# WORKERS are passed on; extra arguments go to both sbatch calls (say
# --partition=cpu or --time=4:00:00).
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 EXPERIMENT.yaml SHARDS OUT [sbatch options...]" >&2
  exit 2
fi
experiment=$1 shards=$2 out=$3
shift 3
case $shards in
  '' | *[!0-9]* | 0) echo "$0: SHARDS must be a positive integer, got '$shards'" >&2; exit 2 ;;
esac
[ -r "$experiment" ] || { echo "$0: cannot read $experiment" >&2; exit 2; }
name=$(sed -n 's/^name:[[:space:]]*//p' "$experiment" | head -n 1 | tr -d "\"'")
[ -n "$name" ] || { echo "$0: $experiment has no top-level name:" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
env="ALL,EXPERIMENT=$experiment,SHARDS=$shards,OUT=$out,NAME=$name"
array=$(sbatch --parsable --array="0-$((shards - 1))" --export="$env" "$@" "$here/sweep.sbatch")
array=${array%%;*}
merge=$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes --export="$env" "$@" "$here/merge.sbatch")
merge=${merge%%;*}
echo "$array $merge"

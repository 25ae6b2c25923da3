#!/usr/bin/env bash
# Reads the Parquet datasets the harness writes with tools outside Go:
# DuckDB (through its Node.js client, installed from the npm registry into
# scripts/interop/node_modules) and, where it has a Parquet engine, pandas.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d scripts/interop/node_modules/@duckdb/node-api ]; then
  (cd scripts/interop && npm ci --no-audit --no-fund --loglevel=error)
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/interop.yaml" <<'YAML'
name: interop
seeds: [1, 2]
data:
  generator: [notebook, consistent]
  flows: 5000
  difficulty: 0.5
models:
  - {name: rf, kind: random_forest, trees: 10}
  - {name: iso, kind: isolation_forest, contamination: 0.05}
  - {name: types, kind: random_forest, target: anomaly_type, trees: 10}
  - {name: km, kind: kmeans, k: 4, n_init: 2}
  - {name: db, kind: dbscan, eps: 1.5, min_samples: 5}
YAML
bin/harness run -out "$tmp/runs" experiments/baseline.yaml "$tmp/interop.yaml" >/dev/null 2>&1
for run in "$tmp"/runs/*/; do
  node scripts/interop/check.mjs "$run" datasets/testdata/dataset.schema
done
bin/harness export -out "$tmp/export" "$tmp"/runs/*/ >/dev/null
node scripts/interop/check_export.mjs "$tmp/export" "$tmp"/runs/*/

# The leakage report against DuckDB's counts from the files themselves:
# a CICFlowMeter-like table (names with spaces and slashes) whose rows
# repeat within each file and across them, with a vector of two labels.
{
  echo 'Flow Duration,Flow Bytes/s,Protocol,Label'
  for i in $(seq 0 59); do
    echo "$((i % 5)),$((100 + i % 3)).5,$((i % 2 == 0 ? 6 : 17)),$([ $((i % 4)) -eq 0 ] && echo PortScan || echo BENIGN)"
  done
} > "$tmp/train.csv"
{
  echo 'Flow Duration,Flow Bytes/s,Protocol,Label'
  for i in $(seq 0 29); do
    echo "$((i % 5)),$((100 + i % 4)).5,$((i % 2 == 0 ? 6 : 17)),$([ $((i % 3)) -eq 0 ] && echo DDoS || echo BENIGN)"
  done
} > "$tmp/test.csv"
cat > "$tmp/leak.yaml" <<'YAML'
name: leak
seeds: [1]
data:
  source: table
  table:
    files: [train.csv]
    test: [test.csv]
    header: true
    label: Label
    normal: [BENIGN]
    categories: {probe: [PortScan], dos: [DDoS]}
    numeric: [Flow Duration, Flow Bytes/s]
    categorical: [Protocol]
models:
  - {name: iso, kind: isolation_forest}
YAML
bin/harness run -out "$tmp/leakruns" "$tmp/leak.yaml" >/dev/null 2>&1
node scripts/interop/check_leakage.mjs "$tmp/leakruns/leak" "$tmp/train.csv" "$tmp/test.csv" Label "Flow Duration" "Flow Bytes/s" Protocol

status=0
for run in "$tmp"/runs/*/; do
  python3 scripts/interop/check_pandas.py "$run" datasets/testdata/dataset.schema || status=$?
  [ "$status" -eq 3 ] && break
  [ "$status" -ne 0 ] && exit "$status"
done
if [ "$status" -eq 3 ]; then
  echo "interop: pandas has no Parquet engine here (pyarrow and fastparquet are not in Debian bookworm, PyPI is unreachable); DuckDB checked"
fi

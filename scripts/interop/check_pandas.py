"""Reads a run's dataset.parquet files with pandas and checks the dtypes
against the documented schema. Needs pandas with a Parquet engine (pyarrow
or fastparquet); exits 3 when none is installed.

Usage: python3 check_pandas.py RUNDIR SCHEMA_FILE
"""
import json
import os
import sys

try:
    import pandas as pd
    import pyarrow  # noqa: F401  (pandas' default Parquet engine)
except ImportError as e:
    print(f"pandas check not run: {e}", file=sys.stderr)
    sys.exit(3)

run_dir, schema_file = sys.argv[1:3]
want = [l.split() for l in open(schema_file) if l.strip() and not l.startswith("#")]
manifest = json.load(open(os.path.join(run_dir, "manifest.json")))
failures = 0
for trial in manifest["trials"]:
    df = pd.read_parquet(os.path.join(run_dir, "trials", trial["id"], "dataset.parquet"))
    got = [(c, str(t)) for c, t in df.dtypes.items()]
    for i, (name, _, dtype) in enumerate(want):
        if i >= len(got) or got[i] != (name, dtype):
            print(f"FAIL {trial['id']}: column {i} is {got[i] if i < len(got) else None}, want {name} {dtype}")
            failures += 1
    if len(df) != trial["data"]["flows"] or int(df["is_anomaly"].sum()) != trial["data"]["anomalies"]:
        print(f"FAIL {trial['id']}: {len(df)} rows / {df['is_anomaly'].sum()} anomalies disagree with the manifest")
        failures += 1
    print(f"{trial['id']}: pandas reads {len(df)} rows, {len(got)} columns with the documented dtypes")
sys.exit(1 if failures else 0)

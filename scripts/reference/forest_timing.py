"""Times scikit-learn's RandomForestClassifier(n_estimators=100, n_jobs=2)
fit on the matrices the Go benchmarks of internal/ml/forest fit, for the
figures in internal/ml/forest/bench_test.go.

The matrices are written by the Go side (TestWriteTimingData, run with
FOREST_TIMING_DIR set): for each set NAME, NAME_x.csv (rows of features)
and NAME_y.csv (one 0/1 label a row), with every value exact. The sets are
notebook10k and notebook100k (the 7,000 and 70,000 training rows of 10,000
and 100,000 notebook flows, seed 42, as BenchmarkFit10k/100k) and kdd
(KDDTrain+, 125,973 rows of 41 features, as BenchmarkFitKDD). X is cast to
float32 before timing, so the fit times only the forest (scikit-learn
would cast inside fit).

For each set and repetition it prints one line: set, repetition, seconds.
The machine is shared: alternate this script with the Go benchmarks and
compare the best or the median of several runs.

Usage (Debian's python3-sklearn 1.2.1; run from the repository root):
  FOREST_TIMING_DIR=/tmp/forest-timing go test ./internal/ml/forest -run TestWriteTimingData
  /usr/bin/python3 scripts/reference/forest_timing.py /tmp/forest-timing --reps 3 [--sets kdd,notebook10k]
"""
import argparse
import os
import time

import numpy as np
import sklearn
from sklearn.ensemble import RandomForestClassifier


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--sets", default="notebook10k,notebook100k,kdd")
    args = ap.parse_args()
    print(f"# scikit-learn {sklearn.__version__}, RandomForestClassifier(n_estimators=100, n_jobs=2)")
    for name in args.sets.split(","):
        x = np.loadtxt(os.path.join(args.dir, name + "_x.csv"), delimiter=",", dtype=np.float64)
        y = np.loadtxt(os.path.join(args.dir, name + "_y.csv"), delimiter=",", dtype=np.float64).astype(int)
        x = np.asarray(x, dtype=np.float32)
        for rep in range(args.reps):
            rf = RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=rep)
            start = time.perf_counter()
            rf.fit(x, y)
            print(f"{name} {rep} {time.perf_counter() - start:.3f}", flush=True)


if __name__ == "__main__":
    main()

"""Times scikit-learn's RandomForestClassifier(n_estimators=100, n_jobs=2)
fit on the matrices the Go benchmarks of internal/ml/forest fit, for the
figures in internal/ml/forest/bench_test.go.

The matrices are internal/ml/mlbench's (TestDump), the training rows of
each set NAME in NAME-train-x.csv and its 0/1 labels in NAME-train-y.csv:
notebook-10k and notebook-100k (the 7,000 and 70,000 training rows of
10,000 and 100,000 notebook flows, seed 42, as BenchmarkFit10k/100k) and
nsl-kdd (KDDTrain+, 125,973 rows of 41 features, as BenchmarkFitKDD).
Only the fit is timed (scripts/reference/kinds_bench.py times a fit and
the test rows' scoring); X is cast to float32 first, as fit would.

For each set and repetition it prints one line: set, repetition, seconds.
The machine is shared: alternate this script with the Go benchmarks and
compare the best or the median of several runs.

Usage (Debian's python3-sklearn 1.2.1; run from the repository root):
  go test ./internal/ml/mlbench -run Dump -mlbench.dump=/tmp/forest-timing
  /usr/bin/python3 scripts/reference/forest_timing.py /tmp/forest-timing --reps 3 [--sets nsl-kdd,notebook-10k]
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
    ap.add_argument("--sets", default="notebook-10k,notebook-100k,nsl-kdd")
    args = ap.parse_args()
    print(f"# scikit-learn {sklearn.__version__}, RandomForestClassifier(n_estimators=100, n_jobs=2)")
    for name in args.sets.split(","):
        x = np.loadtxt(os.path.join(args.dir, name + "-train-x.csv"), delimiter=",", dtype=np.float64)
        y = np.loadtxt(os.path.join(args.dir, name + "-train-y.csv"), delimiter=",", dtype=np.float64).astype(int)
        x = np.asarray(x, dtype=np.float32)
        for rep in range(args.reps):
            rf = RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=rep)
            start = time.perf_counter()
            rf.fit(x, y)
            print(f"{name} {rep} {time.perf_counter() - start:.3f}", flush=True)


if __name__ == "__main__":
    main()

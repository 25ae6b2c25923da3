#!/usr/bin/env python3
"""Times scikit-learn 1.2.1 and XGBoost 1.7.4 on the matrices the Go
benchmarks of internal/ml/mlbench use, doing the same work: fit on a data
set's training rows, then score its test rows, two threads.

    go test ./internal/ml/mlbench -run Dump -mlbench.dump=/tmp/kinds
    /usr/bin/python3 scripts/reference/kinds_bench.py /tmp/kinds [--repeat 3] [--kinds a,b] [--sets a,b]

Prints one line per kind and data set: the best and the median of the
repeats, in seconds. The counterparts:

    random_forest        RandomForestClassifier(n_estimators=100, n_jobs=2)
    isolation_forest     IsolationForest(contamination=0.05, n_jobs=2)
    ecod                 ECOD as PyOD computes it (each column's empirical
                         CDF by sorting and binary search), vectorised numpy
                         (PyOD itself is not installed here)
    logistic_regression  LogisticRegression() on the standardised rows
    lof                  LocalOutlierFactor(novelty=True, n_jobs=2) on the
                         standardised rows (algorithm auto: brute force above
                         15 columns)
    gradient_boosting    HistGradientBoostingClassifier() (OpenMP, 2 threads)
    xgboost              XGBClassifier(n_estimators=100, tree_method="hist",
                         n_jobs=2)
"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from scipy.stats import skew  # noqa: E402


def load(d, name):
    out = {}
    for part in ("train-x", "test-x", "train-xs", "test-xs", "train-y", "test-y"):
        a = np.loadtxt(os.path.join(d, "%s-%s.csv" % (name, part)), delimiter=",")
        out[part] = a.astype(int) if part.endswith("-y") else a
    return out


def ecod_fit_score(train, test):
    n, d = train.shape
    s = np.sort(train, axis=0)
    g = np.nan_to_num(skew(train, axis=0))

    def tails(rows, new):
        le = np.empty(rows.shape)
        ge = np.empty(rows.shape)
        for j in range(d):
            le[:, j] = np.searchsorted(s[:, j], rows[:, j], side="right")
            ge[:, j] = n - np.searchsorted(s[:, j], rows[:, j], side="left")
        if new:
            ul, ur = -np.log((le + 1) / (n + 1)), -np.log((ge + 1) / (n + 1))
        else:
            ul, ur = -np.log(le / n), -np.log(ge / n)
        us = np.where(g < 0, ul, ur)
        return np.maximum(np.maximum(ul.sum(1), ur.sum(1)), us.sum(1))

    tails(train, False)  # the training scores, for the threshold
    return tails(test, True)


def runner(kind):
    if kind == "random_forest":
        from sklearn.ensemble import RandomForestClassifier

        def run(m, seed):
            f = RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=seed).fit(m["train-x"], m["train-y"])
            f.predict_proba(m["test-x"])
    elif kind == "isolation_forest":
        from sklearn.ensemble import IsolationForest

        def run(m, seed):
            f = IsolationForest(contamination=0.05, n_jobs=2, random_state=seed).fit(m["train-x"])
            f.score_samples(m["test-x"])
    elif kind == "ecod":
        def run(m, seed):
            ecod_fit_score(m["train-x"], m["test-x"])
    elif kind == "logistic_regression":
        from sklearn.linear_model import LogisticRegression

        def run(m, seed):
            f = LogisticRegression().fit(m["train-xs"], m["train-y"])
            f.predict_proba(m["test-xs"])
    elif kind == "lof":
        from sklearn.neighbors import LocalOutlierFactor

        def run(m, seed):
            f = LocalOutlierFactor(novelty=True, n_jobs=2).fit(m["train-xs"])
            f.score_samples(m["test-xs"])
    elif kind == "gradient_boosting":
        from sklearn.ensemble import HistGradientBoostingClassifier

        def run(m, seed):
            f = HistGradientBoostingClassifier(random_state=seed).fit(m["train-x"], m["train-y"])
            f.predict_proba(m["test-x"])
    elif kind == "xgboost":
        from xgboost import XGBClassifier

        def run(m, seed):
            f = XGBClassifier(n_estimators=100, tree_method="hist", n_jobs=2, random_state=seed).fit(m["train-x"], m["train-y"])
            f.predict_proba(m["test-x"])
    else:
        raise SystemExit("unknown kind %r" % kind)
    return run


KINDS = ("random_forest", "isolation_forest", "ecod", "logistic_regression", "lof", "gradient_boosting", "xgboost")
SETS = ("notebook-10k", "notebook-100k", "nsl-kdd")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--sets", default=",".join(SETS))
    a = ap.parse_args()
    for name in a.sets.split(","):
        m = load(a.dir, name)
        for kind in a.kinds.split(","):
            run = runner(kind)
            times = []
            for r in range(a.repeat):
                t = time.perf_counter()
                run(m, r + 1)
                times.append(time.perf_counter() - t)
            print("%-20s %-14s best %8.3f s  median %8.3f s" % (kind, name, min(times), statistics.median(times)), flush=True)


if __name__ == "__main__":
    main()

"""Reference values for internal/ml/iforest, computed by scikit-learn 1.2.1
(numpy 1.24.2), Debian's python3-sklearn.

Without arguments it prints the hand-checkable values the Go tests cite:

  - c(n) from sklearn.ensemble._iforest._average_path_length;
  - np.percentile (method="linear") of a few arrays;
  - score_samples of tiny data sets: max_samples=2 (every path length is 1)
    three 1-D points with many trees (expected path lengths known in
    closed form), and four 2-D points with many trees (a feature constant
    in some nodes);
  - the IsolationForest docstring example.

With --parity DIR it reads the matrices the Go parity test dumps
(go test ./internal/ml/iforest/ -run TestParity -iforest.dump=DIR writes
DIR/x_train.csv, DIR/x_test.csv, DIR/y_test.csv: the case study's flows
scaled and split exactly as the Go test sees them) and fits
IsolationForest(contamination=0.05, random_state=s) for s in 0..19 on the
train rows, reporting detection rate (recall of anomalies), false-positive
rate and ROC AUC (score = -score_samples) on the test rows: mean, sample sd,
min, max.

Usage, from the repository root:
  /usr/bin/python3 scripts/reference/iforest_reference.py
  /usr/bin/python3 scripts/reference/iforest_reference.py --parity /tmp/iforest-parity
"""
import argparse
import time

import numpy as np
import sklearn
from sklearn.ensemble import IsolationForest
from sklearn.ensemble._iforest import _average_path_length
from sklearn.metrics import roc_auc_score


def hand_values():
    print("sklearn", sklearn.__version__, "numpy", np.__version__)
    ns = [0, 1, 2, 3, 4, 5, 10, 100, 256, 1000, 100000]
    print("c(n):")
    for n, c in zip(ns, _average_path_length(ns)):
        print("  %d: %r" % (n, float(c)))

    arrays = {
        "1..4": np.array([1.0, 2.0, 3.0, 4.0]),
        "seven": np.array([3.5, -1.0, 2.0, 2.0, 10.0, 0.25, -7.5]),
        "one": np.array([42.0]),
        # (i*7919 mod 1000)/7 for i in 0..999: exact in float64 both sides.
        "mod1000": np.array([((i * 7919) % 1000) / 7.0 for i in range(1000)]),
    }
    qs = [0, 5, 25, 50, 62.5, 95, 99.9, 100]
    print("np.percentile:")
    for name, a in arrays.items():
        print("  %s: %s" % (name, ", ".join("%r: %r" % (q, float(np.percentile(a, q))) for q in qs)))

    x3 = np.array([[0.0], [1.0], [10.0]])
    f = IsolationForest(max_samples=2, random_state=0).fit(x3)
    print("max_samples=2 on [0],[1],[10]: score_samples", f.score_samples(np.array([[0.0], [1.0], [10.0], [5.0]])).tolist())

    f = IsolationForest(n_estimators=20000, random_state=0).fit(x3)
    q = np.array([[0.0], [1.0], [10.0], [5.0]])
    s = f.score_samples(q)
    c3 = float(_average_path_length([3])[0])
    print("3 points, 20000 trees: score_samples", s.tolist())
    print("  mean path length E/T = -log2(-s) * c(3):", (-np.log2(-s) * c3).tolist())

    x4 = np.array([[0, 0], [1, 0], [1, 5], [3, 1]], dtype=float)
    q4 = np.array([[0, 0], [1, 0], [1, 5], [3, 1], [2, 2.5], [10, 10]], dtype=float)
    for rs in (0, 1):
        f = IsolationForest(n_estimators=20000, random_state=rs).fit(x4)
        print("four 2-D points, 20000 trees, random_state=%d: score_samples" % rs, f.score_samples(q4).tolist())

    x = [[-1.1], [0.3], [0.5], [100]]
    clf = IsolationForest(random_state=0).fit(x)
    print("docstring example: predict [[0.1], [0], [90]] =", clf.predict([[0.1], [0], [90]]).tolist())


def parity(directory, seeds):
    xtr = np.loadtxt(directory + "/x_train.csv", delimiter=",")
    xte = np.loadtxt(directory + "/x_test.csv", delimiter=",")
    yte = np.loadtxt(directory + "/y_test.csv", delimiter=",").astype(int)
    print("train %s, test %s, test anomalies %d" % (xtr.shape, xte.shape, yte.sum()))
    det, fpr, auc = [], [], []
    t0 = time.perf_counter()
    for s in range(seeds):
        m = IsolationForest(contamination=0.05, random_state=s).fit(xtr)
        pred = m.predict(xte) == -1
        det.append(pred[yte == 1].mean())
        fpr.append(pred[yte == 0].mean())
        auc.append(roc_auc_score(yte, -m.score_samples(xte)))
    print("%d fits in %.2f s" % (seeds, time.perf_counter() - t0))
    for name, v in (("detection", det), ("fpr", fpr), ("auc", auc)):
        v = np.array(v)
        print("%-9s mean %.4f sd %.4f min %.4f max %.4f" % (name, v.mean(), v.std(ddof=1), v.min(), v.max()))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--parity", help="directory of the Go test's dumped matrices")
    p.add_argument("--seeds", type=int, default=20)
    a = p.parse_args()
    if a.parity:
        parity(a.parity, a.seeds)
    else:
        hand_values()


if __name__ == "__main__":
    main()

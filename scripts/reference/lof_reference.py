"""Reference values for internal/ml/lof, computed by scikit-learn 1.2.1
(numpy 1.24.2), Debian's python3-sklearn: LocalOutlierFactor(novelty=True)
(sklearn/neighbors/_lof.py), Euclidean.

With k = max(1, min(n_neighbors, n - 1)), each training row's k nearest
other training rows give its k-distance; reach(x, o) = max(d(x, o),
kdist(o)); lrd(x) = 1 / (mean reach(x, o) + 1e-10) over x's k nearest
training rows o; score_samples(x) = -mean(lrd(o) / lrd(x)); the training
rows' negative_outlier_factor_ use their neighbours other than
themselves; offset_ is -1.5 (contamination "auto") or
np.percentile(negative_outlier_factor_, 100 contamination).

Without arguments it prints the hand-checkable values the Go tests cite,
on small integer matrices (exact distances, so ties are exact): the
LocalOutlierFactor docstring example, a grid with ties, duplicate
training points (k-distance 0, lrd 1e10) and new points equal to training
points. Each is fitted with algorithm="brute" and algorithm="kd_tree",
and the script says whether the two agree to 1e-12 (they must for the
Go tests to cite them; they differ in the last bits where numpy sums the
neighbours in another order): score_samples of the new points, negative_outlier_factor_,
offset_ for contamination auto, 0.1 and 0.25, every float as Python's
repr. It also computes the scores by the formula in numpy with the Go
package's rule for ties (among rows at equal distance, the lowest
indices) and says whether they agree with scikit-learn's, printing them
where not (scikit-learn's heap can keep other rows among equal
distances).

With --parity DIR it reads DIR/train.csv and DIR/test.csv (comma-separated,
one row a line, as the Go parity test TestReferenceParity writes them),
fits LocalOutlierFactor(n_neighbors=K, novelty=True) with K from
DIR/k.txt and prints one JSON object: train (negative_outlier_factor_),
test (score_samples), offset (per contamination 0.05, 0.1, 0.2) and
neighbors (n_neighbors_).

With --time N it times fit and score_samples (of the N training rows as
new rows) of LocalOutlierFactor(novelty=True) with the defaults
(algorithm auto: brute force for 20 columns; --algorithm kd_tree or
ball_tree for the trees) on N random normal rows x 20 columns, or on the first N rows of --csv FILE (the Go benchmarks' rows,
written by go test ./internal/ml/lof -run TestDumpNotebook
-lof.dump=DIR), best of a few runs.

Usage, from the repository root:
  /usr/bin/python3 scripts/reference/lof_reference.py
  /usr/bin/python3 scripts/reference/lof_reference.py --parity /tmp/lof-parity
  /usr/bin/python3 scripts/reference/lof_reference.py --time 10000
  /usr/bin/python3 scripts/reference/lof_reference.py --time 10000 --csv /tmp/lof-bench/notebook-10000.csv
  /usr/bin/python3 scripts/reference/lof_reference.py --time 10000 --csv /tmp/lof-bench/notebook-10000.csv --algorithm kd_tree
"""
import argparse
import json
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.neighbors import LocalOutlierFactor

CONTAMINATIONS = (0.05, 0.1, 0.2)


def fit(train, k, algorithm, contamination="auto"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # n_neighbors > n
        return LocalOutlierFactor(n_neighbors=k, novelty=True, algorithm=algorithm,
                                  contamination=contamination).fit(train)


def lowest_index(train, k, new_rows):
    """score_samples and negative_outlier_factor_ by the formula above in
    numpy, with each row's neighbours the k smallest (squared distance,
    index) pairs: among rows at equal distance the lowest indices (the Go
    package's rule; scikit-learn's heap may keep others)."""
    k = max(1, min(k, len(train) - 1))

    def neighbours(rows, exclude_self):
        d2 = ((rows[:, None, :] - train[None, :, :]) ** 2).sum(axis=2)
        out_i, out_d = [], []
        for r in range(len(rows)):
            order = np.lexsort((np.arange(len(train)), d2[r]))
            if exclude_self:
                order = order[order != r]
            out_i.append(order[:k])
            out_d.append(np.sqrt(d2[r][order[:k]]))
        return np.array(out_i), np.array(out_d)

    ti, td = neighbours(train, True)
    kdist = td[:, -1]
    lrd_train = 1 / (np.maximum(td, kdist[ti]).mean(axis=1) + 1e-10)
    nof = -(lrd_train[ti] / lrd_train[:, None]).mean(axis=1)
    ni, nd = neighbours(new_rows, False)
    lrd_new = 1 / (np.maximum(nd, kdist[ni]).mean(axis=1) + 1e-10)
    return nof, -(lrd_train[ni] / lrd_new[:, None]).mean(axis=1)


def show(name, train, k, new_rows):
    train = np.asarray(train, dtype=float)
    new_rows = np.asarray(new_rows, dtype=float)
    print("%s: %d rows x %d columns, n_neighbors %d" % (name, train.shape[0], train.shape[1], k))
    res = {}
    for algorithm in ("brute", "kd_tree"):
        m = fit(train, k, algorithm)
        res[algorithm] = (m.negative_outlier_factor_, m.score_samples(new_rows), m.n_neighbors_,
                          [fit(train, k, algorithm, c).offset_ for c in (0.1, 0.25)])
    b, t = res["brute"], res["kd_tree"]
    agree = all(np.allclose(u, v, rtol=1e-12, atol=0) for u, v in ((b[0], t[0]), (b[1], t[1]), (b[3], t[3])))
    print("  brute and kd_tree agree to 1e-12 relative (the sums' order aside):", agree)
    if not agree:
        print("  kd_tree train", [float(v) for v in t[0]], "new", [float(v) for v in t[1]])
    print("  n_neighbors_:", b[2])
    print("  train (negative_outlier_factor_):", [float(v) for v in b[0]])
    print("  new rows:", [[float(v) for v in r] for r in new_rows])
    print("  score_samples:", [float(v) for v in b[1]])
    print("  offset_: auto -1.5, 0.1 %r, 0.25 %r" % (float(b[3][0]), float(b[3][1])))
    nof, score = lowest_index(train, k, new_rows)
    same = np.allclose(nof, b[0], rtol=1e-12, atol=0) and np.allclose(score, b[1], rtol=1e-12, atol=0)
    print("  ties to the lowest index (numpy, the formula) agree with scikit-learn:", same)
    if not same:
        print("  ties to the lowest index: train", [float(v) for v in nof], "score_samples", [float(v) for v in score])


def hand_values():
    print("numpy", np.__version__, "sklearn", sklearn.__version__)
    # The LocalOutlierFactor docstring example, scored as novelty.
    show("A", [[-1.1], [0.2], [101.1], [0.3]], 2, [[0.2], [101.1], [50], [-1.1]])
    # A 2-D grid: many equal distances (ties for the k-th neighbour).
    g = [[x, y] for x in range(4) for y in range(3)] + [[10, 10]]
    show("B", g, 3, [[1, 1], [1.5, 1], [0, 0], [5, 5], [10, 9], [-3, 4]])
    # Duplicates: three copies of one point (k-distance 0 with k = 2) and
    # two of another.
    c = [[0, 0], [0, 0], [0, 0], [3, 4], [3, 4], [1, 0], [0, 2], [6, 8]]
    show("C", c, 2, [[0, 0], [3, 4], [1, 1], [6, 8], [2, 2]])
    # n_neighbors larger than n - 1 (clamped to 2).
    show("D", [[0, 0], [1, 0], [0, 3]], 20, [[0, 0], [1, 1]])


def parity(directory):
    train = np.loadtxt(directory + "/train.csv", delimiter=",", ndmin=2)
    test = np.loadtxt(directory + "/test.csv", delimiter=",", ndmin=2)
    with open(directory + "/k.txt") as f:
        k = int(f.read())
    m = fit(train, k, "auto")
    out = {
        "train": [float(v) for v in m.negative_outlier_factor_],
        "test": [float(v) for v in m.score_samples(test)],
        "offset": {repr(c): float(fit(train, k, "auto", c).offset_) for c in CONTAMINATIONS},
        "neighbors": int(m.n_neighbors_),
    }
    json.dump(out, sys.stdout)
    print()


def timing(n, csv, algorithm):
    if csv:
        x = np.loadtxt(csv, delimiter=",", ndmin=2)[:n]
    else:
        x = np.random.default_rng(42).standard_normal((n, 20))
    best_fit = best_score = float("inf")
    for _ in range(3 if n <= 20000 else 1):
        t0 = time.perf_counter()
        m = LocalOutlierFactor(novelty=True, algorithm=algorithm).fit(x)
        t1 = time.perf_counter()
        m.score_samples(x)
        t2 = time.perf_counter()
        best_fit, best_score = min(best_fit, t1 - t0), min(best_score, t2 - t1)
    print("n=%d x %d: fit %.3f s, score_samples %.3f s (sklearn %s, fit method %s)" % (
        len(x), x.shape[1], best_fit, best_score, sklearn.__version__, m._fit_method))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--parity", metavar="DIR")
    ap.add_argument("--time", metavar="N", type=int)
    ap.add_argument("--csv", metavar="FILE", help="with --time: time on FILE's first N rows instead")
    ap.add_argument("--algorithm", default="auto", help="with --time: LocalOutlierFactor's algorithm (auto, brute, kd_tree, ball_tree)")
    args = ap.parse_args()
    if args.parity:
        parity(args.parity)
    elif args.time:
        timing(args.time, args.csv, args.algorithm)
    else:
        hand_values()


if __name__ == "__main__":
    main()

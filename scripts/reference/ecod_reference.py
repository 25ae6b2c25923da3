"""Reference values for internal/ml/ecod, computed from the formulas of
Li et al., "ECOD: Unsupervised Outlier Detection Using Empirical
Cumulative Distribution Functions" (IEEE TKDE 2022, Algorithm 1) in plain
numpy 1.24.2 and scipy 1.10.1 (Debian's python3-numpy and python3-scipy).
PyOD is not used (nor installed); the conventions below are PyOD's where
it has one (pyod/models/ecod.py, pyod/utils/stat_models.py column_ecdf).

For n training rows X and each column j, ties included,

  F_l,j(z) = #{i : X_ij <= z} / n,   F_r,j(z) = #{i : X_ij >= z} / n,

counting the scored row itself: a training row is one of the n; a new row
is scored as if appended to the training rows, (count + 1) / (n + 1).
Per row and column, U_l = -ln F_l, U_r = -ln F_r, and U_s = U_l when the
training column's scipy.stats.skew is negative, U_r otherwise (skewness 0,
or NaN for a constant column as scipy gives it, takes the right tail). The
score is max(sum_j U_l, sum_j U_r, sum_j U_s), the sums taken column by
column in order. The threshold for contamination c is
np.percentile(training scores, 100 (1 - c)). Counts are taken by direct
comparison of every pair of values (no sorting, no binary search), the
independent route from the Go code's.

Without arguments it prints the hand-checkable values the Go tests cite:
matrices with ties, a constant column, negative and positive skew, a
symmetric column and a single row: per column the skewness; per training
row and per new row the three sums and the score; thresholds.

With --parity DIR it reads DIR/train.csv and DIR/test.csv (comma-separated,
one row a line, as the Go parity test TestReferenceParity writes them) and
prints one JSON object: skew (per column), train and test (each row's
score), threshold (per contamination 0.05, 0.1, 0.2), every float as
Python's repr so it round-trips.

Usage, from the repository root:
  /usr/bin/python3 scripts/reference/ecod_reference.py
  /usr/bin/python3 scripts/reference/ecod_reference.py --parity /tmp/ecod-parity
"""
import argparse
import json
import sys
import warnings

import numpy as np
import scipy
from scipy.stats import skew as scipy_skew

CONTAMINATIONS = (0.05, 0.1, 0.2)


def column_skew(train):
    """scipy.stats.skew per column, NaN (constant column) as 0 (PyOD)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a constant column's "catastrophic cancellation"
        return np.nan_to_num(scipy_skew(train, axis=0))


def tail_sums(train, rows, new):
    """The three sums (left, right, skew-corrected) for rows: training rows
    (new=False, each counted among the n) or new rows (new=True)."""
    n, d = train.shape
    g = column_skew(train)
    left = np.zeros(len(rows))
    right = np.zeros(len(rows))
    auto = np.zeros(len(rows))
    for lo in range(0, len(rows), 256):
        r = rows[lo:lo + 256]
        le = (train[None, :, :] <= r[:, None, :]).sum(axis=1)
        ge = (train[None, :, :] >= r[:, None, :]).sum(axis=1)
        if new:
            fl, fr = (le + 1) / (n + 1), (ge + 1) / (n + 1)
        else:
            fl, fr = le / n, ge / n
        ul, ur = -np.log(fl), -np.log(fr)
        us = np.where(g < 0, ul, ur)
        for j in range(d):  # column by column, in order
            left[lo:lo + 256] = left[lo:lo + 256] + ul[:, j]
            right[lo:lo + 256] = right[lo:lo + 256] + ur[:, j]
            auto[lo:lo + 256] = auto[lo:lo + 256] + us[:, j]
    return left, right, auto


def scores(train, rows, new):
    left, right, auto = tail_sums(train, rows, new)
    return np.maximum(np.maximum(left, right), auto)


def show(name, train, new_rows):
    train = np.asarray(train, dtype=float)
    print("%s: %d rows x %d columns" % (name, train.shape[0], train.shape[1]))
    print("  skew:", [float(v) for v in column_skew(train)])
    for label, rows, new in (("train", train, False), ("new", np.asarray(new_rows, dtype=float), True)):
        if len(rows) == 0:
            continue
        left, right, auto = tail_sums(train, rows, new)
        for i, row in enumerate(rows):
            o = max(left[i], right[i], auto[i])
            print("  %s %r: left %r right %r skew %r score %r" % (
                label, [float(v) for v in row], float(left[i]), float(right[i]), float(auto[i]), float(o)))
    s = scores(train, train, False)
    print("  thresholds:", ", ".join("%r: %r" % (c, float(np.percentile(s, 100 * (1 - c)))) for c in CONTAMINATIONS))


def hand_values():
    print("numpy", np.__version__, "scipy", scipy.__version__)
    # Column 0 skewed right (one large value) with a tie; column 1 skewed
    # left (one small value) with a tie; column 2 constant.
    a = [[0, -8, 3], [1, 0, 3], [1, 1, 3], [2, 1, 3], [10, 2, 3]]
    show("A", a, [[0, 1, 3], [10, -8, 3], [-1, 5, 2], [1.5, 0.5, 3], [float("inf"), float("-inf"), 3]])
    # A symmetric column (skewness exactly 0: the right tail) beside a
    # column of ties only.
    b = [[1, 0], [2, 0], [3, 1], [4, 1], [5, 1]]
    show("B", b, [[3, 0.5], [6, 1], [0, -1]])
    # One training row.
    show("C", [[2.5, -1]], [[2.5, -1], [3, -2]])


def parity(directory):
    train = np.loadtxt(directory + "/train.csv", delimiter=",", ndmin=2)
    test = np.loadtxt(directory + "/test.csv", delimiter=",", ndmin=2)
    s = scores(train, train, False)
    out = {
        "skew": [float(v) for v in column_skew(train)],
        "train": [float(v) for v in s],
        "test": [float(v) for v in scores(train, test, True)],
        "threshold": {repr(c): float(np.percentile(s, 100 * (1 - c))) for c in CONTAMINATIONS},
    }
    json.dump(out, sys.stdout)
    print()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--parity", metavar="DIR")
    args = ap.parse_args()
    if args.parity:
        parity(args.parity)
    else:
        hand_values()


if __name__ == "__main__":
    main()

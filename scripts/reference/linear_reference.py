"""Reference values for internal/ml/linear, computed by scikit-learn 1.2.1
(numpy 1.24.2, scipy's L-BFGS-B), Debian's python3-sklearn.

Without arguments it prints the hand-made fits the Go table tests cite
(internal/ml/linear/logistic_test.go, TestReference): for each small matrix
and setting, LogisticRegression(C=..., class_weight=..., solver="lbfgs")
.fit(X, y)'s coef_[0], intercept_[0] and n_iter_[0], with repr precision.

With --parity DIR it reads the matrices the Go parity test dumps
(DIR/x_train.csv, DIR/y_train.csv, DIR/x_test.csv: comma-separated, written
with strconv 'g' -1 so they read back exactly), fits
LogisticRegression(C, class_weight, max_iter, tol) for C in {0.1, 1, 10}
and class_weight in {None, "balanced"} (max_iter and tol from the command
line) and writes DIR/sklearn.json: per setting coef, intercept, n_iter,
predict_proba[:, 1] on x_test and the fit's wall time in seconds (the best
of --repeat fits).

Usage, from the repository root:
  /usr/bin/python3 scripts/reference/linear_reference.py
  /usr/bin/python3 scripts/reference/linear_reference.py --parity DIR [--max-iter 100] [--tol 1e-4] [--repeat 1]
"""
import argparse
import json
import os
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

# The hand-made data sets: name -> (X, y). Keep in step with
# internal/ml/linear/logistic_test.go.
HAND = {
    # One feature, overlapping classes.
    "1d": (
        [[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]],
        [0, 0, 1, 0, 1, 1],
    ),
    # Two features, imbalanced (2 of 8 positive).
    "2d-imbalanced": (
        [[0.5, 1.0], [1.5, -0.5], [-1.0, 2.0], [2.0, 2.0], [-0.5, -1.5], [3.0, 0.5], [0.0, 0.0], [1.0, 3.0]],
        [0, 0, 0, 1, 0, 1, 0, 0],
    ),
    # Three features, one of them constant, a separable-ish layout.
    "3d-constant": (
        [[1.0, 7.0, 0.2], [2.0, 7.0, -0.1], [3.0, 7.0, 0.4], [4.0, 7.0, 0.0], [5.0, 7.0, -0.3],
         [6.0, 7.0, 0.1], [7.0, 7.0, 0.3], [8.0, 7.0, -0.2], [2.5, 7.0, 1.0], [6.5, 7.0, -1.0]],
        [0, 0, 0, 1, 0, 1, 1, 1, 1, 0],
    ),
}

SETTINGS = [(c, cw) for c in (0.1, 1.0, 10.0) for cw in (None, "balanced")]


def fit(X, y, C, cw, max_iter=100, tol=1e-4):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        m = LogisticRegression(C=C, class_weight=cw, max_iter=max_iter, tol=tol, solver="lbfgs").fit(X, y)
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return m, converged


def hand_values():
    print("sklearn", sklearn.__version__, "numpy", np.__version__)
    for name, (X, y) in HAND.items():
        X, y = np.array(X), np.array(y)
        for C, cw in SETTINGS:
            m, conv = fit(X, y, C, cw)
            print("%s C=%r class_weight=%s: coef %r intercept %r n_iter %d converged %s" % (
                name, C, cw or "none", m.coef_[0].tolist(), float(m.intercept_[0]), int(m.n_iter_[0]), conv))


def parity(d, max_iter, tol, repeat):
    def read(name):
        return np.loadtxt(os.path.join(d, name), delimiter=",", ndmin=2)
    X = read("x_train.csv")
    y = read("y_train.csv").ravel().astype(int)
    Xt = read("x_test.csv")
    out = {"sklearn": sklearn.__version__, "fits": []}
    for C, cw in SETTINGS:
        best = float("inf")
        for _ in range(max(repeat, 1)):
            t0 = time.perf_counter()
            m, conv = fit(X, y, C, cw, max_iter, tol)
            best = min(best, time.perf_counter() - t0)
        out["fits"].append({
            "c": C, "class_weight": cw or "none",
            "coef": m.coef_[0].tolist(), "intercept": float(m.intercept_[0]),
            "n_iter": int(m.n_iter_[0]), "converged": conv,
            "proba": m.predict_proba(Xt)[:, 1].tolist(), "seconds": best, "rows": int(X.shape[0]),
        })
    with open(os.path.join(d, "sklearn.json"), "w") as f:
        json.dump(out, f)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--parity", metavar="DIR")
    ap.add_argument("--max-iter", type=int, default=100)
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--repeat", type=int, default=1)
    a = ap.parse_args()
    if a.parity:
        parity(a.parity, a.max_iter, a.tol, a.repeat)
    else:
        hand_values()


if __name__ == "__main__":
    main()

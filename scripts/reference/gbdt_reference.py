"""Reference values for internal/ml/gbdt, computed by scikit-learn 1.2.1
(numpy 1.24.2) and XGBoost 1.7.4, Debian's python3-sklearn and pip's
xgboost.

Every mode reads the matrices a Go test dumps into DIR (x_train.csv,
y_train.csv, x_test.csv and, for --stats, y_test.csv: comma-separated,
written with strconv 'g' -1 so they read back exactly; labels are class
indices).

--parity DIR: HistGradientBoostingClassifier(early_stopping=False) for
  each of --class-weights (none, balanced; other parameters scikit-learn's
  defaults, or --max-iter; OpenMP limited to --threads). Writes
  DIR/sklearn.json: the OpenMP threads the fits used (n_threads), the bin
  mapper's thresholds per feature, and per setting n_iter and
  predict_proba on x_test (row after row) and the fit's wall time in
  seconds.

--stats DIR --seeds S: HistGradientBoostingClassifier() at its defaults
  (early stopping "auto", or --early-stopping) for random_state 0..S-1. Writes
  DIR/sklearn_stats.json: per seed n_iter, ROC AUC of P(class 1) on the
  test rows, detection rate (recall of class 1 at predict) and false
  positive rate; with more than two classes accuracy instead.

--sum-parallel DIR: scikit-learn's sum_parallel (the root node's sums of
  gradients and hessians) of DIR/values.bin (float32, little-endian) with
  1 and 2 OpenMP threads. Writes DIR/sums.json: {"1": sum, "2": sum}.

--timing DIR: fit + predict_proba wall times, best of --repeat, of
  HistGradientBoostingClassifier() (OpenMP limited to --threads) and of
  XGBClassifier(n_estimators=100, tree_method="hist", nthread=--threads).
  Prints them and writes DIR/timing.json.

Usage, from the repository root:
  /usr/bin/python3 scripts/reference/gbdt_reference.py --parity DIR [--max-iter 100] [--class-weights none,balanced] [--threads 2]
  /usr/bin/python3 scripts/reference/gbdt_reference.py --stats DIR [--seeds 5] [--early-stopping auto]
  /usr/bin/python3 scripts/reference/gbdt_reference.py --sum-parallel DIR
  /usr/bin/python3 scripts/reference/gbdt_reference.py --timing DIR [--threads 2] [--repeat 3]
"""
import argparse
import json
import os
import time

import numpy as np
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.utils._openmp_helpers import _openmp_effective_n_threads
from threadpoolctl import threadpool_limits


def read(d, name):
    return np.loadtxt(os.path.join(d, name), delimiter=",", ndmin=2)


def parity(d, max_iter, class_weights, threads):
    X = read(d, "x_train.csv")
    y = read(d, "y_train.csv").ravel().astype(int)
    Xt = read(d, "x_test.csv")
    out = {"sklearn": sklearn.__version__, "fits": []}
    for cw in class_weights:
        t0 = time.perf_counter()
        with threadpool_limits(limits=threads):
            m = HistGradientBoostingClassifier(early_stopping=False, class_weight=cw, max_iter=max_iter,
                                               random_state=0).fit(X, y)
            out["n_threads"] = _openmp_effective_n_threads()  # the fit's, which its root sums depend on
        secs = time.perf_counter() - t0
        if "thresholds" not in out:
            out["thresholds"] = [t.tolist() for t in m._bin_mapper.bin_thresholds_]
        out["fits"].append({
            "class_weight": cw or "none", "n_iter": int(m.n_iter_),
            "proba": m.predict_proba(Xt).ravel().tolist(), "seconds": secs,
        })
    with open(os.path.join(d, "sklearn.json"), "w") as f:
        json.dump(out, f)


def stats(d, seeds, threads, early_stopping):
    X = read(d, "x_train.csv")
    y = read(d, "y_train.csv").ravel().astype(int)
    Xt = read(d, "x_test.csv")
    yt = read(d, "y_test.csv").ravel().astype(int)
    runs = []
    for s in range(seeds):
        with threadpool_limits(limits=threads):
            m = HistGradientBoostingClassifier(random_state=s, early_stopping=early_stopping).fit(X, y)
        p = m.predict_proba(Xt)
        pred = m.classes_[np.argmax(p, axis=1)]
        run = {"seed": s, "n_iter": int(m.n_iter_)}
        if p.shape[1] == 2:
            run["roc_auc"] = float(roc_auc_score(yt, p[:, 1]))
            run["detection_rate"] = float(np.mean(pred[yt == 1] == 1))
            run["false_positive_rate"] = float(np.mean(pred[yt == 0] == 1))
        else:
            run["accuracy"] = float(np.mean(pred == yt))
        runs.append(run)
    with open(os.path.join(d, "sklearn_stats.json"), "w") as f:
        json.dump({"sklearn": sklearn.__version__, "runs": runs}, f)


def sums(d):
    from sklearn.ensemble._hist_gradient_boosting.utils import sum_parallel
    v = np.fromfile(os.path.join(d, "values.bin"), dtype="<f4")
    with open(os.path.join(d, "sums.json"), "w") as f:
        json.dump({str(t): float(sum_parallel(v, t)) for t in (1, 2)}, f)


def timing(d, threads, repeat):
    import xgboost
    X = read(d, "x_train.csv")
    y = read(d, "y_train.csv").ravel().astype(int)
    Xt = read(d, "x_test.csv")
    out = {"sklearn": sklearn.__version__, "xgboost": xgboost.__version__, "threads": threads,
           "rows": int(X.shape[0])}

    def best(fn):
        b = float("inf")
        for _ in range(max(repeat, 1)):
            t0 = time.perf_counter()
            fn()
            b = min(b, time.perf_counter() - t0)
        return b

    def hgb(**kw):
        def run():
            with threadpool_limits(limits=threads):
                m = HistGradientBoostingClassifier(random_state=0, **kw).fit(X, y)
                m.predict_proba(Xt)
        return run

    def xgb():
        m = xgboost.XGBClassifier(n_estimators=100, tree_method="hist", nthread=threads)
        m.fit(X, y)
        m.predict_proba(Xt)

    out["sklearn_hgb_seconds"] = best(hgb())
    out["sklearn_hgb_no_early_stopping_seconds"] = best(hgb(early_stopping=False))
    out["xgboost_hist_seconds"] = best(xgb)
    print(json.dumps(out))
    with open(os.path.join(d, "timing.json"), "w") as f:
        json.dump(out, f)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--parity", metavar="DIR")
    ap.add_argument("--stats", metavar="DIR")
    ap.add_argument("--timing", metavar="DIR")
    ap.add_argument("--sum-parallel", metavar="DIR")
    ap.add_argument("--max-iter", type=int, default=100)
    ap.add_argument("--class-weights", default="none,balanced")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--early-stopping", default="auto", choices=["auto", "true", "false"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    if a.parity:
        parity(a.parity, a.max_iter, [None if w == "none" else w for w in a.class_weights.split(",")], a.threads)
    elif a.stats:
        stats(a.stats, a.seeds, a.threads, {"true": True, "false": False}.get(a.early_stopping, "auto"))
    elif a.sum_parallel:
        sums(a.sum_parallel)
    elif a.timing:
        timing(a.timing, a.threads, a.repeat)
    else:
        ap.print_help()


if __name__ == "__main__":
    main()

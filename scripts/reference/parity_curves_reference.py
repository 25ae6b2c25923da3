"""scikit-learn 1.2.1's ROC, AUC, PR curve and average precision on the
harness's own test-set scores of the case study's 10,000 flows.

internal/eval/testdata/parity_scores.csv holds, for the isolation forest and
the random forest of experiments/parity.yaml (trial seed=1), each test
flow's score and label, exported from predictions.parquet with DuckDB.
This script writes internal/eval/testdata/parity_curves.json, which
internal/eval's TestParityCurves compares against within 1e-9.

Run: /usr/bin/python3 scripts/reference/parity_curves_reference.py
"""
import csv
import json
import os

import sklearn
from sklearn.metrics import (average_precision_score, precision_recall_curve,
                             roc_auc_score, roc_curve)

here = os.path.dirname(os.path.abspath(__file__))
testdata = os.path.join(here, "..", "..", "internal", "eval", "testdata")
by_model = {}
with open(os.path.join(testdata, "parity_scores.csv")) as f:
    for row in csv.DictReader(f):
        m = by_model.setdefault(row["model"], ([], []))
        m[0].append(float(row["score"]))
        m[1].append(int(row["anomaly"]))

out = {"sklearn": sklearn.__version__, "models": {}}
for model, (scores, labels) in sorted(by_model.items()):
    fpr, tpr, thr = roc_curve(labels, scores)
    precision, recall, pr_thr = precision_recall_curve(labels, scores)
    out["models"][model] = {
        "n": len(scores),
        "roc_fpr": fpr.tolist(), "roc_tpr": tpr.tolist(),
        # scikit-learn 1.2 puts max(score) + 1 first where 1.3+ (and the
        # harness) put +inf: the first threshold is left out.
        "roc_thresholds": thr[1:].tolist(),
        "roc_auc": roc_auc_score(labels, scores),
        "pr_precision": precision.tolist(), "pr_recall": recall.tolist(),
        "pr_thresholds": pr_thr.tolist(),
        "average_precision": average_precision_score(labels, scores),
    }
with open(os.path.join(testdata, "parity_curves.json"), "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print({m: (v["roc_auc"], v["average_precision"], len(v["roc_fpr"]), len(v["pr_precision"])) for m, v in out["models"].items()})

"""Reference values for internal/eval's report, precision-recall and
average-precision tests, computed by scikit-learn 1.2.1 (numpy 1.24.2),
Debian's python3-sklearn.

It prints, with repr() precision:

  - confusion_matrix(labels=range(k)) and classification_report(
    output_dict=True, labels=range(k)) of small multi-class cases,
    including a class never predicted (zero_division="warn": 0.0 and a
    warning) and a class neither present nor predicted (the report then
    says "micro avg" instead of "accuracy"; both equal trace / n here),
    and the same report as text (digits=2), each line between "|" and
    the end of the line;
  - precision_recall_curve and average_precision_score of small binary
    cases, with ties, and of a generated case that the Go test rebuilds
    from the same formula:
        scores[i] = ((i * 37) % 11) / 10,  actual[i] = (i * 7) % 3 == 0,
        i = 0..59.

Usage, from the repository root:
  /usr/bin/python3 scripts/reference/eval_reference.py
"""
import warnings

import numpy as np
import sklearn
from sklearn.metrics import (
    average_precision_score,
    classification_report,
    confusion_matrix,
    precision_recall_curve,
)

REPORT_CASES = {
    "three classes, one never predicted": (
        ["normal", "crypto_mining", "lateral_movement"],
        [0, 0, 0, 0, 0, 1, 1, 1, 2, 2],
        [0, 0, 0, 1, 0, 1, 1, 0, 0, 1],
    ),
    "four classes, one absent": (
        ["a", "b", "c", "d"],
        [0, 1, 2, 0, 1, 2, 0, 0, 2, 1, 1],
        [0, 1, 1, 0, 2, 2, 1, 0, 2, 1, 0],
    ),
    "binary perfect": (
        ["normal", "anomaly"],
        [0, 1, 1, 0],
        [0, 1, 1, 0],
    ),
}

PR_CASES = {
    "sklearn docstring": ([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]),
    "ties and points past full recall": (
        [0, 0, 1, 1, 0, 1, 0, 1, 1, 0],
        [0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.2, 0.35, 0.6, 0.05],
    ),
    "all tied": ([1, 0, 1, 0, 0], [0.5, 0.5, 0.5, 0.5, 0.5]),
    "all positive": ([1, 1, 1], [0.3, 0.1, 0.3]),
    "worst ranking": ([1, 1, 0, 0, 0], [0.1, 0.2, 0.3, 0.4, 0.5]),
}


def generated():
    i = np.arange(60)
    return ((i * 7) % 3 == 0).astype(int).tolist(), (((i * 37) % 11) / 10).tolist()


def fmt(values):
    return "[" + ", ".join(repr(float(v)) for v in values) + "]"


def main():
    print("sklearn", sklearn.__version__, "numpy", np.__version__)
    for name, (classes, actual, predicted) in REPORT_CASES.items():
        labels = list(range(len(classes)))
        print("\nreport:", name)
        print("confusion_matrix:", confusion_matrix(actual, predicted, labels=labels).tolist())
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            rep = classification_report(
                actual, predicted, labels=labels, target_names=classes,
                output_dict=True)
        for key, row in rep.items():
            if isinstance(row, dict):
                print(f"  {key}: P={row['precision']!r} R={row['recall']!r} "
                      f"F1={row['f1-score']!r} support={row['support']}")
            else:
                print(f"  {key}: {row!r}")
        print("  warnings:", sorted({str(w.message)[:60] for w in caught}))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            text = classification_report(
                actual, predicted, labels=labels, target_names=classes)
        print("  text (digits=2):")
        for line in text.split("\n"):
            print("    |" + line)

    cases = dict(PR_CASES)
    cases["generated (formula above)"] = generated()
    for name, (actual, scores) in cases.items():
        precision, recall, thresholds = precision_recall_curve(actual, scores)
        print("\nPR:", name)
        print("  Precision: ", fmt(precision))
        print("  Recall:    ", fmt(recall))
        print("  Thresholds:", fmt(thresholds))
        print("  AP:", repr(float(average_precision_score(actual, scores))))

    # What scikit-learn does without a positive: a warning, recall set to
    # 1, and an AP that is not meaningful. internal/eval refuses instead.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ap = average_precision_score([0, 0, 0], [0.1, 0.2, 0.3])
    print("\nno positive: AP", repr(float(ap)),
          "warnings:", sorted({str(w.message)[:60] for w in caught}))


if __name__ == "__main__":
    main()

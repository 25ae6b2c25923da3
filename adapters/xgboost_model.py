"""XGBoost's XGBClassifier as a segharness-external/1 detector or typer.

params: passed to xgboost.XGBClassifier as is (learning_rate, max_depth,
subsample, ...), with these defaults:
  tree_method   "hist"  (XGBoost 1.7's own default is "auto")
  n_estimators  100     (XGBoost's own default)
  random_state  request["random_state"]
  n_jobs        request["threads"]

Roles:
  detector  binary classifier on is_anomaly: score = predict_proba[:, 1],
            decision = score >= 0.5.  (XGBClassifier.predict flags
            score > 0.5; ">=" is the harness's own threshold rule, "flagged
            when its score is at least the threshold".  They differ only on
            a score of exactly 0.5.)
  typer     multi-class classifier on anomaly_type over the classes present
            in the training rows, whose indices are re-encoded to 0..k-1 as
            XGBoost requires; probabilities are mapped back onto all request
            classes, absent ones getting 0.

Determinism: XGBoost 1.7.4's hist gave bit-identical probabilities with
n_jobs 1, 2, 3, 4 and 8 (100,000 x 41 rows, binary and 4-class,
subsample and colsample_bytree 0.8), so n_jobs follows request["threads"].
"""

import os
import sys

# Idle OpenMP threads sleep instead of spinning, unless the environment
# says otherwise.  Set before numpy or xgboost load libgomp, which reads it
# once.  It changes no result; it keeps XGBoost fast when the machine's
# cores are busy with other work: 100,000 x 41 rows with 2 threads took
# 2.1-2.3 s passive and 1.9-16.4 s with libgomp's default spinning.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
sys.dont_write_bytecode = True  # leave no __pycache__ beside the adapters
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import protocol  # noqa: E402

ROLES = ("detector", "typer")
DEFAULTS = {"tree_method": "hist", "n_estimators": 100}


def build_classifier(request):
    """XGBClassifier from params, with the defaults above and the request's seed and threads."""
    import xgboost

    params = dict(request["params"])
    kwargs = dict(DEFAULTS)
    kwargs.update(random_state=request["random_state"], n_jobs=request["threads"])
    kwargs.update(params)
    named = set(xgboost.XGBClassifier().get_params())
    other = sorted(set(params) - named)
    if other:
        protocol.warn(f"params {', '.join(other)} are not XGBClassifier parameters; they go to the "
                      "booster as is (XGBoost warns if it does not use them)")
    try:
        return xgboost.XGBClassifier(**kwargs)
    except (TypeError, ValueError) as e:
        protocol.fail(f"cannot construct XGBClassifier with params {params!r}: {e}")


def fit(classifier, x, y):
    """classifier.fit(x, y), turning XGBoost's parameter errors into a clear failure."""
    import xgboost

    try:
        classifier.fit(x, y)
    except (xgboost.core.XGBoostError, ValueError, TypeError) as e:
        message = str(e).strip().splitlines()
        protocol.fail(f"XGBClassifier.fit failed (check params): {message[-1] if message else e}")


def run_detector(request):
    """Binary classification of is_anomaly; write score, decision, validation_score."""
    x = protocol.load_x(request, "train")
    y = protocol.load_labels(request, "train", "is_anomaly")
    if np.unique(y).size < 2:
        protocol.fail(f"the training rows are all {'anomalies' if y[0] else 'normal'}; "
                      "a classifier needs both to learn to detect")
    test = protocol.load_x(request, "test")
    classifier = build_classifier(request)
    fit(classifier, x, y)

    def score(rows):
        return classifier.predict_proba(rows)[:, 1].astype(np.float64)

    test_score = score(test)
    validation = score(protocol.load_x(request, "validation")) if "validation" in request else None
    protocol.save_detector(request, test_score, test_score >= 0.5, validation)


def run_typer(request):
    """Multi-class classification of anomaly_type; write probabilities over all classes."""
    x = protocol.load_x(request, "train")
    y = protocol.load_labels(request, "train", "anomaly_type")
    test = protocol.load_x(request, "test")
    n_classes = len(request["classes"])
    present = np.unique(y)  # sorted class indices seen in training
    if present.size == 1:
        protocol.warn(f"the training rows hold one class only ({request['classes'][present[0]]!r}); "
                      "every test row gets it with probability 1")
        proba = protocol.one_hot(test.shape[0], present[0], n_classes)
    else:
        classifier = build_classifier(request)
        fit(classifier, x, np.searchsorted(present, y))  # XGBoost wants labels 0..k-1
        proba = protocol.map_proba(classifier.predict_proba(test), present, n_classes)
    protocol.save_proba(request, proba)


def main():
    request = protocol.read_request(roles=ROLES)
    {"detector": run_detector, "typer": run_typer}[request["role"]](request)


if __name__ == "__main__":
    main()

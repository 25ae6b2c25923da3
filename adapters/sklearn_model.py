"""Any scikit-learn estimator as a segharness-external/1 model.

params:
  estimator  (required) the estimator's import path, such as
             "sklearn.ensemble.RandomForestClassifier"; any importable
             class following scikit-learn's API works.
  anything else is passed to the estimator's constructor as is.

random_state is set to request["random_state"] and n_jobs to
request["threads"] when the estimator takes them and params do not give
them; LocalOutlierFactor gets novelty=True (needed to score new rows)
unless params give novelty.

Roles, by the kind of estimator:
  detector  a classifier with predict_proba fits (train x, is_anomaly):
            score = probability of class 1, decision = predict == 1.
            An outlier detector (IsolationForest, LocalOutlierFactor,
            OneClassSVM, ...) fits train x alone, all rows, labels unused:
            score = -score_samples (higher = more anomalous),
            decision = predict == -1.
  typer     a classifier with predict_proba fits (train x, anomaly_type);
            its probabilities are spread over all request classes
            (classes absent from training get 0).
  clusterer fit_predict(train x) gives the labels (-1 = noise, kept).

Native thread pools (OpenMP, BLAS) are held to one thread so that answers
do not depend on request["threads"]: scikit-learn 1.2.1's KMeans gives
different cluster-centre bits with 1 and 2 OpenMP threads.  Parallelism
comes from n_jobs (joblib), which the estimators used here split by tree
or by row without changing the results.
"""

import difflib
import importlib
import inspect
import os
import sys

sys.dont_write_bytecode = True  # leave no __pycache__ beside the adapters
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import protocol  # noqa: E402

ROLES = ("detector", "typer", "clusterer")


def load_estimator_class(path):
    """Import the class named by ``path`` ("package.module.Class"), or fail clearly."""
    if not isinstance(path, str) or "." not in path.strip("."):
        protocol.fail(f"params.estimator is {path!r}; expected an import path such as "
                      "'sklearn.ensemble.RandomForestClassifier'")
    module_name, _, class_name = path.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        protocol.fail(f"params.estimator {path!r}: cannot import module {module_name!r} ({e})")
    if not hasattr(module, class_name):
        public = [n for n in dir(module) if not n.startswith("_")]
        near = difflib.get_close_matches(class_name, public, n=2)
        hint = f"; did you mean {', '.join(module_name + '.' + n for n in near)}?" if near else ""
        protocol.fail(f"params.estimator {path!r}: module {module_name!r} has no {class_name!r}{hint}")
    cls = getattr(module, class_name)
    if not inspect.isclass(cls) or not hasattr(cls, "fit"):
        protocol.fail(f"params.estimator {path!r} is not an estimator class (no fit method)")
    return cls


def build_estimator(cls, request):
    """Construct ``cls`` from the request's params plus random_state / n_jobs / novelty defaults."""
    kwargs = {k: v for k, v in request["params"].items() if k != "estimator"}
    signature = inspect.signature(cls)
    names = [n for n, p in signature.parameters.items() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    takes_any = any(p.kind == p.VAR_KEYWORD for p in signature.parameters.values())
    if not takes_any:
        for name in kwargs:
            if name not in names:
                near = difflib.get_close_matches(name, names, n=1)
                hint = f" (did you mean {near[0]!r}?)" if near else ""
                protocol.fail(f"params.{name}: {cls.__name__} takes no parameter {name!r}{hint}; "
                              f"its parameters: {', '.join(names)}")
    if "random_state" in names and "random_state" not in kwargs:
        kwargs["random_state"] = request["random_state"]
    if "n_jobs" in names and "n_jobs" not in kwargs:
        kwargs["n_jobs"] = request["threads"]
    if "novelty" in names and "novelty" not in kwargs and request["role"] == "detector":
        kwargs["novelty"] = True  # LocalOutlierFactor scores new rows only with novelty=True
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as e:
        protocol.fail(f"cannot construct {cls.__name__}({_show(kwargs)}): {e}")


def _show(kwargs):
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())


def kind_of(estimator):
    """'classifier', 'outlier_detector', 'clusterer' or None, as scikit-learn tags it."""
    from sklearn.base import is_classifier, is_outlier_detector

    if is_classifier(estimator):
        return "classifier"
    if is_outlier_detector(estimator):
        return "outlier_detector"
    if getattr(estimator, "_estimator_type", None) == "clusterer":
        return "clusterer"
    return None


def fit(estimator, *args, method="fit"):
    """estimator.<method>(*args), turning scikit-learn's parameter errors into a clear failure.

    scikit-learn 1.2 checks constructor params when fitting; a bad value
    (n_estimators: "many") raises InvalidParameterError, whose message
    names the param and what it must be.
    """
    try:
        from sklearn.utils._param_validation import InvalidParameterError
    except ImportError:  # older or newer scikit-learn
        InvalidParameterError = ()
    try:
        return getattr(estimator, method)(*args)
    except InvalidParameterError as e:
        protocol.fail(f"{type(estimator).__name__}: {e}")


def require_proba(estimator, role):
    """Fail unless a classifier can give probabilities (SVC needs probability=True)."""
    if not hasattr(estimator, "predict_proba"):
        protocol.fail(f"{type(estimator).__name__} has no predict_proba with these params, which role "
                      f"{role} needs (for SVC set probability: true)")


def run_detector(request, estimator):
    """Fit a classifier or an outlier detector; write score, decision, validation_score."""
    kind = kind_of(estimator)
    name = type(estimator).__name__
    if kind not in ("classifier", "outlier_detector"):
        protocol.fail(f"{name} is a {kind or 'estimator of no known kind'}; role detector needs a "
                      "classifier with predict_proba (fit on is_anomaly) or an outlier detector "
                      "(IsolationForest, LocalOutlierFactor, ...)")
    x = protocol.load_x(request, "train")
    test = protocol.load_x(request, "test")
    validation = protocol.load_x(request, "validation") if "validation" in request else None
    if kind == "classifier":
        require_proba(estimator, "detector")
        y = protocol.load_labels(request, "train", "is_anomaly")
        if np.unique(y).size < 2:
            protocol.fail(f"the training rows are all {'anomalies' if y[0] else 'normal'}; "
                          f"classifier {name} needs both to detect (use an outlier detector instead)")
        fit(estimator, x, y)
        column = list(estimator.classes_).index(1)

        def score(rows):
            return estimator.predict_proba(rows)[:, column]

        decision = estimator.predict(test) == 1
    else:  # an outlier detector
        if not hasattr(estimator, "score_samples"):
            protocol.fail(f"outlier detector {name} has no score_samples with these params")
        fit(estimator, x)  # unsupervised: every training row, labels unused

        def score(rows):
            return -estimator.score_samples(rows)

        decision = estimator.predict(test) == -1
    protocol.save_detector(request, score(test), decision,
                           score(validation) if validation is not None else None)


def run_typer(request, estimator):
    """Fit a classifier on anomaly_type; write probabilities over all request classes."""
    name = type(estimator).__name__
    if kind_of(estimator) != "classifier":
        protocol.fail(f"{name} is not a classifier; role typer needs a classifier with predict_proba")
    require_proba(estimator, "typer")
    x = protocol.load_x(request, "train")
    y = protocol.load_labels(request, "train", "anomaly_type")
    test = protocol.load_x(request, "test")
    n_classes = len(request["classes"])
    present = np.unique(y)
    if present.size == 1:
        protocol.warn(f"the training rows hold one class only ({request['classes'][present[0]]!r}); "
                      "every test row gets it with probability 1")
        proba = protocol.one_hot(test.shape[0], present[0], n_classes)
    else:
        fit(estimator, x, y)
        proba = protocol.map_proba(estimator.predict_proba(test), estimator.classes_, n_classes)
    protocol.save_proba(request, proba)


def run_clusterer(request, estimator):
    """fit_predict on every row of the trial; write the labels (-1 = noise)."""
    name = type(estimator).__name__
    if kind_of(estimator) != "clusterer" or not hasattr(estimator, "fit_predict"):
        protocol.fail(f"{name} is not a clusterer with fit_predict; role clusterer needs one "
                      "(KMeans, DBSCAN, ...)")
    labels = fit(estimator, protocol.load_x(request, "train"), method="fit_predict")
    protocol.save_labels(request, labels)


def main():
    request = protocol.read_request(roles=ROLES)
    if "estimator" not in request["params"]:
        protocol.fail("params.estimator is required: the estimator's import path, such as "
                      "'sklearn.ensemble.RandomForestClassifier'")
    from threadpoolctl import threadpool_limits

    cls = load_estimator_class(request["params"]["estimator"])
    estimator = build_estimator(cls, request)
    with threadpool_limits(limits=1):
        {"detector": run_detector, "typer": run_typer, "clusterer": run_clusterer}[request["role"]](request, estimator)


if __name__ == "__main__":
    main()

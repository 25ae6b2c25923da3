"""Shared helpers for segharness-external/1 adapters (see docs/external-models.md).

An adapter is run by the harness as ``<command...> <path of request.json>``:
the request's path is the last argument (and also ``$SEGHARNESS_REQUEST``).
This module reads and validates that request, loads the trial's data, and
writes the answers where the request says, in the request's format, with
the dtypes and shapes the protocol asks for:

    score, validation_score  float64, shape (rows,)
    decision                 bool,    shape (rows,)
    proba                    float64, shape (rows, len(classes)), C order
    labels                   int64,   shape (rows,)

It needs numpy only.  ``format: parquet`` needs pyarrow as well; without it
the adapter stops with a message saying so (exit status 2).

Typical use::

    import protocol
    request = protocol.read_request(roles=("detector",))
    x = protocol.load_x(request, "train")
    y = protocol.load_labels(request, "train", "is_anomaly")
    ...
    protocol.save_detector(request, score, decision, validation_score)

Every problem is reported through ``fail``: one line on standard error,
naming what is wrong, and exit status 2.
"""

import json
import math
import os
import sys

import numpy as np

PROTOCOL = "segharness-external/1"
ROLES = ("detector", "typer", "clusterer")
FORMATS = ("npy", "parquet")

# The answers each role must name in request["answer"].
REQUIRED_ANSWERS = {"detector": ("score",), "typer": ("proba",), "clusterer": ("labels",)}

EXIT_FAILURE = 2


def program_name():
    """The running adapter's file name, used as the prefix of its messages."""
    return os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "adapter"


def fail(message, status=EXIT_FAILURE):
    """Write ``message`` to standard error and exit with ``status`` (non-zero)."""
    sys.stderr.write(f"{program_name()}: error: {message}\n")
    sys.stderr.flush()
    sys.exit(status)


def warn(message):
    """Write a diagnostic line to standard error (the harness discards stdout)."""
    sys.stderr.write(f"{program_name()}: {message}\n")
    sys.stderr.flush()


# --------------------------------------------------------------------------
# The request


def request_path(argv=None):
    """The path of request.json: the last argument, else $SEGHARNESS_REQUEST."""
    argv = sys.argv if argv is None else argv
    if len(argv) >= 2:
        return argv[-1]
    env = os.environ.get("SEGHARNESS_REQUEST")
    if env:
        return env
    fail("usage: %s <request.json> (the harness appends the request's path as the last "
         "argument; $SEGHARNESS_REQUEST is not set either)" % program_name())


def _require(request, key, kind, where="request"):
    """Return request[key], failing unless it is present and of type ``kind``."""
    if key not in request:
        fail(f"{where} has no {key!r}")
    value = request[key]
    # bool is an int in Python; a JSON true is never a valid count or seed.
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        fail(f"{where}[{key!r}] is {value!r}; expected {_kind_name(kind)}")
    return value


def _kind_name(kind):
    names = {int: "an integer", str: "a string", dict: "an object", list: "a list"}
    return names.get(kind, getattr(kind, "__name__", str(kind)))


def read_request(roles, path=None):
    """Read and validate request.json; return it as a dict.

    ``roles`` are the roles this adapter can play; any other role, another
    protocol version, an unknown format or a missing key fails with a
    message naming it.  With ``format: parquet`` pyarrow must be importable.
    """
    path = request_path() if path is None else path
    try:
        with open(path, encoding="utf-8") as f:
            request = json.load(f)
    except OSError as e:
        fail(f"cannot read the request {path}: {e.strerror or e}")
    except ValueError as e:
        fail(f"the request {path} is not valid JSON: {e}")
    if not isinstance(request, dict):
        fail(f"the request {path} is not a JSON object")

    protocol = request.get("protocol")
    if protocol != PROTOCOL:
        fail(f"the request {path} speaks protocol {protocol!r}; this adapter speaks {PROTOCOL!r}")

    role = _require(request, "role", str)
    if role not in roles:
        known = "" if role in ROLES else f" (the protocol's roles are {', '.join(ROLES)})"
        fail(f"role {role!r} is not supported by {program_name()}{known}; "
             f"it plays {' or '.join(repr(r) for r in roles)}")

    fmt = request.get("format", "npy")
    if fmt not in FORMATS:
        fail(f"request format {fmt!r} is unknown; expected one of {', '.join(FORMATS)}")
    if fmt == "parquet":
        _pyarrow()  # fail now, before any work, when pyarrow is missing

    for key in ("seed", "random_state", "threads"):
        value = _require(request, key, int)
        if value < 0 or (key == "threads" and value < 1):
            fail(f"request[{key!r}] is {value}; expected a {'positive' if key == 'threads' else 'non-negative'} integer")
    params = request.get("params", {})
    if params is None:
        params = {}
    if not isinstance(params, dict):
        fail(f"request['params'] is {params!r}; expected an object")
    request["params"] = params
    columns = _require(request, "columns", list)
    if not all(isinstance(c, str) for c in columns):
        fail("request['columns'] must be a list of strings")
    classes = request.get("classes", [])
    if not isinstance(classes, list) or not all(isinstance(c, str) for c in classes):
        fail("request['classes'] must be a list of strings")
    if role == "typer" and not classes:
        fail("a typer's request must list its 'classes'")

    parts = ("train",) if role == "clusterer" else ("train", "test")
    for part in parts:
        obj = _require(request, part, dict)
        _require(obj, "rows", int, where=f"request[{part!r}]")
        _require(obj, "x", str, where=f"request[{part!r}]")
    if "validation" in request:
        obj = _require(request, "validation", dict)
        _require(obj, "rows", int, where="request['validation']")
        _require(obj, "x", str, where="request['validation']")

    answer = _require(request, "answer", dict)
    for name in REQUIRED_ANSWERS[role]:
        _require(answer, name, str, where="request['answer']")
    if "validation" in request and role == "detector":
        if "validation_score" not in answer:
            fail("the request has 'validation' but request['answer'] names no 'validation_score' path")
    return request


# --------------------------------------------------------------------------
# Loading data


def _part(request, part):
    if part not in request:
        fail(f"the request has no {part!r} rows")
    return request[part]


def _data_path(request, part, key):
    obj = _part(request, part)
    if key not in obj:
        fail(f"request[{part!r}] has no {key!r} file (role {request['role']})")
    return obj[key]


def rows(request, part):
    """The number of rows of ``part`` ("train", "validation" or "test")."""
    return _part(request, part)["rows"]


def _load_npy(path):
    try:
        return np.load(path, allow_pickle=False)
    except OSError as e:
        fail(f"cannot read {path}: {e}")
    except ValueError as e:
        fail(f"{path} is not a readable .npy file: {e}")


def load_x(request, part):
    """The feature matrix of ``part``: float64, shape (rows, len(columns)), C order."""
    path = _data_path(request, part, "x")
    columns = request["columns"]
    if request["format"] == "parquet":
        table = _read_parquet(path)
        missing = [c for c in columns if c not in table.column_names]
        if missing:
            fail(f"{path} has no column {missing[0]!r} (of {len(missing)} missing)")
        x = np.column_stack([_column(table, c, path) for c in columns]) if columns else np.empty((table.num_rows, 0))
    else:
        x = _load_npy(path)
    if x.dtype.kind not in "biuf":
        fail(f"{path}: dtype {x.dtype} is not numeric")
    x = np.ascontiguousarray(x, dtype=np.float64)
    want = (rows(request, part), len(columns))
    if x.shape != want:
        fail(f"{path}: shape {x.shape}; the request says {want} ({part} rows, columns)")
    return x


def load_labels(request, part, name):
    """The labels ``name`` ("is_anomaly" or "anomaly_type") of ``part``: int64, shape (rows,)."""
    path = _data_path(request, part, name)
    if request["format"] == "parquet":
        table = _read_parquet(path)
        column = name if name in table.column_names else (table.column_names[0] if table.num_columns == 1 else None)
        if column is None:
            fail(f"{path} has no column {name!r}")
        y = _column(table, column, path)
    else:
        y = _load_npy(path)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.dtype.kind not in "biu" and not (y.dtype.kind == "f" and np.all(y == np.round(y))):
        fail(f"{path}: {name} has dtype {y.dtype}; expected integers")
    y = np.ascontiguousarray(y, dtype=np.int64)
    if y.shape != (rows(request, part),):
        fail(f"{path}: shape {y.shape}; the request says ({rows(request, part)},)")
    if name == "is_anomaly":
        bad = np.flatnonzero((y != 0) & (y != 1))
        if bad.size:
            fail(f"{path}: row {bad[0]}: is_anomaly {y[bad[0]]} is neither 0 nor 1")
    elif name == "anomaly_type":
        bad = np.flatnonzero((y < 0) | (y >= len(request["classes"])))
        if bad.size:
            fail(f"{path}: row {bad[0]}: anomaly_type {y[bad[0]]} is not an index into the "
                 f"{len(request['classes'])} classes")
    return y


# --------------------------------------------------------------------------
# Probabilities


def map_proba(proba, estimator_classes, n_classes):
    """Spread an estimator's probabilities over all ``n_classes`` classes.

    ``estimator_classes[j]`` is the class index (into request["classes"]) of
    column j of ``proba`` -- typically an estimator's ``classes_``, the
    subset of classes present in its training rows.  Classes absent from
    training get probability 0.  The result is float64, C order, clipped to
    [0, 1] and renormalised so each row sums to 1 (lower-precision outputs,
    such as XGBoost's float32, otherwise drift from 1 by more than 1e-6
    with many classes).
    """
    proba = np.asarray(proba, dtype=np.float64)
    estimator_classes = np.asarray(estimator_classes)
    if proba.ndim != 2 or proba.shape[1] != estimator_classes.shape[0]:
        fail(f"the estimator gave probabilities of shape {proba.shape} for {estimator_classes.shape[0]} classes")
    if estimator_classes.dtype.kind not in "iu" or np.any(estimator_classes < 0) or np.any(estimator_classes >= n_classes):
        fail(f"the estimator's classes {estimator_classes.tolist()} are not indices into the {n_classes} classes")
    if np.unique(estimator_classes).size != estimator_classes.size:
        fail(f"the estimator's classes {estimator_classes.tolist()} repeat a class")
    out = np.zeros((proba.shape[0], n_classes), dtype=np.float64)
    out[:, estimator_classes.astype(np.int64)] = np.clip(proba, 0.0, 1.0)
    sums = out.sum(axis=1, keepdims=True)
    if np.any(~np.isfinite(sums)) or np.any(sums <= 0):
        row = int(np.flatnonzero(~np.isfinite(sums[:, 0]) | (sums[:, 0] <= 0))[0])
        fail(f"row {row}: the estimator's probabilities {proba[row].tolist()} do not form a distribution")
    return np.ascontiguousarray(out / sums)


def one_hot(n_rows, class_index, n_classes):
    """Probabilities putting all mass on one class (a typer that saw only one class)."""
    out = np.zeros((n_rows, n_classes), dtype=np.float64)
    out[:, class_index] = 1.0
    return out


# --------------------------------------------------------------------------
# Writing answers


def _check_rows(name, array, n):
    if array.shape[0] != n:
        fail(f"answer {name}: {array.shape[0]} rows; the request has {n}")


def _check_finite(name, array):
    bad = np.flatnonzero(~np.isfinite(array).reshape(array.shape[0], -1).all(axis=1)) if array.size else []
    if len(bad):
        fail(f"answer {name}: row {bad[0]} is {array[bad[0]]!r}, not finite "
             f"({len(bad)} such rows); the model is unusable on this data")


def _write(request, name, array, columns=None):
    """Write ``array`` to request["answer"][name] in the request's format.

    The exact path is used: np.save(path) would append ".npy" to a path
    not ending in it, so the file is opened here and handed to np.save.
    """
    path = request["answer"][name]
    try:
        if request["format"] == "parquet":
            pa, pq = _pyarrow()
            if array.ndim == 1:
                table = pa.table({name: array})
            else:
                table = pa.table({c: np.ascontiguousarray(array[:, k]) for k, c in enumerate(columns)})
            pq.write_table(table, path)
        else:
            with open(path, "wb") as f:
                np.save(f, np.ascontiguousarray(array), allow_pickle=False)
    except OSError as e:
        fail(f"cannot write answer {name} to {path}: {e.strerror or e}")


def save_detector(request, score, decision=None, validation_score=None):
    """Write a detector's answers.

    ``score``: one number per test row, higher = more anomalous (float64).
    ``decision``: one truth value per test row (bool); written when the
    request names a "decision" path.  ``validation_score``: required when
    the request has validation rows.
    """
    score = np.ascontiguousarray(np.asarray(score, dtype=np.float64).reshape(-1))
    _check_rows("score", score, rows(request, "test"))
    _check_finite("score", score)
    answer = request["answer"]
    if "decision" in answer:
        if decision is None:
            fail("the request names a 'decision' path but the adapter computed no decision")
        decision = np.asarray(decision).reshape(-1)
        if decision.dtype != np.bool_:
            bad = np.flatnonzero((decision != 0) & (decision != 1))
            if bad.size:
                fail(f"answer decision: row {bad[0]} is {decision[bad[0]]!r}, not 0 or 1")
            decision = decision != 0
        _check_rows("decision", decision, rows(request, "test"))
    if "validation" in request:
        if validation_score is None:
            fail("the request has validation rows but the adapter computed no validation_score")
        validation_score = np.ascontiguousarray(np.asarray(validation_score, dtype=np.float64).reshape(-1))
        _check_rows("validation_score", validation_score, rows(request, "validation"))
        _check_finite("validation_score", validation_score)
    _write(request, "score", score)
    if "decision" in answer:
        _write(request, "decision", np.ascontiguousarray(decision, dtype=np.bool_))
    if "validation" in request:
        _write(request, "validation_score", validation_score)


def save_proba(request, proba):
    """Write a typer's probabilities: float64, (test rows, len(classes)), rows summing to 1."""
    proba = np.ascontiguousarray(np.asarray(proba, dtype=np.float64))
    n_classes = len(request["classes"])
    if proba.ndim != 2 or proba.shape[1] != n_classes:
        fail(f"answer proba: shape {proba.shape}; expected (test rows, {n_classes} classes)")
    _check_rows("proba", proba, rows(request, "test"))
    _check_finite("proba", proba)
    if proba.size and (proba.min() < 0 or proba.max() > 1):
        fail("answer proba: a probability is outside [0, 1]")
    off = np.flatnonzero(np.abs(proba.sum(axis=1) - 1) > 1e-6)
    if off.size:
        fail(f"answer proba: row {off[0]} sums to {proba[off[0]].sum()!r}, not 1")
    _write(request, "proba", proba, columns=request["classes"])


def save_labels(request, labels):
    """Write a clusterer's labels: int64, (train rows,), -1 for noise."""
    labels = np.asarray(labels).reshape(-1)
    if labels.dtype.kind not in "biu":
        fail(f"answer labels: dtype {labels.dtype}; expected integers")
    labels = np.ascontiguousarray(labels, dtype=np.int64)
    _check_rows("labels", labels, rows(request, "train"))
    bad = np.flatnonzero(labels < -1)
    if bad.size:
        fail(f"answer labels: row {bad[0]} is {labels[bad[0]]}, below -1")
    _write(request, "labels", labels)


# --------------------------------------------------------------------------
# Params


def typed_param(params, name, default, kind, check=None, describe=""):
    """Read params[name] (default ``default``), checking its type and range.

    ``kind`` is int, float, str or bool.  Numbers are taken by value, not
    by how they were spelt: 1 is accepted for a float and 16.0 for an int
    (a JSON encoder may write the float 1.0 as 1).  ``check`` is a
    predicate on the value; ``describe`` says what it demands.
    """
    value = params.get(name, default)
    ok = isinstance(value, kind) and not (isinstance(value, bool) and kind is not bool)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value, ok = float(value), True
    if kind is int and isinstance(value, float) and value.is_integer():
        value, ok = int(value), True
    if ok and kind is float and not math.isfinite(value):
        ok = False
    if not ok or (check is not None and not check(value)):
        want = describe or {int: "an integer", float: "a number", str: "a string", bool: "a boolean"}[kind]
        fail(f"params.{name} is {value!r}; expected {want}")
    return value


def reject_unknown_params(params, known):
    """Fail naming the first param that is not in ``known`` (a typo guard)."""
    import difflib

    for name in params:
        if name not in known:
            near = difflib.get_close_matches(name, known, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            fail(f"params.{name} is not a parameter of {program_name()}{hint}; "
                 f"its parameters: {', '.join(sorted(known))}")


# --------------------------------------------------------------------------
# Parquet (optional)


def _pyarrow():
    """Import pyarrow for format parquet, or fail saying it is needed."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        fail(f"format parquet needs pyarrow, which {sys.executable} cannot import; install it "
             "(pip install pyarrow, or apt-get install python3-pyarrow) or use format: npy")
    return pa, pq


def _read_parquet(path):
    _, pq = _pyarrow()
    try:
        return pq.read_table(path)
    except Exception as e:  # pyarrow raises several kinds for unreadable files
        fail(f"cannot read the Parquet file {path}: {e}")


def _column(table, name, path):
    column = table.column(name)
    if column.null_count:
        fail(f"{path}: column {name!r} has {column.null_count} nulls")
    return column.to_numpy()

"""Tests of the reference adapters against hand-made segharness-external/1 requests.

Run from the repository's root with the interpreter that has the libraries:

    /usr/bin/python3 -m unittest discover -s adapters -v

Each test builds a request as docs/external-models.md describes it: the
data as .npy files in a working directory, request.json with absolute
paths, then runs the adapter as the harness would -- an argument list (no
shell) with the request's path appended last, $SEGHARNESS_REQUEST set,
empty standard input, and as working directory an "experiment directory"
that is not the adapters' own (the adapter is named by a path relative to
it, as `command: [python3, ../adapters/x.py]` would be).  It then reads
the answers back and checks what the harness checks, and more: dtypes,
shapes, C order, finiteness, decisions 0/1, probabilities in class order
summing to 1, labels >= -1, determinism, and detection quality on a task
whose anomalies are obvious.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = sys.executable
SKLEARN = os.path.join(HERE, "sklearn_model.py")
XGBOOST = os.path.join(HERE, "xgboost_model.py")
TORCH = os.path.join(HERE, "torch_autoencoder.py")

CLASSES = ["dos", "exfil", "normal", "scan"]  # sorted; "exfil" never occurs in the data
NORMAL = CLASSES.index("normal")
COLUMNS = ["bytes_sent", "packets_sent", "duration", "dst_ports", "syn_ratio", "entropy"]
SIZES = {"train": 1500, "validation": 500, "test": 1000}


def synthetic(seed=0, anomaly_rate=0.1):
    """An easy task: normal rows ~ N(0, 1); "dos" shifts two features by +6, "scan" two others by -6."""
    rng = np.random.default_rng(seed)
    data = {}
    for part, n in SIZES.items():
        x = rng.normal(size=(n, len(COLUMNS)))
        kind = rng.random(n)
        anomaly_type = np.full(n, NORMAL, dtype=np.int64)
        anomaly_type[kind < anomaly_rate / 2] = CLASSES.index("dos")
        anomaly_type[(kind >= anomaly_rate / 2) & (kind < anomaly_rate)] = CLASSES.index("scan")
        x[anomaly_type == CLASSES.index("dos"), 0:2] += 6
        x[anomaly_type == CLASSES.index("scan"), 2:4] -= 6
        data[part] = {"x": np.ascontiguousarray(x, dtype=np.float64),
                      "anomaly_type": anomaly_type,
                      "is_anomaly": (anomaly_type != NORMAL).astype(np.int64)}
    return data


DATA = synthetic()


def auc(score, label):
    """ROC AUC by the Mann-Whitney statistic (ties count one half)."""
    pos, neg = score[label == 1], score[label == 0]
    greater = (pos[:, None] > neg[None, :]).sum()
    ties = (pos[:, None] == neg[None, :]).sum()
    return (greater + 0.5 * ties) / (pos.size * neg.size)


class AdapterCase(unittest.TestCase):
    """Builds requests in a fresh experiment directory and runs adapters in it."""

    def setUp(self):
        self.experiment_dir = tempfile.mkdtemp(prefix="segharness-adapters-")
        self.addCleanup(shutil.rmtree, self.experiment_dir, ignore_errors=True)
        self.counter = 0

    def make_request(self, role, params, *, validation=True, threads=2, seed=9123371502863012077,
                     fmt="npy", protocol="segharness-external/1", answer_ext=".npy", data=DATA):
        """Write the data and request.json as the harness would; return the request's path."""
        self.counter += 1
        work = os.path.join(self.experiment_dir, "runs", "exp", "trials", f"seed={self.counter}",
                            f".work-model.{self.counter}.tmp")
        os.makedirs(work)
        parts = {"clusterer": ["train"]}.get(role, ["train", "validation", "test"] if validation else ["train", "test"])
        if role != "detector":
            parts = [p for p in parts if p != "validation"]
        request = {
            "protocol": protocol, "experiment": "exp", "trial": f"seed={self.counter}", "model": "model",
            "role": role, "seed": seed, "random_state": seed % 2**31, "threads": threads,
            "params": params, "format": fmt, "columns": COLUMNS, "classes": CLASSES,
        }
        for part in parts:
            if role == "clusterer":  # every row of the trial, no labels
                x = np.concatenate([data[p]["x"] for p in SIZES])
                arrays = {"x": x}
            elif part == "test":
                arrays = {"x": data[part]["x"]}
            else:
                arrays = {k: data[part][k] for k in ("x", "is_anomaly", "anomaly_type")}
            entry = {"rows": int(arrays["x"].shape[0])}
            for name, array in arrays.items():
                path = os.path.join(work, f"{part}_{name}.npy")
                np.save(path, array)
                entry[name] = path
            request[part] = entry
        answers = {"detector": ["score", "decision"] + (["validation_score"] if "validation" in parts else []),
                   "typer": ["proba"], "clusterer": ["labels"]}[role]
        files = {"score": "test_score", "decision": "test_decision", "validation_score": "validation_score",
                 "proba": "test_proba", "labels": "train_labels"}
        request["answer"] = {name: os.path.join(work, files[name] + answer_ext) for name in answers}
        path = os.path.join(work, "request.json")
        with open(path, "w") as f:
            json.dump(request, f, indent=1)
        return path

    def run_adapter(self, adapter, request_path, expect_ok=True):
        """Run the adapter as the harness does; return the CompletedProcess."""
        command = [PYTHON, os.path.relpath(adapter, self.experiment_dir), request_path]
        env = dict(os.environ, SEGHARNESS_REQUEST=request_path)
        proc = subprocess.run(command, cwd=self.experiment_dir, env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=300)
        if expect_ok:
            self.assertEqual(proc.returncode, 0, f"{os.path.basename(adapter)} failed:\n{proc.stderr}")
        return proc

    def answers(self, request_path):
        """The answers the request names, loaded, after checking each is a C-order .npy file."""
        with open(request_path) as f:
            request = json.load(f)
        out = {}
        for name, path in request["answer"].items():
            self.assertTrue(os.path.isfile(path), f"answer {name} missing at {path}")
            array = np.load(path, allow_pickle=False)
            self.assertFalse(array.ndim > 1 and not array.flags.c_contiguous, f"{name} is not in C order")
            out[name] = array
        return request, out

    def answer_bytes(self, request_path):
        with open(request_path) as f:
            request = json.load(f)
        out = {}
        for name, path in request["answer"].items():
            with open(path, "rb") as f:
                out[name] = f.read()
        return out

    def check_detector(self, request_path, min_auc=0.98):
        """Shapes, dtypes, finiteness, 0/1 decisions and AUC on test and validation."""
        request, a = self.answers(request_path)
        n_test, n_val = request["test"]["rows"], request.get("validation", {}).get("rows")
        self.assertEqual(a["score"].shape, (n_test,))
        self.assertEqual(a["score"].dtype, np.float64)
        self.assertTrue(np.all(np.isfinite(a["score"])))
        self.assertEqual(a["decision"].shape, (n_test,))
        self.assertEqual(a["decision"].dtype, np.bool_)
        self.assertTrue(set(np.unique(a["decision"].astype(int))) <= {0, 1})
        truth = DATA["test"]["is_anomaly"]
        self.assertGreaterEqual(auc(a["score"], truth), min_auc)
        # The decisions catch most anomalies without flagging many normal rows.
        self.assertGreater(a["decision"][truth == 1].mean(), 0.8)
        self.assertLess(a["decision"][truth == 0].mean(), 0.1)
        if n_val is not None:
            self.assertEqual(a["validation_score"].shape, (n_val,))
            self.assertEqual(a["validation_score"].dtype, np.float64)
            self.assertTrue(np.all(np.isfinite(a["validation_score"])))
            self.assertGreaterEqual(auc(a["validation_score"], DATA["validation"]["is_anomaly"]), min_auc)
        return a

    def check_typer(self, request_path):
        """Probabilities: shape, dtype, [0, 1], rows summing to 1, class order, absent class at 0."""
        request, a = self.answers(request_path)
        proba = a["proba"]
        self.assertEqual(proba.shape, (request["test"]["rows"], len(CLASSES)))
        self.assertEqual(proba.dtype, np.float64)
        self.assertTrue(np.all(np.isfinite(proba)))
        self.assertTrue(np.all((proba >= 0) & (proba <= 1)))
        np.testing.assert_allclose(proba.sum(axis=1), 1, atol=1e-6)
        self.assertTrue(np.all(proba[:, CLASSES.index("exfil")] == 0), "a class absent from training got mass")
        accuracy = (proba.argmax(axis=1) == DATA["test"]["anomaly_type"]).mean()
        self.assertGreater(accuracy, 0.97, "probabilities are not in the order of classes")
        return a

    def check_labels(self, request_path):
        request, a = self.answers(request_path)
        labels = a["labels"]
        self.assertEqual(labels.shape, (request["train"]["rows"],))
        self.assertEqual(labels.dtype, np.int64)
        self.assertTrue(np.all(labels >= -1))
        return labels

    def check_failure(self, adapter, request_path, *needles):
        """The adapter exits non-zero and its standard error names what is wrong."""
        proc = self.run_adapter(adapter, request_path, expect_ok=False)
        self.assertNotEqual(proc.returncode, 0, f"{os.path.basename(adapter)} succeeded unexpectedly")
        for needle in needles:
            self.assertIn(needle, proc.stderr)
        self.assertNotIn("Traceback", proc.stderr, "a failure should be a message, not a traceback")
        return proc


class SklearnTests(AdapterCase):

    def test_classifier_detector(self):
        path = self.make_request("detector", {"estimator": "sklearn.ensemble.HistGradientBoostingClassifier"})
        self.run_adapter(SKLEARN, path)
        self.check_detector(path)

    def test_random_forest_detector_deterministic(self):
        params = {"estimator": "sklearn.ensemble.RandomForestClassifier", "n_estimators": 30}
        first, second = (self.make_request("detector", params, threads=t) for t in (2, 1))
        self.run_adapter(SKLEARN, first)
        self.run_adapter(SKLEARN, second)
        self.check_detector(first)
        self.assertEqual(self.answer_bytes(first), self.answer_bytes(second),
                         "threads 2 and 1 gave different answers")

    def test_isolation_forest_detector(self):
        # Answer paths without the .npy suffix: the adapter must write the exact paths.
        path = self.make_request("detector", {"estimator": "sklearn.ensemble.IsolationForest"}, answer_ext="")
        self.run_adapter(SKLEARN, path)
        self.check_detector(path)
        leftovers = [f for f in os.listdir(os.path.dirname(path)) if f.endswith("score.npy")]
        self.assertEqual(leftovers, [], "np.save appended .npy to an answer path")

    def test_local_outlier_factor_detector(self):
        # Fitted on every training row, anomalies included: each anomaly type is a
        # dense cluster of ~75 training rows, so fewer neighbours than that would
        # take the clusters for normal neighbourhoods.
        path = self.make_request("detector", {"estimator": "sklearn.neighbors.LocalOutlierFactor",
                                              "n_neighbors": 150}, validation=False)
        self.run_adapter(SKLEARN, path)
        self.check_detector(path)

    def test_typer(self):
        path = self.make_request("typer", {"estimator": "sklearn.ensemble.RandomForestClassifier",
                                           "n_estimators": 50})
        self.run_adapter(SKLEARN, path)
        self.check_typer(path)

    def test_kmeans_clusterer_deterministic(self):
        params = {"estimator": "sklearn.cluster.KMeans", "n_clusters": 3, "n_init": 3}
        first, second = (self.make_request("clusterer", params, threads=t) for t in (2, 1))
        self.run_adapter(SKLEARN, first)
        self.run_adapter(SKLEARN, second)
        labels = self.check_labels(first)
        self.assertEqual(set(np.unique(labels)), {0, 1, 2})
        self.assertEqual(self.answer_bytes(first), self.answer_bytes(second))

    def test_dbscan_keeps_noise(self):
        path = self.make_request("clusterer", {"estimator": "sklearn.cluster.DBSCAN", "eps": 0.9, "min_samples": 10})
        self.run_adapter(SKLEARN, path)
        labels = self.check_labels(path)
        self.assertIn(-1, labels)

    def test_unknown_estimator(self):
        path = self.make_request("detector", {"estimator": "sklearn.ensemble.RandomForrestClassifier"})
        self.check_failure(SKLEARN, path, "RandomForrestClassifier", "sklearn.ensemble.RandomForestClassifier")

    def test_unknown_module(self):
        path = self.make_request("detector", {"estimator": "sklearn.ensembles.IsolationForest"})
        self.check_failure(SKLEARN, path, "sklearn.ensembles")

    def test_missing_estimator(self):
        path = self.make_request("detector", {"n_estimators": 10})
        self.check_failure(SKLEARN, path, "params.estimator is required")

    def test_unknown_constructor_param(self):
        path = self.make_request("detector", {"estimator": "sklearn.ensemble.IsolationForest", "n_estimator": 10})
        self.check_failure(SKLEARN, path, "n_estimator", "did you mean 'n_estimators'")

    def test_estimator_wrong_for_role(self):
        path = self.make_request("detector", {"estimator": "sklearn.cluster.KMeans"})
        self.check_failure(SKLEARN, path, "KMeans", "role detector")


class XGBoostTests(AdapterCase):

    def test_detector_deterministic_across_threads(self):
        params = {"n_estimators": 50, "max_depth": 4, "subsample": 0.8, "colsample_bytree": 0.8}
        first, again, one_thread = (self.make_request("detector", params, threads=t) for t in (2, 2, 1))
        for path in (first, again, one_thread):
            self.run_adapter(XGBOOST, path)
        self.check_detector(first)
        self.assertEqual(self.answer_bytes(first), self.answer_bytes(again), "the same request gave different answers")
        self.assertEqual(self.answer_bytes(first), self.answer_bytes(one_thread), "threads 2 and 1 differ")
        request, a = self.answers(first)
        np.testing.assert_array_equal(a["decision"], a["score"] >= 0.5)

    def test_typer(self):
        path = self.make_request("typer", {"n_estimators": 30})
        self.run_adapter(XGBOOST, path)
        self.check_typer(path)

    def test_wrong_role(self):
        path = self.make_request("clusterer", {})
        self.check_failure(XGBOOST, path, "role 'clusterer' is not supported", "detector")


class TorchTests(AdapterCase):

    def test_detector_deterministic_across_threads(self):
        params = {"epochs": 20, "batch_size": 128}
        first, again, one_thread = (self.make_request("detector", params, threads=t) for t in (2, 2, 1))
        for path in (first, again, one_thread):
            self.run_adapter(TORCH, path)
        a = self.check_detector(first)
        self.assertEqual(self.answer_bytes(first), self.answer_bytes(again), "the same request gave different answers")
        self.assertEqual(self.answer_bytes(first), self.answer_bytes(one_thread),
                         "threads 2 and 1 differ: set MAX_THREADS = 1 in torch_autoencoder.py")
        # contamination 0.01 of normal training rows: few normal test rows flagged.
        self.assertLess(a["decision"][DATA["test"]["is_anomaly"] == 0].mean(), 0.05)

    def test_train_on_all(self):
        path = self.make_request("detector", {"epochs": 10, "train_on": "all", "contamination": 0.1}, validation=False)
        self.run_adapter(TORCH, path)
        self.check_detector(path)

    def test_wrong_role(self):
        path = self.make_request("typer", {})
        self.check_failure(TORCH, path, "role 'typer' is not supported", "detector")

    def test_unknown_param(self):
        path = self.make_request("detector", {"epoch": 3})
        self.check_failure(TORCH, path, "params.epoch", "did you mean 'epochs'")

    def test_bad_param_value(self):
        path = self.make_request("detector", {"train_on": "anomalies"})
        self.check_failure(TORCH, path, "params.train_on", '"normal" or "all"')


class ProtocolTests(AdapterCase):

    def test_bad_protocol(self):
        for adapter in (SKLEARN, XGBOOST, TORCH):
            path = self.make_request("detector", {"estimator": "sklearn.ensemble.IsolationForest"},
                                     protocol="segharness-external/2")
            self.check_failure(adapter, path, "'segharness-external/2'", "'segharness-external/1'")

    def test_unknown_role(self):
        path = self.make_request("detector", {"estimator": "sklearn.ensemble.IsolationForest"})
        with open(path) as f:
            request = json.load(f)
        request["role"] = "ranker"
        with open(path, "w") as f:
            json.dump(request, f)
        self.check_failure(SKLEARN, path, "'ranker'", "detector")

    def test_short_data_file(self):
        path = self.make_request("detector", {"estimator": "sklearn.ensemble.IsolationForest"})
        with open(path) as f:
            request = json.load(f)
        np.save(request["test"]["x"], DATA["test"]["x"][:-1])
        self.check_failure(SKLEARN, path, "test_x.npy", "shape (999, 6)")

    def test_parquet_needs_pyarrow(self):
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            pass
        else:
            self.skipTest("pyarrow is installed: parquet is supported here")
        path = self.make_request("detector", {}, fmt="parquet")
        proc = self.check_failure(TORCH, path, "pyarrow", "format parquet")
        self.assertEqual(proc.returncode, 2)

    def test_threshold_without_decision(self):
        """With a model `threshold` the decision is optional: no 'decision' path, no decision file."""
        path = self.make_request("detector", {"estimator": "sklearn.ensemble.IsolationForest"}, validation=False)
        with open(path) as f:
            request = json.load(f)
        del request["answer"]["decision"]
        with open(path, "w") as f:
            json.dump(request, f)
        self.run_adapter(SKLEARN, path)
        request, a = self.answers(path)
        self.assertEqual(sorted(a), ["score"])
        self.assertFalse(os.path.exists(os.path.join(os.path.dirname(path), "test_decision.npy")))
        self.assertEqual(os.listdir(self.experiment_dir), ["runs"], "the adapter wrote into its working directory")

    def test_extra_arguments(self):
        """The request is the last argument, whatever precedes it (and without $SEGHARNESS_REQUEST)."""
        path = self.make_request("detector", {"epochs": 2}, validation=False)
        command = [PYTHON, os.path.relpath(TORCH, self.experiment_dir), "--ignored", path]
        proc = subprocess.run(command, cwd=self.experiment_dir, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.answers(path)


if __name__ == "__main__":
    unittest.main()

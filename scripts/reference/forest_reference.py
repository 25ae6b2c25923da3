"""Reference values for internal/ml/forest, computed by scikit-learn.

Each case is a tiny dataset and a tree configuration whose result does not
depend on the random state: a RandomForestClassifier of one tree with
bootstrap=False and max_features=None (every feature scored at every node;
or one feature, where all others are constant, so the draw goes on until it
finds the informative one),
or a DecisionTreeClassifier fitted with integer sample weights (the forest's
bootstrap multiplicities) and max_features=None. The script checks that ten
random states give the same tree (no ties between features) and prints JSON:
the inputs, the tree_ arrays, feature_importances_, predict_proba on probe
rows, and export_text of the tree (at the case's max_depth and at 0 to 3).

It also runs the notebook's random forests on the case study's own 10,000
flows (../shared/parity/notebook-flows-10k.csv.gz, the notebook's features,
StandardScaler and stratified split with random_state=42) for 20 random
states and records the spread: detection rate, false positive rate, the
mean and standard deviation of each feature's Gini importance, which
features took ranks 1-3 and 4-5, nodes and depth per tree, and the 3-class
balanced forest's accuracy, nodes per tree and the share of its splits made
on pure nodes (rounding residue of the fractional class weights).

Usage (Debian's python3-sklearn 1.2.1, the notebook's version):
  /usr/bin/python3 scripts/reference/forest_reference.py > internal/ml/forest/testdata/sklearn-reference.json
"""
import json
import sys

import numpy as np
import pandas as pd
import sklearn
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier, export_text


def case(name, X, y, probes, max_depth=None, min_samples_split=2,
         min_samples_leaf=1, class_weight=None, sample_weight=None,
         export_depth=10, feature_names=None, max_features=None):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    trees = []
    for seed in range(10):
        params = dict(max_depth=max_depth, min_samples_split=min_samples_split,
                      min_samples_leaf=min_samples_leaf, max_features=max_features,
                      random_state=seed)
        if sample_weight is None:
            m = RandomForestClassifier(n_estimators=1, bootstrap=False,
                                       class_weight=class_weight, **params)
            m.fit(X, y)
            est = m.estimators_[0]
            proba = m.predict_proba(np.asarray(probes, dtype=np.float64))
            importances = m.feature_importances_
        else:
            # What the forest hands each tree: bootstrap counts (times the
            # class weights) as sample weights.
            w = np.asarray(sample_weight, dtype=np.float64)
            if class_weight == "balanced":
                counts = np.bincount(y)
                w = w * (len(y) / (len(counts) * counts.astype(np.float64)))[y]
            m = DecisionTreeClassifier(**params)
            m.fit(X, y, sample_weight=w)
            est = m
            proba = m.predict_proba(np.asarray(probes, dtype=np.float64))
            importances = m.feature_importances_
        t = est.tree_
        trees.append({
            "children_left": t.children_left.tolist(),
            "children_right": t.children_right.tolist(),
            "feature": t.feature.tolist(),
            "threshold": t.threshold.tolist(),
            "impurity": t.impurity.tolist(),
            "n_node_samples": t.n_node_samples.tolist(),
            "weighted_n_node_samples": t.weighted_n_node_samples.tolist(),
            "value": t.value[:, 0, :].tolist(),
            "importances": importances.tolist(),
            "proba": proba.tolist(),
            "export_text": export_text(est, feature_names=feature_names,
                                       max_depth=export_depth),
            "export_text_by_depth": [export_text(est, feature_names=feature_names, max_depth=d)
                                     for d in range(4)],
        })
    structure = ("children_left", "children_right", "feature", "threshold", "n_node_samples")
    for other in trees[1:]:
        if any(other[k] != trees[0][k] for k in structure):
            sys.exit(f"case {name}: the tree depends on the random state")
        # With fractional weights the sums depend on the order of the rows,
        # which the random state moves; the last bits may differ.
        for k in ("impurity", "weighted_n_node_samples", "value", "importances", "proba"):
            if not np.allclose(other[k], trees[0][k], rtol=1e-12, atol=1e-14):
                sys.exit(f"case {name}: {k} depends on the random state")
    return {
        "name": name, "x": X.tolist(), "y": y.tolist(), "probes": probes,
        "max_depth": max_depth or 0, "min_samples_split": min_samples_split,
        "min_samples_leaf": min_samples_leaf, "class_weight": class_weight or "",
        "max_features": max_features or 0,
        "sample_weight": sample_weight, "export_depth": export_depth,
        "feature_names": feature_names, **trees[0],
    }


one_to_eight = [[v] for v in range(1, 9)]
noisy = [0, 0, 1, 0, 1, 1, 1, 0]
rng = np.random.RandomState(19)  # a seed whose trees have no ties between features
mixed_x = np.round(rng.normal(size=(30, 3)), 2)
mixed_y = ((mixed_x[:, 0] + 0.5 * mixed_x[:, 1] > 0).astype(int)
           + (mixed_x[:, 2] > 0.8).astype(int))
mixed_probes = np.round(rng.normal(size=(5, 3)), 2).tolist()
weights = rng.randint(0, 4, size=30).tolist()

cases = [
    case("clean split", [[1], [2], [3], [4], [5], [6]], [0, 0, 0, 1, 1, 1],
         [[3.5], [3.6]]),
    case("noisy one feature", one_to_eight, noisy, [[2.5], [4.5], [7.6]]),
    case("depth limited", one_to_eight, noisy, [[2.5], [4.5], [7.6]], max_depth=1),
    case("no min samples leaf", [[1], [2], [3], [4], [5], [6]], [0, 1, 1, 1, 0, 0],
         [[1], [6]]),
    case("min samples leaf", [[1], [2], [3], [4], [5], [6]], [0, 1, 1, 1, 0, 0],
         [[1], [6]], min_samples_leaf=2),
    case("min samples split", one_to_eight, noisy, [[1], [8]], min_samples_split=5),
    case("unbalanced", [[v] for v in range(1, 11)], [0, 0, 0, 0, 0, 1, 0, 0, 1, 1],
         [[5.5], [9.5]], max_depth=1),
    case("balanced", [[v] for v in range(1, 11)], [0, 0, 0, 0, 0, 1, 0, 0, 1, 1],
         [[5.5], [9.5]], max_depth=1, class_weight="balanced"),
    case("tie first wins", [[1], [2], [3], [4]], [0, 1, 1, 0], [[1], [2.5], [4]],
         max_depth=1),
    case("values within 1e-7", [[0.5], [0.50000006], [1.0]], [0, 1, 1],
         [[0.5], [0.7], [1.0]]),
    case("equal in float32", [[1.0], [1.0 + 1e-9], [2.0]], [0, 1, 1], [[1.0], [2.0]]),
    case("constant features", [[1, v, 5] for v in range(1, 9)], noisy,
         [[1, 2.5, 5], [1, 4.5, 5], [1, 7.6, 5]], max_features=1),
    case("three classes", mixed_x.tolist(), mixed_y.tolist(), mixed_probes,
         max_depth=3, export_depth=1,
         feature_names=["alpha", "beta", "gamma"]),
    case("sample weights", mixed_x.tolist(), mixed_y.tolist(), mixed_probes,
         sample_weight=weights, max_depth=4, min_samples_split=4, export_depth=2),
    case("weighted balanced", mixed_x.tolist(), mixed_y.tolist(), mixed_probes,
         sample_weight=weights, class_weight="balanced", max_depth=3),
]



def parity(states=20):
    df = pd.read_csv("../shared/parity/notebook-flows-10k.csv.gz")
    feature_cols = [
        'bytes_sent', 'packets_sent', 'duration', 'cpu_usage', 'ports_contacted',
        'bytes_per_second', 'packets_per_second', 'high_cpu', 'long_duration',
        'many_ports', 'off_hours', 'cross_dept', 'risk_score', 'log_bytes', 'log_duration'
    ]
    encoded = {
        'src_device_encoded': 'src_device_type', 'dst_device_encoded': 'dst_device_type',
        'protocol_encoded': 'protocol', 'src_dept_encoded': 'src_department',
        'dst_dept_encoded': 'dst_department',
    }
    for col, src in encoded.items():
        df[col] = LabelEncoder().fit_transform(df[src])
    feature_cols += list(encoded)
    X = StandardScaler().fit_transform(df[feature_cols])
    y = df['is_anomaly'].astype(int).values
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, random_state=42, stratify=y)
    detection, fpr, importances, top3, ranks45, nodes, depth = [], [], [], set(), set(), [], []
    for rs in range(states):
        rf = RandomForestClassifier(n_estimators=100, random_state=rs).fit(X_train, y_train)
        pred = rf.predict(X_test)
        detection.append(float(np.mean(pred[y_test == 1] == 1)))
        fpr.append(float(np.mean(pred[y_test == 0] == 1)))
        imp = rf.feature_importances_
        importances.append(imp)
        order = [feature_cols[i] for i in np.argsort(-imp, kind="stable")]
        top3 |= set(order[:3])
        ranks45 |= set(order[3:5])
        nodes += [e.tree_.node_count for e in rf.estimators_]
        depth += [e.tree_.max_depth for e in rf.estimators_]
    importances = np.array(importances)
    y_type = LabelEncoder().fit_transform(df['anomaly_type'])
    X_train, X_test, t_train, t_test = train_test_split(
        X, y_type, test_size=0.3, random_state=42, stratify=y)
    accuracy, balanced_nodes, internal, pure_internal = [], [], 0, 0
    for rs in range(states // 4):
        rf = RandomForestClassifier(n_estimators=150, random_state=rs,
                                    class_weight='balanced').fit(X_train, t_train)
        accuracy.append(float(np.mean(rf.predict(X_test) == t_test)))
        for e in rf.estimators_:
            t = e.tree_
            balanced_nodes.append(t.node_count)
            for i in range(t.node_count):
                if t.children_left[i] != -1:
                    internal += 1
                    # A pure node split anyway: rounding residue of the
                    # fractional class weights made its impurity > EPSILON.
                    pure_internal += int((t.value[i, 0] > 0).sum() == 1)
    return {
        "random_states": states,
        "features": feature_cols,
        "detection_rate": detection,
        "false_positive_rate": fpr,
        "importance_mean": importances.mean(axis=0).tolist(),
        "importance_sd": importances.std(axis=0, ddof=1).tolist(),
        "top3": sorted(top3),
        "ranks_4_5": sorted(ranks45),
        "nodes_per_tree_mean": float(np.mean(nodes)),
        "depth_per_tree_mean": float(np.mean(depth)),
        "balanced_3class_accuracy": accuracy,
        "balanced_nodes_per_tree_mean": float(np.mean(balanced_nodes)),
        "balanced_pure_split_fraction": pure_internal / internal,
    }


json.dump({"source": f"scikit-learn {sklearn.__version__}, numpy {np.__version__}, pandas {pd.__version__}",
           "cases": cases, "parity": parity()}, sys.stdout, indent=1)
print()

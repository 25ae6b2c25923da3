"""Reference values for internal/ml/cluster, computed by scikit-learn 1.2.1.

Prints JSON with:
  - silhouette_score on small hand-checkable cases (a tiny 1-D case, a
    singleton cluster, noise as a cluster) and on a seeded random case whose
    points are printed too (so the Go test can embed them);
  - KMeans on separated blobs (inertia);
  - the notebook's clustering on the case study's own 10,000 flows
    (../shared/parity/notebook-flows-10k.csv.gz): KMeans(k=6, n_init=10)
    inertia and silhouette for random states 0-4, DBSCAN(eps=0.5,
    min_samples=5) clusters and noise.

Usage (Debian's python3-sklearn 1.2.1, the notebook's version), from the
repository root:
  /usr/bin/python3 scripts/reference/cluster_reference.py

With --matrix FILE it instead scores a scaled matrix written by the Go tests
(go test ./internal/ml/cluster -run TestDBSCANNotebook100k -export FILE):
DBSCAN(eps=0.5, min_samples=5) clusters and noise, and KMeans(k=6,
n_init=10) inertia and silhouette on a 10,000-row sample, random states 0-4.
"""
import argparse
import json
import sys

import numpy as np
import pandas as pd
import sklearn
from sklearn.cluster import DBSCAN, KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import LabelEncoder, StandardScaler

out = {"source": f"scikit-learn {sklearn.__version__}, numpy {np.__version__}"}

parser = argparse.ArgumentParser()
parser.add_argument("--matrix", help="CSV of a scaled feature matrix, no header")
args = parser.parse_args()
if args.matrix:
    X = np.loadtxt(args.matrix, delimiter=",")
    db = DBSCAN(eps=0.5, min_samples=5).fit(X).labels_
    out["dbscan"] = {"clusters": int(len(set(db)) - (1 if -1 in db else 0)),
                     "noise": int((db == -1).sum())}
    runs = []
    for rs in range(5):
        km = KMeans(n_clusters=6, n_init=10, random_state=rs).fit(X)
        runs.append({"random_state": rs, "inertia": km.inertia_, "n_iter": int(km.n_iter_),
                     "silhouette_sample": silhouette_score(X, km.labels_, sample_size=10000,
                                                           random_state=rs)})
    out["kmeans"] = runs
    json.dump(out, sys.stdout, indent=1)
    print()
    sys.exit()

# Tiny cases.
x = np.array([[0.0], [1.0], [4.0], [6.0]])
out["silhouette_tiny"] = silhouette_score(x, [0, 0, 1, 1])
x = np.array([[0.0], [1.0], [10.0]])
out["silhouette_singleton"] = silhouette_score(x, [0, 0, 1])
x = np.array([[0.0, 0.0], [0.0, 1.0], [5.0, 5.0], [5.0, 6.0], [2.0, 9.0], [9.0, 1.0]])
out["silhouette_noise"] = silhouette_score(x, [0, 0, 1, 1, -1, -1])

# A seeded random case: 3 blobs in 3-D, one label -1 and a singleton.
rng = np.random.RandomState(7)
pts = np.vstack([rng.normal(c, 1.0, size=(8, 3)) for c in (0.0, 3.0, 6.0)])
pts = np.round(pts, 3)
labels = np.repeat([0, 1, 2], 8)
labels[5] = -1
labels[12] = -1
labels[20] = 5
out["random_points"] = pts.tolist()
out["random_labels"] = labels.tolist()
out["silhouette_random"] = silhouette_score(pts, labels)

# Separated blobs: k-means recovers them.
blobs = np.array([[0, 0], [0, 1], [1, 0], [1, 1], [10, 10], [10, 11], [11, 10], [11, 11]], dtype=float)
km = KMeans(n_clusters=2, n_init=10, random_state=0).fit(blobs)
out["blobs_inertia"] = km.inertia_
out["blobs_centers"] = sorted(km.cluster_centers_.tolist())

# The notebook's pipeline on its own flows.
df = pd.read_csv("../shared/parity/notebook-flows-10k.csv.gz")
feature_cols = [
    'bytes_sent', 'packets_sent', 'duration', 'cpu_usage', 'ports_contacted',
    'bytes_per_second', 'packets_per_second', 'high_cpu', 'long_duration',
    'many_ports', 'off_hours', 'cross_dept', 'risk_score', 'log_bytes', 'log_duration'
]
for col, src in {
    'src_device_encoded': 'src_device_type', 'dst_device_encoded': 'dst_device_type',
    'protocol_encoded': 'protocol', 'src_dept_encoded': 'src_department',
    'dst_dept_encoded': 'dst_department',
}.items():
    df[col] = LabelEncoder().fit_transform(df[src])
    feature_cols.append(col)
X = StandardScaler().fit_transform(df[feature_cols])
runs = []
for rs in range(5):
    km = KMeans(n_clusters=6, n_init=10, random_state=rs).fit(X)
    runs.append({"random_state": rs, "inertia": km.inertia_, "n_iter": int(km.n_iter_),
                 "silhouette": silhouette_score(X, km.labels_)})
out["parity_kmeans"] = runs
db = DBSCAN(eps=0.5, min_samples=5).fit(X).labels_
out["parity_dbscan"] = {"clusters": int(len(set(db)) - (1 if -1 in db else 0)),
                        "noise": int((db == -1).sum())}

json.dump(out, sys.stdout, indent=1)
print()

"""Reference values for internal/features, computed by scikit-learn on the
notebook's own 10,000 flows (../shared/parity/notebook-flows-10k.csv.gz).

Runs the notebook's preprocess_for_ml and train_test_split and prints JSON:
the LabelEncoder classes, the StandardScaler mean and scale, three rows of
the scaled matrix, and the class counts of the stratified test splits.

Usage (Debian's python3-sklearn 1.2.1, the notebook's version):
  /usr/bin/python3 scripts/reference/features_reference.py > internal/features/testdata/sklearn-reference.json
"""
import json
import sys

import numpy as np
import pandas as pd
import sklearn
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelEncoder, StandardScaler

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
classes = {}
for col, src in encoded.items():
    le = LabelEncoder()
    df[col] = le.fit_transform(df[src])
    classes[col] = [str(c) for c in le.classes_]
feature_cols += list(encoded)
X = df[feature_cols]
scaler = StandardScaler()
X_scaled = scaler.fit_transform(X)

def test_counts(y):
    _, _, _, y_test = train_test_split(X_scaled, y, test_size=0.3, random_state=42, stratify=y)
    return {str(k): int(v) for k, v in y_test.value_counts().sort_index().items()}

rows = [0, 1, 9999]
json.dump({
    "source": f"scikit-learn {sklearn.__version__}, pandas {pd.__version__}, numpy {np.__version__}",
    "columns": feature_cols,
    "classes": classes,
    "scaler_mean": scaler.mean_.tolist(),
    "scaler_scale": scaler.scale_.tolist(),
    "scaled_rows": {str(r): X_scaled[r].tolist() for r in rows},
    "test_counts_is_anomaly": test_counts(df['is_anomaly'].astype(int)),
    "test_counts_anomaly_type": test_counts(df['anomaly_type']),
}, sys.stdout, indent=1)
print()

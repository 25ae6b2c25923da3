"""scikit-learn doing the work of a whole harness process, without writing
anything: the reference side of make bench-whole (scripts/bench-whole.sh).

  parity   one trial of experiments/parity.yaml (seed 1): read the
           notebook's own 10,000 flows (../shared/parity), engineer its
           features, label-encode and scale on all rows (the notebook's
           preprocess_for_ml), a stratified 70/30 split, and its five
           models with n_jobs=2 where they take it: RandomForest(100) and
           IsolationForest(contamination 0.05) as detectors, the attack-type
           RandomForest(150, balanced), KMeans(6, n_init=10) and
           DBSCAN(0.5, 5), each with the figures the harness measures
           (detection, false positives, ROC and PR AUC, classification
           report, silhouette on every row).
  nsl-kdd  KDDTrain+ (126k x 41): read, label-encode the three categorical
           columns, a stratified 70/30 split on the attack category, the
           scaler fitted on the training rows, RandomForest(100) and
           IsolationForest(0.05), n_jobs=2, with their figures.

Usage (run from the repository root, Debian's python3-sklearn 1.2.1):
  /usr/bin/python3 scripts/reference/whole_reference.py parity
  /usr/bin/python3 scripts/reference/whole_reference.py nsl-kdd
It prints the seconds it took, which the bench script ignores in favour
of the whole process's wall time.
"""
import sys
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.cluster import DBSCAN, KMeans
from sklearn.ensemble import IsolationForest, RandomForestClassifier
from sklearn.metrics import (average_precision_score, classification_report, confusion_matrix,
                             roc_auc_score, silhouette_score)
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelEncoder, StandardScaler

warnings.filterwarnings('ignore')

SEED = 1


def detector_figures(y, pred, score):
    tn, fp, fn, tp = confusion_matrix(y, pred, labels=[0, 1]).ravel()
    return {'detection_rate': tp / (tp + fn), 'false_positive_rate': fp / (fp + tn),
            'roc_auc': roc_auc_score(y, score), 'pr_auc': average_precision_score(y, score),
            'report': classification_report(y, pred, zero_division=0)}


def parity():
    df = pd.read_csv('../shared/parity/notebook-flows-10k.csv.gz')
    # engineer_features, as the notebook (the harness recomputes them too)
    df['bytes_per_second'] = df['bytes_sent'] / (df['duration'] + 1)
    df['packets_per_second'] = df['packets_sent'] / (df['duration'] + 1)
    df['high_cpu'] = (df['cpu_usage'] > 70).astype(int)
    df['long_duration'] = (df['duration'] > 3600).astype(int)
    df['many_ports'] = (df['ports_contacted'] > 5).astype(int)
    df['off_hours'] = (~df['is_business_hours']).astype(int)
    df['risk_score'] = (df['high_cpu'] * 0.3 + df['long_duration'] * 0.2 + df['many_ports'] * 0.25 +
                        df['off_hours'] * 0.1 + df['cross_dept'] * 0.15)
    df['log_bytes'] = np.log10(df['bytes_sent'] + 1)
    df['log_duration'] = np.log10(df['duration'] + 1)
    cols = ['bytes_sent', 'packets_sent', 'duration', 'cpu_usage', 'ports_contacted',
            'bytes_per_second', 'packets_per_second', 'high_cpu', 'long_duration',
            'many_ports', 'off_hours', 'cross_dept', 'risk_score', 'log_bytes', 'log_duration']
    for c in ['src_device_type', 'dst_device_type', 'protocol', 'src_department', 'dst_department']:
        df[c + '_encoded'] = LabelEncoder().fit_transform(df[c])
        cols.append(c + '_encoded')
    X = StandardScaler().fit_transform(df[cols])
    y = df['is_anomaly'].astype(int).to_numpy()
    types = df['anomaly_type'].to_numpy()
    Xtr, Xte, ytr, yte, ttr, tte = train_test_split(X, y, types, test_size=0.3, stratify=y, random_state=SEED)

    rf = RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=SEED).fit(Xtr, ytr)
    detector_figures(yte, rf.predict(Xte), rf.predict_proba(Xte)[:, 1])
    iso = IsolationForest(contamination=0.05, n_jobs=2, random_state=SEED).fit(Xtr)
    detector_figures(yte, (iso.predict(Xte) == -1).astype(int), -iso.score_samples(Xte))
    at = RandomForestClassifier(n_estimators=150, class_weight='balanced', n_jobs=2, random_state=SEED).fit(Xtr, ttr)
    classification_report(tte, at.predict(Xte), zero_division=0)
    km = KMeans(n_clusters=6, n_init=10, random_state=SEED).fit(X)
    silhouette_score(X, km.labels_)
    db = DBSCAN(eps=0.5, min_samples=5, n_jobs=2).fit(X)
    if len(set(db.labels_)) >= 2:
        silhouette_score(X, db.labels_)


NSL_COLUMNS = ['duration', 'protocol_type', 'service', 'flag', 'src_bytes', 'dst_bytes', 'land',
               'wrong_fragment', 'urgent', 'hot', 'num_failed_logins', 'logged_in', 'num_compromised',
               'root_shell', 'su_attempted', 'num_root', 'num_file_creations', 'num_shells',
               'num_access_files', 'num_outbound_cmds', 'is_host_login', 'is_guest_login', 'count',
               'srv_count', 'serror_rate', 'srv_serror_rate', 'rerror_rate', 'srv_rerror_rate',
               'same_srv_rate', 'diff_srv_rate', 'srv_diff_host_rate', 'dst_host_count',
               'dst_host_srv_count', 'dst_host_same_srv_rate', 'dst_host_diff_srv_rate',
               'dst_host_same_src_port_rate', 'dst_host_srv_diff_host_rate', 'dst_host_serror_rate',
               'dst_host_srv_serror_rate', 'dst_host_rerror_rate', 'dst_host_srv_rerror_rate',
               'label', 'difficulty']
DOS = 'apache2 back land mailbomb neptune pod processtable smurf teardrop udpstorm worm'.split()
PROBE = 'ipsweep mscan nmap portsweep saint satan'.split()
U2R = 'buffer_overflow httptunnel loadmodule perl ps rootkit sqlattack xterm'.split()


def category(label):
    if label == 'normal':
        return 'normal'
    if label in DOS:
        return 'dos'
    if label in PROBE:
        return 'probe'
    if label in U2R:
        return 'u2r'
    return 'r2l'


def nsl_kdd():
    df = pd.read_csv('../shared/datasets/nsl-kdd/KDDTrain+.txt.gz', header=None, names=NSL_COLUMNS)
    for c in ['protocol_type', 'service', 'flag']:
        df[c] = LabelEncoder().fit_transform(df[c])
    cats = df['label'].map(category).to_numpy()
    y = (cats != 'normal').astype(int)
    X = df.drop(columns=['label', 'difficulty']).to_numpy(float)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, stratify=cats, random_state=SEED)
    scaler = StandardScaler().fit(Xtr)
    Xtr, Xte = scaler.transform(Xtr), scaler.transform(Xte)
    rf = RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=SEED).fit(Xtr, ytr)
    detector_figures(yte, rf.predict(Xte), rf.predict_proba(Xte)[:, 1])
    iso = IsolationForest(contamination=0.05, n_jobs=2, random_state=SEED).fit(Xtr)
    detector_figures(yte, (iso.predict(Xte) == -1).astype(int), -iso.score_samples(Xte))


if __name__ == '__main__':
    if len(sys.argv) != 2 or sys.argv[1] not in ('parity', 'nsl-kdd'):
        sys.exit('usage: whole_reference.py parity|nsl-kdd')
    t = time.perf_counter()
    {'parity': parity, 'nsl-kdd': nsl_kdd}[sys.argv[1]]()
    print(f'{sys.argv[1]}: {time.perf_counter() - t:.2f} s')

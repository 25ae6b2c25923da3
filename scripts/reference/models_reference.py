"""Reference figures for the models, computed by scikit-learn on the
notebook's own pipeline over many data seeds.

For each seed this regenerates the notebook's data from scratch, with the
notebook's own code copied verbatim (generate_network_flows,
inject_anomalies, engineer_features, preprocess_for_ml) after
`np.random.seed(seed)`, exactly as the notebook seeds before generating.
It then fits the notebook's models with random_state=seed in place of 42:

  - StandardScaler on all rows (inside preprocess_for_ml, as the notebook);
  - stratified 70/30 split on y_binary, random_state=seed;
  - IsolationForest(contamination=0.05) fit on the train split: detection
    rate (recall of anomalies), false-positive rate, ROC AUC with
    score = -score_samples, on the test split;
  - RandomForestClassifier(n_estimators=100): detection rate, FPR, ROC AUC
    of predict_proba[:, 1], top-5 features by Gini importance;
  - attack-type RandomForestClassifier(n_estimators=150,
    class_weight='balanced') on normal/crypto_mining/lateral_movement, with
    its own split stratified on the multi-class label (as the notebook):
    accuracy;
  - KMeans(n_clusters=6, n_init=10): silhouette on all rows when there are
    at most 10,000 rows, else on a 10,000-row sample
    (silhouette_score(..., sample_size=10000, random_state=seed));
  - DBSCAN(eps=0.5, min_samples=5): clusters, noise fraction, and the
    silhouette (noise counted as label -1, as the notebook does) when it
    has >= 2 labels, sampled the same way as k-means.

Wall time of each step is recorded too. The output JSON holds per-seed
records and, per figure, mean, sample sd, min, max, n and a 95% t
confidence interval of the mean (scipy.stats.t; a hard-coded t table is
the fallback when scipy is missing). A Markdown table of the summary is
printed to stdout.

Usage (Debian's python3-sklearn 1.2.1, the notebook's version; run from
the repository root):
  /usr/bin/python3 scripts/reference/models_reference.py --flows 10000
  /usr/bin/python3 scripts/reference/models_reference.py --flows 100000
  # sanity check against ../shared/parity (seed 42, 10k flows, no JSON):
  /usr/bin/python3 scripts/reference/models_reference.py --flows 10000 --seeds 42 \
      --out none --check-fixture ../shared/parity/notebook-flows-10k.csv.gz
"""
import argparse
import json
import math
import os
import platform
import sys
import time
import warnings

import numpy as np
import pandas as pd
import sklearn
from sklearn.cluster import DBSCAN, KMeans
from sklearn.ensemble import IsolationForest, RandomForestClassifier
from sklearn.metrics import accuracy_score, roc_auc_score, silhouette_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelEncoder, StandardScaler

warnings.filterwarnings('ignore')  # as the notebook

N_JOBS = 2
SIL_SAMPLE = 10000


# =============================================================================
# The notebook's code, verbatim (PART 2 and PART 3; prints and plots dropped)
# =============================================================================

def generate_network_flows(n_samples=10000):
    """
    Generate synthetic network flow data representing:
    - Normal business traffic
    - Cryptocurrency mining traffic
    - Lateral movement patterns
    """

    # Device types and their typical behaviors
    device_types = ['workstation', 'server', 'database', 'web_server', 'mobile', 'iot']
    departments = ['accounting', 'hr', 'engineering', 'sales', 'it', 'executive']

    flows = []

    for i in range(n_samples):
        # Generate base flow characteristics
        src_device = np.random.choice(device_types)
        src_dept = np.random.choice(departments)
        dst_device = np.random.choice(device_types)
        dst_dept = np.random.choice(departments)

        # Time patterns (business hours vs off-hours)
        hour = np.random.randint(0, 24)
        is_business_hours = 8 <= hour <= 17

        # Protocol distribution
        protocols = ['TCP', 'UDP', 'ICMP']
        protocol = np.random.choice(protocols, p=[0.7, 0.25, 0.05])

        # Generate traffic characteristics based on device type and scenario
        if src_device == 'workstation' and is_business_hours:
            # Normal workstation traffic
            bytes_sent = np.random.lognormal(8, 1.5)  # Typical web browsing
            packets_sent = int(bytes_sent / np.random.uniform(500, 1500))
            duration = np.random.exponential(30)  # Short connections
            ports_contacted = np.random.randint(1, 5)

        elif src_device == 'server':
            # Server traffic patterns
            bytes_sent = np.random.lognormal(10, 2)  # Larger transfers
            packets_sent = int(bytes_sent / np.random.uniform(1000, 1500))
            duration = np.random.exponential(120)  # Longer connections
            ports_contacted = np.random.randint(1, 3)

        else:
            # Default pattern
            bytes_sent = np.random.lognormal(7, 1)
            packets_sent = int(bytes_sent / np.random.uniform(600, 1400))
            duration = np.random.exponential(60)
            ports_contacted = np.random.randint(1, 4)

        # Add randomness and edge cases
        cpu_usage = np.random.normal(15, 5) if is_business_hours else np.random.normal(5, 2)
        cpu_usage = max(0, min(100, cpu_usage))

        # Connection patterns
        same_dept_connection = src_dept == dst_dept
        cross_dept_connection = not same_dept_connection

        flow = {
            'src_device_type': src_device,
            'src_department': src_dept,
            'dst_device_type': dst_device,
            'dst_department': dst_dept,
            'protocol': protocol,
            'bytes_sent': bytes_sent,
            'packets_sent': packets_sent,
            'duration': duration,
            'hour': hour,
            'is_business_hours': is_business_hours,
            'cpu_usage': cpu_usage,
            'ports_contacted': ports_contacted,
            'same_dept': same_dept_connection,
            'cross_dept': cross_dept_connection
        }

        flows.append(flow)

    return pd.DataFrame(flows)


def inject_anomalies(df, anomaly_rate=0.05):
    """
    Inject cryptocurrency mining and lateral movement patterns
    """
    n_anomalies = int(len(df) * anomaly_rate)
    anomaly_indices = np.random.choice(len(df), n_anomalies, replace=False)

    df['is_anomaly'] = False
    df['anomaly_type'] = 'normal'

    for idx in anomaly_indices:
        anomaly_type = np.random.choice(['crypto_mining', 'lateral_movement'], p=[0.6, 0.4])

        if anomaly_type == 'crypto_mining':
            # Cryptocurrency mining characteristics
            df.loc[idx, 'cpu_usage'] = np.random.uniform(80, 100)  # High CPU
            df.loc[idx, 'bytes_sent'] = np.random.lognormal(12, 1)  # Large data transfers
            df.loc[idx, 'duration'] = np.random.uniform(3600, 28800)  # Long connections
            df.loc[idx, 'is_business_hours'] = False  # Often after hours
            df.loc[idx, 'ports_contacted'] = np.random.randint(8, 15)  # Multiple ports

        elif anomaly_type == 'lateral_movement':
            # Lateral movement characteristics
            df.loc[idx, 'cross_dept'] = True  # Cross-department movement
            df.loc[idx, 'ports_contacted'] = np.random.randint(10, 25)  # Port scanning
            df.loc[idx, 'packets_sent'] = np.random.randint(1000, 5000)  # Reconnaissance
            df.loc[idx, 'duration'] = np.random.uniform(5, 30)  # Quick probes

        df.loc[idx, 'is_anomaly'] = True
        df.loc[idx, 'anomaly_type'] = anomaly_type

    return df


def engineer_features(df):
    """
    Create additional features for ML models
    """
    df_features = df.copy()

    # Rate-based features
    df_features['bytes_per_second'] = df_features['bytes_sent'] / (df_features['duration'] + 1)
    df_features['packets_per_second'] = df_features['packets_sent'] / (df_features['duration'] + 1)

    # Behavioral indicators
    df_features['high_cpu'] = (df_features['cpu_usage'] > 70).astype(int)
    df_features['long_duration'] = (df_features['duration'] > 3600).astype(int)  # > 1 hour
    df_features['many_ports'] = (df_features['ports_contacted'] > 5).astype(int)
    df_features['off_hours'] = (~df_features['is_business_hours']).astype(int)

    # Risk score calculation
    df_features['risk_score'] = (
        df_features['high_cpu'] * 0.3 +
        df_features['long_duration'] * 0.2 +
        df_features['many_ports'] * 0.25 +
        df_features['off_hours'] * 0.1 +
        df_features['cross_dept'] * 0.15
    )

    # Log transformations for skewed features
    df_features['log_bytes'] = np.log10(df_features['bytes_sent'] + 1)
    df_features['log_duration'] = np.log10(df_features['duration'] + 1)

    return df_features


def preprocess_for_ml(df):
    """
    Prepare data for machine learning models
    """
    # Select features for modeling
    feature_cols = [
        'bytes_sent', 'packets_sent', 'duration', 'cpu_usage', 'ports_contacted',
        'bytes_per_second', 'packets_per_second', 'high_cpu', 'long_duration',
        'many_ports', 'off_hours', 'cross_dept', 'risk_score', 'log_bytes', 'log_duration'
    ]

    # Encode categorical variables
    le_src_device = LabelEncoder()
    le_dst_device = LabelEncoder()
    le_protocol = LabelEncoder()
    le_src_dept = LabelEncoder()
    le_dst_dept = LabelEncoder()

    df_processed = df.copy()
    df_processed['src_device_encoded'] = le_src_device.fit_transform(df['src_device_type'])
    df_processed['dst_device_encoded'] = le_dst_device.fit_transform(df['dst_device_type'])
    df_processed['protocol_encoded'] = le_protocol.fit_transform(df['protocol'])
    df_processed['src_dept_encoded'] = le_src_dept.fit_transform(df['src_department'])
    df_processed['dst_dept_encoded'] = le_dst_dept.fit_transform(df['dst_department'])

    # Add encoded features to feature list
    feature_cols.extend(['src_device_encoded', 'dst_device_encoded', 'protocol_encoded',
                        'src_dept_encoded', 'dst_dept_encoded'])

    # Prepare feature matrix
    X = df_processed[feature_cols]
    y_binary = df_processed['is_anomaly'].astype(int)  # Binary classification
    y_multi = df_processed['anomaly_type']  # Multi-class classification

    # Scale features
    scaler = StandardScaler()
    X_scaled = scaler.fit_transform(X)
    X_scaled = pd.DataFrame(X_scaled, columns=feature_cols)

    return X_scaled, y_binary, y_multi, scaler, feature_cols


# =============================================================================
# Harness
# =============================================================================

def build_dataset(seed, n_flows, timings):
    """The notebook's data path: seed, generate, inject, engineer."""
    t = time.perf_counter()
    np.random.seed(seed)
    flows = generate_network_flows(n_flows)
    timings['generate'] = time.perf_counter() - t
    t = time.perf_counter()
    flows = inject_anomalies(flows)
    timings['inject'] = time.perf_counter() - t
    t = time.perf_counter()
    enhanced = engineer_features(flows)
    timings['engineer'] = time.perf_counter() - t
    return enhanced


def rates(y_true, y_pred):
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    tp = int(np.sum((y_true == 1) & (y_pred == 1)))
    fn = int(np.sum((y_true == 1) & (y_pred == 0)))
    fp = int(np.sum((y_true == 0) & (y_pred == 1)))
    tn = int(np.sum((y_true == 0) & (y_pred == 0)))
    return tp / (tp + fn), fp / (fp + tn), dict(tp=tp, fn=fn, fp=fp, tn=tn)


def silhouette(X, labels, seed):
    """All rows up to SIL_SAMPLE rows, else a SIL_SAMPLE-row sample."""
    if len(labels) > SIL_SAMPLE:
        return float(silhouette_score(X, labels, sample_size=SIL_SAMPLE, random_state=seed))
    return float(silhouette_score(X, labels))


def run_seed(seed, n_flows, skip_dbscan=False):
    timings = {}
    rec = {'seed': seed, 'n_flows': n_flows}
    enhanced = build_dataset(seed, n_flows, timings)
    counts = enhanced['anomaly_type'].value_counts()
    rec['n_anomalies'] = int(enhanced['is_anomaly'].sum())
    rec['n_crypto_mining'] = int(counts.get('crypto_mining', 0))
    rec['n_lateral_movement'] = int(counts.get('lateral_movement', 0))

    t = time.perf_counter()
    X, y_binary, y_multi, scaler, feature_names = preprocess_for_ml(enhanced)
    timings['preprocess_scale'] = time.perf_counter() - t

    # --- anomaly detection (build_anomaly_detection_models) ---
    t = time.perf_counter()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y_binary, test_size=0.3, random_state=seed, stratify=y_binary)
    timings['split_binary'] = time.perf_counter() - t

    t = time.perf_counter()
    iso = IsolationForest(contamination=0.05, random_state=seed, n_jobs=N_JOBS)
    iso.fit(X_train)
    timings['iso_fit'] = time.perf_counter() - t
    t = time.perf_counter()
    iso_pred = (iso.predict(X_test) == -1).astype(int)
    iso_score = -iso.score_samples(X_test)
    timings['iso_score'] = time.perf_counter() - t
    det, fpr, cm = rates(y_test, iso_pred)
    rec['iso_detection'] = det
    rec['iso_fpr'] = fpr
    rec['iso_auc'] = float(roc_auc_score(y_test, iso_score))
    rec['iso_confusion'] = cm

    t = time.perf_counter()
    rf = RandomForestClassifier(n_estimators=100, random_state=seed, n_jobs=N_JOBS)
    rf.fit(X_train, y_train)
    timings['rf_fit'] = time.perf_counter() - t
    t = time.perf_counter()
    rf_pred = rf.predict(X_test)
    rf_proba = rf.predict_proba(X_test)[:, 1]
    timings['rf_score'] = time.perf_counter() - t
    det, fpr, cm = rates(y_test, rf_pred)
    rec['rf_detection'] = det
    rec['rf_fpr'] = fpr
    rec['rf_auc'] = float(roc_auc_score(y_test, rf_proba))
    rec['rf_confusion'] = cm
    imp = pd.DataFrame({'feature': feature_names, 'importance': rf.feature_importances_}
                       ).sort_values('importance', ascending=False)
    rec['rf_importances'] = {f: float(v) for f, v in zip(imp['feature'], imp['importance'])}
    rec['rf_top5'] = [[f, float(v)] for f, v in zip(imp['feature'][:5], imp['importance'][:5])]

    # --- attack-type classification (build_attack_classification_model) ---
    t = time.perf_counter()
    Xa_train, Xa_test, ya_train, ya_test = train_test_split(
        X, y_multi, test_size=0.3, random_state=seed, stratify=y_multi)
    timings['split_multi'] = time.perf_counter() - t
    t = time.perf_counter()
    rfm = RandomForestClassifier(n_estimators=150, random_state=seed,
                                 class_weight='balanced', n_jobs=N_JOBS)
    rfm.fit(Xa_train, ya_train)
    timings['attack_fit'] = time.perf_counter() - t
    t = time.perf_counter()
    ya_pred = rfm.predict(Xa_test)
    timings['attack_score'] = time.perf_counter() - t
    rec['attack_accuracy'] = float(accuracy_score(ya_test, ya_pred))
    rec['attack_errors'] = int(np.sum(np.asarray(ya_test) != ya_pred))

    # --- behavioural clustering (perform_behavioral_clustering) ---
    t = time.perf_counter()
    km = KMeans(n_clusters=6, n_init=10, random_state=seed)
    km_labels = km.fit_predict(X)
    timings['kmeans_fit'] = time.perf_counter() - t
    rec['kmeans_inertia'] = float(km.inertia_)
    t = time.perf_counter()
    rec['kmeans_silhouette'] = silhouette(X, km_labels, seed)
    timings['kmeans_silhouette'] = time.perf_counter() - t

    if not skip_dbscan:
        t = time.perf_counter()
        db_labels = DBSCAN(eps=0.5, min_samples=5, n_jobs=N_JOBS).fit_predict(X)
        timings['dbscan_fit'] = time.perf_counter() - t
        n_noise = int(np.sum(db_labels == -1))
        rec['dbscan_n_clusters'] = len(set(db_labels)) - (1 if -1 in db_labels else 0)
        rec['dbscan_noise_points'] = n_noise
        rec['dbscan_noise_fraction'] = n_noise / len(db_labels)
        if len(set(db_labels)) > 1:
            t = time.perf_counter()
            rec['dbscan_silhouette'] = silhouette(X, db_labels, seed)
            timings['dbscan_silhouette'] = time.perf_counter() - t
        else:
            rec['dbscan_silhouette'] = None  # the notebook prints -1 here

    timings['total_seed'] = sum(timings.values())
    rec['timings_s'] = timings
    return rec


# 97.5% quantiles of Student's t (two-sided 95%), from a standard table;
# used only when scipy is not importable.
T975_TABLE = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365,
              8: 2.306, 9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160,
              14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093,
              20: 2.086, 25: 2.060, 30: 2.042, 40: 2.021, 60: 2.000, 120: 1.980}


def t975(df):
    try:
        from scipy.stats import t
        return float(t.ppf(0.975, df)), 'scipy.stats.t'
    except ImportError:
        if df in T975_TABLE:
            return T975_TABLE[df], 'hard-coded t table'
        below = max(k for k in T975_TABLE if k <= df)  # conservative
        return T975_TABLE[below], f'hard-coded t table (df={below}, conservative)'


def summarize(values):
    v = np.array([x for x in values if x is not None], dtype=float)
    n = len(v)
    out = {'n': n}
    if n == 0:
        return out
    out['mean'] = float(v.mean())
    out['min'] = float(v.min())
    out['max'] = float(v.max())
    if n >= 2:
        sd = float(v.std(ddof=1))
        q, src = t975(n - 1)
        half = q * sd / math.sqrt(n)
        out['sd'] = sd
        out['ci95'] = [out['mean'] - half, out['mean'] + half]
        out['t_quantile'] = q
        out['t_source'] = src
    return out


FIGURES = ['iso_detection', 'iso_fpr', 'iso_auc',
           'rf_detection', 'rf_fpr', 'rf_auc',
           'attack_accuracy', 'kmeans_silhouette',
           'dbscan_n_clusters', 'dbscan_noise_fraction', 'dbscan_silhouette',
           'n_anomalies', 'n_crypto_mining', 'n_lateral_movement']


def build_summary(records):
    summary = {f: summarize([r.get(f) for r in records]) for f in FIGURES
               if any(f in r for r in records)}
    steps = []
    for r in records:
        for k in r['timings_s']:
            if k not in steps:
                steps.append(k)
    timing = {k: summarize([r['timings_s'].get(k) for r in records]) for k in steps}
    feats = list(records[0]['rf_importances'])
    importance = {f: summarize([r['rf_importances'][f] for r in records]) for f in feats}
    importance = dict(sorted(importance.items(), key=lambda kv: -kv[1]['mean']))
    top5_counts = {}
    for r in records:
        for f, _ in r['rf_top5']:
            top5_counts[f] = top5_counts.get(f, 0) + 1
    top5_counts = dict(sorted(top5_counts.items(), key=lambda kv: -kv[1]))
    return summary, timing, importance, top5_counts


def fmt(x, key):
    if x is None:
        return ''
    if key.startswith('n_') or key == 'dbscan_n_clusters':
        return f'{x:.1f}' if abs(x - round(x)) > 1e-9 else f'{int(round(x))}'
    if key.endswith('_fpr'):
        return f'{x:.4f}'
    return f'{x:.4f}'


def markdown(summary, timing, top5_counts, n_flows):
    lines = [f'### scikit-learn {sklearn.__version__}, {n_flows:,} flows',
             '', '| figure | n | mean | sd | min | max | 95% CI of mean |',
             '|---|---|---|---|---|---|---|']
    for k, s in summary.items():
        if s['n'] == 0:
            lines.append(f'| {k} | 0 | | | | | |')
            continue
        ci = f"{fmt(s['ci95'][0], k)} .. {fmt(s['ci95'][1], k)}" if 'ci95' in s else ''
        sd = fmt(s.get('sd'), k) if k not in ('dbscan_n_clusters',) and not k.startswith('n_') \
            else (f"{s['sd']:.1f}" if 'sd' in s else '')
        if k == 'dbscan_n_clusters' or k.startswith('n_'):
            mean = f"{s['mean']:.1f}"
            ci = f"{s['ci95'][0]:.1f} .. {s['ci95'][1]:.1f}" if 'ci95' in s else ''
        else:
            mean = fmt(s['mean'], k)
        lines.append(f"| {k} | {s['n']} | {mean} | {sd} | {fmt(s['min'], k)} | "
                     f"{fmt(s['max'], k)} | {ci} |")
    lines += ['', '| step (wall s) | mean | sd | min | max |', '|---|---|---|---|---|']
    for k, s in timing.items():
        lines.append(f"| {k} | {s['mean']:.3f} | {s.get('sd', float('nan')):.3f} | "
                     f"{s['min']:.3f} | {s['max']:.3f} |")
    lines += ['', 'RF top-5 membership (seeds): ' +
              ', '.join(f'{f} {c}' for f, c in top5_counts.items())]
    return '\n'.join(lines)


def check_fixture(path):
    """Compare seed-42, 10k-flow generated data with the parity fixture."""
    fixture = pd.read_csv(path)
    np.random.seed(42)
    mine = engineer_features(inject_anomalies(generate_network_flows(10000)))
    rep = {'fixture': path, 'shape_fixture': list(fixture.shape), 'shape_mine': list(mine.shape),
           'columns_equal': list(fixture.columns) == list(mine.columns), 'columns': {}}
    ok = rep['columns_equal'] and fixture.shape == mine.shape
    for c in fixture.columns:
        a, b = fixture[c], mine[c]
        if a.dtype.kind in 'fi' and b.dtype.kind in 'fib':
            d = float(np.max(np.abs(a.to_numpy(float) - b.to_numpy(float))))
            rel = float(np.max(np.abs(a.to_numpy(float) - b.to_numpy(float)) /
                               np.maximum(1.0, np.abs(a.to_numpy(float)))))
            rep['columns'][c] = {'max_abs_diff': d, 'max_rel_diff': rel}
            ok = ok and rel < 1e-12
        else:
            neq = int(np.sum(a.astype(str).to_numpy() != b.astype(str).to_numpy()))
            rep['columns'][c] = {'mismatches': neq}
            ok = ok and neq == 0
    rep['identical'] = bool(ok)
    return rep


def parse_seeds(s):
    seeds = []
    for part in s.split(','):
        if '-' in part:
            a, b = part.split('-')
            seeds += list(range(int(a), int(b) + 1))
        elif part:
            seeds.append(int(part))
    return seeds


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--flows', type=int, required=True, help='flows per data set (10000 or 100000)')
    ap.add_argument('--seeds', default='1-20', help="seed list, e.g. '1-20' or '42' or '1,5,9'")
    ap.add_argument('--out', default=None,
                    help="JSON output path; default scripts/reference/models_reference_<N>k.json "
                         "next to this script; 'none' to skip writing")
    ap.add_argument('--skip-dbscan', action='store_true')
    ap.add_argument('--check-fixture', default=None,
                    help='parity fixture CSV(.gz) to compare seed-42 10k data against')
    args = ap.parse_args()

    t0 = time.perf_counter()
    fixture_report = None
    if args.check_fixture:
        fixture_report = check_fixture(args.check_fixture)
        print('fixture check:', json.dumps(fixture_report), file=sys.stderr, flush=True)

    seeds = parse_seeds(args.seeds)
    records = []
    for seed in seeds:
        rec = run_seed(seed, args.flows, skip_dbscan=args.skip_dbscan)
        records.append(rec)
        print(f"seed {seed:3d}: iso det {rec['iso_detection']:.3f} fpr {rec['iso_fpr']:.4f} "
              f"auc {rec['iso_auc']:.4f} | rf {rec['rf_detection']:.3f}/{rec['rf_fpr']:.4f}/"
              f"{rec['rf_auc']:.4f} | attack acc {rec['attack_accuracy']:.4f} | "
              f"km sil {rec['kmeans_silhouette']:.4f} | dbscan "
              f"{rec.get('dbscan_n_clusters')} cl, noise {rec.get('dbscan_noise_fraction')} "
              f"sil {rec.get('dbscan_silhouette')} | top5 "
              f"{', '.join(f'{f} {v:.3f}' for f, v in rec['rf_top5'])} | "
              f"{rec['timings_s']['total_seed']:.1f}s", file=sys.stderr, flush=True)
    total = time.perf_counter() - t0

    summary, timing, importance, top5_counts = build_summary(records)
    q, src = t975(max(1, len(records) - 1))
    result = {
        'description': 'scikit-learn figures on the case-study notebook pipeline, '
                       'data regenerated per seed with np.random.seed(seed); '
                       'model random_state = seed',
        'command': ' '.join([os.path.basename(sys.executable)] + sys.argv),
        'versions': {'sklearn': sklearn.__version__, 'numpy': np.__version__,
                     'pandas': pd.__version__, 'python': platform.python_version()},
        'n_flows': args.flows,
        'seeds': seeds,
        'n_jobs': N_JOBS,
        'silhouette': ('all rows' if args.flows <= SIL_SAMPLE else
                       f'sample_size={SIL_SAMPLE}, random_state=seed'),
        'ci': f'95% t interval of the mean: mean +- t(0.975, n-1) * sd / sqrt(n); '
              f't from {src}',
        'total_wall_s': total,
        'summary': summary,
        'timing_summary_s': timing,
        'rf_importance_summary': importance,
        'rf_top5_membership': top5_counts,
        'records': records,
    }
    if fixture_report is not None:
        result['fixture_check'] = fixture_report

    out = args.out
    if out is None:
        here = os.path.dirname(os.path.abspath(__file__))
        out = os.path.join(here, f'models_reference_{args.flows // 1000}k.json')
    if out != 'none':
        with open(out, 'w') as f:
            json.dump(result, f, indent=1)
            f.write('\n')
        print(f'wrote {out}', file=sys.stderr)
    print(markdown(summary, timing, top5_counts, args.flows))
    print(f'\ntotal wall time {total:.1f} s for {len(seeds)} seeds')


if __name__ == '__main__':
    main()

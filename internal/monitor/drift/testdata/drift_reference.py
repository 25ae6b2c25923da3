"""Reference values for internal/monitor/drift, computed by NumPy and SciPy.

Prints, as Go literals to paste into the tests' tables:

  * PSI by numpy: edges numpy.quantile(expected, k/bins) (method='linear',
    numpy's default), equal edges merged by numpy.unique, bins closed on the
    right (numpy.searchsorted(edges, v, side='left')), shares floored at
    1e-4, sum of (a - e) * log(a / e);
  * KS: scipy.stats.ks_2samp(a, b, method='asymp') for D and SciPy's own
    p-value (kstwo.sf(D, round(en)) in SciPy >= 1.5), and
    scipy.stats.kstwobign.sf(sqrt(en) * D), en = n*m/(n+m), the asymptotic
    p-value the Go package returns;
  * scipy.stats.kstwobign.sf(x) on a grid, for the series in ks.go;
  * the analytic PSI and D of N(0.5, 1) against N(0, 1), 10 bins, by
    scipy.stats.norm, to check the Go test's own computation.

Usage (Debian's python3-scipy 1.10.1, python3-numpy 1.24.2):
  /usr/bin/python3 internal/monitor/drift/testdata/drift_reference.py
"""
import math

import numpy as np
import scipy
from scipy import stats

EPSILON = 1e-4


def g(x):
    return repr(float(x))


def psi(expected, actual, bins):
    e = np.sort(np.asarray(expected, dtype=np.float64))
    a = np.asarray(actual, dtype=np.float64)
    edges = np.unique(np.quantile(e, np.arange(1, bins) / bins))
    k = len(edges) + 1
    ce = np.bincount(np.searchsorted(edges, e, side="left"), minlength=k)
    ca = np.bincount(np.searchsorted(edges, a, side="left"), minlength=k)
    es = np.maximum(ce / len(e), EPSILON)
    as_ = np.maximum(ca / len(a), EPSILON)
    return float(np.sum((as_ - es) * np.log(as_ / es))), edges


# Deterministic data both languages can build exactly (integer arithmetic,
# then exact float operations).
def scattered(n, mult, mod):
    return [((i * mult) % mod) / mod for i in range(n)]


def squashed(n, mult, mod):
    return [0.9 * v * v + 0.05 for v in scattered(n, mult, mod)]


def tied(n, mult, mod, offset):
    return [float((i * mult) % mod + offset) for i in range(n)]


print("# numpy", np.__version__, "scipy", scipy.__version__)
print("# PSI")
psi_cases = [
    ("halves", [float(v) for v in range(1, 11)], [1.0, 1.0, 1.0, 9.0], 2),
    ("empty bin", [float(v) for v in range(1, 11)], [1.0, 2.0], 2),
    ("constant", [3.0] * 10, [3.0, 3.0, 3.0, 4.0], 10),
    ("discrete", [0.0] * 6 + [1.0] * 3 + [2.0], [0.0, 1.0, 1.0, 2.0, 2.0, 5.0], 4),
    ("scattered", scattered(5000, 7919, 10007), squashed(3000, 104729, 10009), 10),
    ("scattered 20 bins", scattered(5000, 7919, 10007), squashed(3000, 104729, 10009), 20),
    ("tied", tied(400, 37, 101, 0), tied(300, 53, 97, 3), 10),
]
for name, e, a, bins in psi_cases:
    value, edges = psi(e, a, bins)
    print(f'{{name: "{name}", psi: {g(value)}}}, // edges {[g(x) for x in edges]}')

print("# KS")
inf = math.inf
ks_cases = [
    ("overlapping", [1.0, 2.0, 3.0, 4.0, 5.0], [3.0, 4.0, 5.0, 6.0, 7.0, 8.0]),
    ("ties", [1.0, 2.0, 2.0, 3.0, 3.0, 3.0], [2.0, 3.0, 3.0, 4.0]),
    ("disjoint", [1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0]),
    ("identical", [1.0, 2.0, 3.0], [3.0, 1.0, 2.0]),
    ("infinities", [-inf, 0.0, 1.0], [0.0, 1.0, inf, inf]),
    ("interleaved", [0.1, 0.4, 0.2, 0.3, 0.05, 0.15, 0.9], [0.5, 0.45, 0.35, 0.6, 0.55, 0.7, 0.12, 0.02]),
    ("tied integers", tied(300, 37, 101, 0), tied(250, 53, 97, 3)),
    ("scattered", scattered(5000, 7919, 10007), squashed(3000, 104729, 10009)),
]
for name, a, b in ks_cases:
    r = stats.ks_2samp(a, b, method="asymp")
    n, m = sorted([float(len(a)), float(len(b))], reverse=True)
    en = n * m / (n + m)
    q = stats.kstwobign.sf(math.sqrt(en) * r.statistic)
    print(f'{{name: "{name}", d: {g(r.statistic)}, p: {g(q)}, scipy: {g(r.pvalue)}}},')

print("# kstwobign.sf")
for x in [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.82, 0.8200001, 0.83, 0.9, 1.0, 1.2,
          1.3580986393225507, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0]:
    print(f"{{{g(x)}, {g(stats.kstwobign.sf(x))}}},")

print("# asymptotic against SciPy's kstwo.sf(d, round(en)), n = m")
for n in [10, 100, 1000, 10000, 100000]:
    en = n * n / (2 * n)
    for p in [0.05, 0.01]:
        d = stats.kstwobign.isf(p) / math.sqrt(en)
        print(f"{{n: {n}, d: {g(d)}, p: {g(p)}, scipy: {g(stats.kstwo.sf(d, round(en)))}}},")

print("# N(0.5, 1) against N(0, 1), 10 bins")
z = stats.norm.ppf(np.arange(1, 10) / 10)
cuts = np.concatenate([[-inf], z, [inf]])
shares = np.diff(stats.norm.cdf(cuts, loc=0.5))
print("psi", g(np.sum((shares - 0.1) * np.log(shares / 0.1))))
print("d", g(2 * stats.norm.cdf(0.25) - 1))

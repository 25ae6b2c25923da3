"""Reference values for internal/eval/stats, computed by SciPy.

Prints the expected values that internal/eval/stats/stats_test.go carries in
its tables, as Go literals to paste:

  * Student's t quantiles, scipy.stats.t.ppf(p, df);
  * t confidence intervals of the mean: scipy.stats.t.interval(confidence,
    n-1, loc=mean, scale=scipy.stats.sem(values)) with the sample standard
    deviation (ddof=1);
  * Wilson score intervals: scipy.stats.binomtest(k, n).proportion_ci(
    confidence, method='wilson'), checked against the formula by hand;
  * Mann-Whitney U: scipy.stats.mannwhitneyu(a, b, alternative='two-sided',
    method=...), 'exact' for samples without ties of at most 50 values each
    and 'asymptotic' (tie and continuity corrections) otherwise, the rule
    the Go package follows; exact p-values are checked against a count of
    the U distribution in Python integers;
  * SeedsNeeded: the smallest n >= 2 with t_{n-1} * sd / sqrt(n) <
    |mean - value|, by scipy.stats.t.ppf.

Usage (Debian's python3-scipy 1.10.1):
  /usr/bin/python3 scripts/reference/stats_reference.py
"""
import math
from fractions import Fraction

import numpy as np
import scipy
from scipy import stats


def g(x):
    return repr(float(x))


def golist(xs):
    return "{" + ", ".join(g(x) for x in xs) + "}"


def t_interval(name, values, confidence):
    v = np.asarray(values, dtype=np.float64)
    mean = v.mean()
    sd = v.std(ddof=1)
    lo, hi = stats.t.interval(confidence, len(v) - 1, loc=mean, scale=stats.sem(v))
    print(f'{{name: "{name}", values: []float64{golist(values)}, confidence: {confidence}, '
          f'mean: {g(mean)}, sd: {g(sd)}, lo: {g(lo)}, hi: {g(hi)}}},')


def wilson_by_hand(k, n, confidence):
    z = stats.norm.ppf(0.5 + confidence / 2)
    p = k / n
    denom = 1 + z * z / n
    center = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return center - half, center + half


def wilson(name, k, n, confidence):
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    lo, hi = wilson_by_hand(k, n, confidence)
    assert abs(lo - ci.low) < 1e-14 and abs(hi - ci.high) < 1e-14, (name, lo, ci.low, hi, ci.high)
    print(f'{{name: "{name}", successes: {k}, trials: {n}, confidence: {confidence}, '
          f'lo: {g(ci.low)}, hi: {g(ci.high)}}},')


def u_counts(m, n):
    """Number of orderings of m + n distinct values giving each U (exact integers)."""
    # f[j][u] for the current m, by the recursion of Mann and Whitney (1947):
    # f(m, n, u) = f(m-1, n, u-n) + f(m, n-1, u).
    prev = [[1] for _ in range(n + 1)]  # m = 0
    for i in range(1, m + 1):
        cur = [[1]]
        for j in range(1, n + 1):
            row = [0] * (i * j + 1)
            for u, c in enumerate(prev[j]):
                row[u + j] += c
            for u, c in enumerate(cur[j - 1]):
                row[u] += c
            cur.append(row)
        prev = cur
    return prev[n]


def exact_p(a, b):
    m, n = len(a), len(b)
    u1 = sum(1 for x in a for y in b if x > y)
    u = max(u1, m * n - u1)
    counts = u_counts(m, n)
    tail = Fraction(sum(counts[u:]), math.comb(m + n, m))
    return min(1.0, float(2 * tail))


def has_ties(a, b):
    xy = list(a) + list(b)
    return len(set(xy)) != len(xy)


def mann_whitney(name, a, b):
    exact = not has_ties(a, b) and len(a) <= 50 and len(b) <= 50
    method = "exact" if exact else "asymptotic"
    r = stats.mannwhitneyu(a, b, alternative="two-sided", method=method)
    if exact:
        p = exact_p(a, b)
        assert abs(p - r.pvalue) <= 1e-12 * p, (name, p, r.pvalue)
    if len(a) > 20 or len(b) > 20:
        print(f'// {name}: {len(a)} and {len(b)} values, made in the test')
        print(f'{{name: "{name}", method: "{method}", u: {g(r.statistic)}, p: {g(r.pvalue)}}},')
        return
    print(f'{{name: "{name}", a: []float64{golist(a)}, b: []float64{golist(b)}, '
          f'method: "{method}", u: {g(r.statistic)}, p: {g(r.pvalue)}}},')


def seeds_needed(name, mean, sd, value, confidence, cap=10000):
    d = abs(mean - value)
    for n in range(2, cap + 1):
        q = stats.t.ppf(0.5 + confidence / 2, n - 1)
        if q * sd / math.sqrt(n) < d:
            print(f'{{name: "{name}", mean: {g(mean)}, sd: {g(sd)}, value: {g(value)}, '
                  f'confidence: {confidence}, n: {n}}},')
            return
    print(f'// {name}: more than {cap}')


def main():
    print(f"// scipy {scipy.__version__}, numpy {np.__version__}")
    print("// t quantiles")
    for df, p in [(1, 0.975), (2, 0.975), (4, 0.95), (4, 0.975), (5, 0.995),
                  (9, 0.975), (29, 0.75), (99, 0.9995), (9999, 0.975)]:
        print(f"{{df: {df}, p: {p}, q: {g(stats.t.ppf(p, df))}}},")
    print("// t intervals")
    t_interval("five detection rates", [0.91, 0.93, 0.92, 0.95, 0.90], 0.95)
    t_interval("five detection rates at 0.90", [0.91, 0.93, 0.92, 0.95, 0.90], 0.90)
    t_interval("five detection rates at 0.99", [0.91, 0.93, 0.92, 0.95, 0.90], 0.99)
    t_interval("two seeds", [0.8, 0.9], 0.95)
    t_interval("ten false positive rates", [0.012, 0.015, 0.011, 0.019, 0.013,
                                            0.014, 0.016, 0.010, 0.012, 0.018], 0.95)
    t_interval("negative and large", [-3.5, 120.25, 7.0, 42.0, -15.75, 0.0], 0.95)

    print("// Wilson")
    wilson("none of ten", 0, 10, 0.95)
    wilson("all of ten", 10, 10, 0.95)
    wilson("seven of ten", 7, 10, 0.95)
    wilson("95 of 100", 95, 100, 0.95)
    wilson("95 of 100 at 0.90", 95, 100, 0.90)
    wilson("95 of 100 at 0.99", 95, 100, 0.99)
    wilson("one of 1000", 1, 1000, 0.95)
    wilson("999 of 1000", 999, 1000, 0.95)
    wilson("one of one", 1, 1, 0.95)

    print("// Mann-Whitney")
    mann_whitney("separated four and four", [1, 2, 3, 4], [5, 6, 7, 8])
    mann_whitney("separated three and three", [3, 2, 1], [4, 6, 5])
    mann_whitney("interleaved", [0.91, 0.93, 0.95, 0.97, 0.99], [0.90, 0.92, 0.94, 0.96])
    mann_whitney("one and five", [10.0], [1, 2, 3, 4, 5])
    mann_whitney("unequal sizes", [1.5, 3.25, 9.0, 2.0, 7.5, 6.0, 11.0],
                 [0.5, 4.0, 1.0, 2.5, 8.0, 3.0, 0.25, 5.0, -1.0, 12.0, 0.75])
    mann_whitney("b larger", [0.1, 0.4, 0.2, 0.3, 0.05, 0.15], [0.5, 0.45, 0.35, 0.6, 0.55, 0.7])
    mann_whitney("ties", [1, 2, 2, 3, 4], [2, 3, 3, 5, 6, 6])
    mann_whitney("tied detection rates", [1, 1, 1, 0.98, 1], [0.97, 0.98, 0.99, 0.97, 0.96])
    mann_whitney("ties within one sample", [1, 1, 2, 2], [3, 4, 5, 6])
    mann_whitney("all equal", [1, 1, 1], [1, 1, 1])
    a50 = [2 * i + 0.1 for i in range(50)]
    b50 = [2 * j + 17 for j in range(50)]
    mann_whitney("fifty and fifty", a50, b50)
    mann_whitney("fifty and fifty separated", [float(i) for i in range(50)],
                 [float(100 + j) for j in range(50)])
    a60 = [2 * i + 0.1 for i in range(60)]
    b60 = [2 * j + 17 for j in range(60)]
    mann_whitney("sixty and sixty", a60, b60)
    b51 = [2 * j + 17 for j in range(51)]
    mann_whitney("fifty and fifty-one", a50, b51)

    print("// the package example")
    wilson("example: 4610 of 5000", 4610, 5000, 0.95)
    mann_whitney("example", [0.91, 0.93, 0.92, 0.95, 0.90], [0.95, 0.96, 0.94, 0.97, 0.96])

    print("// SeedsNeeded")
    seeds_needed("sd equals margin", 0.95, 0.05, 0.90, 0.95)
    seeds_needed("upper bound", 0.010, 0.004, 0.012, 0.95)
    seeds_needed("small margin", 0.91, 0.05, 0.90, 0.95)
    seeds_needed("at 0.99", 0.95, 0.05, 0.90, 0.99)


main()

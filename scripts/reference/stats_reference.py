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
    |mean - value|, by scipy.stats.t.ppf;
  * the Wilcoxon signed-rank test (internal/eval/stats/wilcoxon_test.go):
    scipy.stats.wilcoxon(d, zero_method='wilcox', correction=False,
    alternative='two-sided', method=...), 'exact' when there are at most 50
    differences, none zero and no ties among |d|, 'approx' otherwise (the
    rule of the Go package; scipy's own 'auto' ignores ties, and the script
    says where that gives another p-value); exact p-values are checked
    against a count of the signed-rank distribution in Python integers;
  * the signed-rank confidence interval and the Hodges-Lehmann estimate, by
    brute force: every Walsh average (d_i + d_j)/2, i <= j, sorted, and the
    rank k from the exact distribution in Python integers (from scipy's
    normal quantile above 1000 differences).

Usage (Debian's python3-scipy 1.10.1):
  /usr/bin/python3 scripts/reference/stats_reference.py
"""
import math
import warnings
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


# Wilcoxon signed-rank test, signed-rank interval, Hodges-Lehmann estimate
# (internal/eval/stats/wilcoxon.go).

def generated(n, offset):
    """((i*7919) mod 1009 - offset) / 32 for i < n: the data the Go test makes
    with the same formula (exact in binary; distinct for n <= 1009)."""
    return [((i * 7919) % 1009 - offset) / 32 for i in range(n)]


def signed_rank_counts(n):
    """counts[t]: how many of the 2^n sign patterns of ranks 1..n give
    T+ = t (Python integers), by adding rank k with either sign."""
    counts = np.array([1], dtype=object)
    for k in range(1, n + 1):
        new = np.concatenate([counts, np.zeros(k, dtype=object)])
        new[k:] += counts
        counts = new
    return [int(c) for c in counts]


def exact_signed_rank_p(d):
    """Two-sided exact p-value of the signed-rank statistic, as a Fraction:
    min(1, 2 P(T+ <= min(W+, W-)))."""
    n = len(d)
    ranks = stats.rankdata(np.abs(d))
    wplus = int(ranks[np.asarray(d) > 0].sum())
    t = min(wplus, n * (n + 1) // 2 - wplus)
    counts = signed_rank_counts(n)
    return min(Fraction(1), 2 * Fraction(sum(counts[:t + 1]), 2 ** n))


def wilcoxon(name, d, literal=True):
    d = np.asarray(d, dtype=np.float64)
    nonzero = d[d != 0]
    n, zeros = len(nonzero), len(d) - len(nonzero)
    ties = len(np.unique(np.abs(nonzero))) != n
    exact = zeros == 0 and not ties and n <= 50
    method = "exact" if exact else "approx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = stats.wilcoxon(d, zero_method="wilcox", correction=False,
                           alternative="two-sided", method=method)
        auto = stats.wilcoxon(d, zero_method="wilcox", correction=False,
                              alternative="two-sided")
    ranks = stats.rankdata(np.abs(nonzero))
    wplus, wminus = ranks[nonzero > 0].sum(), ranks[nonzero < 0].sum()
    assert r.statistic == min(wplus, wminus), (name, r.statistic, wplus, wminus)
    if exact:
        p = exact_signed_rank_p(d)
        assert abs(float(p) - r.pvalue) <= 1e-15 * float(p), (name, p, r.pvalue)
        assert auto.pvalue == r.pvalue, (name, auto.pvalue, r.pvalue)
    elif auto.pvalue != r.pvalue:
        print(f"// {name}: scipy's method='auto' gives p = {g(auto.pvalue)} "
              f"(the exact distribution at int(W+) = {int(wplus)}, ties ignored)")
    go_method = "exact" if exact else "normal approximation"
    data = f"d: []float64{golist(d)}, " if literal else ""
    if not literal:
        print(f"// {name}: {len(d)} differences, made in the test")
    print(f'{{name: "{name}", {data}n: {n}, zeros: {zeros}, method: "{go_method}", '
          f'wPlus: {g(wplus)}, wMinus: {g(wminus)}, statistic: {g(r.statistic)}, p: {g(r.pvalue)}}},')


def walsh_averages(d):
    return sorted((d[i] + d[j]) / 2 for i in range(len(d)) for j in range(i, len(d)))


def interval_rank(n, confidence):
    """The largest k with 2 P(T+ <= k-1) <= 1 - confidence (the float
    1 - confidence, exactly), and the achieved confidence; k = 0 when none."""
    alpha = Fraction(1.0 - confidence)
    counts = signed_rank_counts(n)
    # 2 below / 2^n <= alpha, in integers.
    bound = alpha.numerator * 2 ** n
    k, below = 0, 0  # below = count of T+ <= k-1
    while 2 * (below + counts[k]) * alpha.denominator <= bound:
        below += counts[k]
        k += 1
    return k, 1 - 2 * Fraction(below, 2 ** n)


def normal_rank(n, confidence):
    """k = floor(mu + 1/2 - z sigma), the normal approximation with
    continuity correction used above SignedRankIntervalExactLimit."""
    mu = n * (n + 1) / 4
    sigma = math.sqrt(n * (n + 1) * (2 * n + 1) / 24)
    z = stats.norm.ppf(0.5 + confidence / 2)
    k = math.floor(mu + 0.5 - z * sigma)
    return k, 1 - 2 * stats.norm.cdf((k - 0.5 - mu) / sigma)


def signed_rank_interval(name, d, confidence, literal=True):
    d = [float(x) for x in d]
    n = len(d)
    w = walsh_averages(d)
    hl = float(np.median(w))
    if n > 1000:
        k, achieved = normal_rank(n, confidence)
        kexact, _ = interval_rank_float(n, confidence)
        print(f"// {name}: normal k = {k}, exact k = {kexact}")
    else:
        k, achieved = interval_rank(n, confidence)
    if k < 1:
        lo, hi, achieved = "math.Inf(-1)", "math.Inf(1)", 1
    else:
        lo, hi = g(w[k - 1]), g(w[len(w) - k])
    data = f"d: []float64{golist(d)}, " if literal else ""
    if not literal:
        print(f"// {name}: {n} differences, made in the test")
    print(f'{{name: "{name}", {data}confidence: {confidence}, k: {k}, lo: {lo}, hi: {hi}, '
          f'achieved: {g(achieved)}, hodgesLehmann: {g(hl)}}},')


def interval_rank_float(n, confidence):
    """interval_rank for large n, with the distribution in float64 (numpy),
    to compare with the normal approximation."""
    pmf = np.zeros(n * (n + 1) // 2 + 1)
    pmf[0] = 1
    for k in range(1, n + 1):
        pmf[k:] = (pmf[k:] + pmf[:-k].copy()) / 2
        pmf[:k] /= 2
    cdf = np.cumsum(pmf)
    k = int(np.sum(2 * cdf <= 1.0 - confidence))
    return k, 1 - 2 * cdf[k - 1]


def main_wilcoxon():
    print("// Wilcoxon signed-rank")
    wilcoxon("scipy docstring", [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75])
    wilcoxon("seven mixed", [1.5, -0.5, 2.25, 3.0, 0.75, -1.25, 4.0])
    wilcoxon("ten positive", [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0])
    wilcoxon("six negative", [-0.01, -0.03, -0.02, -0.05, -0.04, -0.06])
    wilcoxon("centre", [1, -2, -3, 4, 5, -6, -7, 8])  # W+ = W- = 18
    wilcoxon("one difference", [2.0])
    wilcoxon("ties", [1, 1, 2, 3, 4])
    wilcoxon("tie across signs", [1, -1, 2, 3, 4, 5, -6])
    wilcoxon("zeros", [0, 1.5, -0.5, 2, 0, 3, 4.5, -1, 2.5])
    wilcoxon("zeros and ties", [0, 0, 0.5, 0.5, -0.25, 1, 1.5, 0, 2, -0.5, 0.75, 1.25])
    wilcoxon("all equal", [0.5] * 8)
    wilcoxon("fifty", generated(50, 480), literal=False)
    wilcoxon("fifty positive", generated(50, -1), literal=False)
    wilcoxon("fifty-one", generated(51, 480), literal=False)
    wilcoxon("sixty", generated(60, 480), literal=False)
    wilcoxon("sixty positive", generated(60, -1), literal=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = stats.wilcoxon([1.0, np.nan, 2.0, -0.5, 3.0, 4.0, -2.5], nan_policy="omit")
        print(f"// NaN dropped: nan_policy='omit' gives statistic {g(r.statistic)}, p {g(r.pvalue)}")
        r = stats.wilcoxon([1.0, np.nan, 2.0, -0.5, 3.0, 4.0, -2.5])
        print(f"// NaN propagated (scipy's default): statistic {g(r.statistic)}, p {g(r.pvalue)}")
        try:
            stats.wilcoxon([0.0, 0.0, 0.0])
        except ValueError as e:
            print(f"// all zero: scipy raises ValueError: {e}")

    print("// signed-rank interval")
    # By hand: n = 6 at 0.95, k = 1 since 2 P(T+ <= 0) = 2/64 = 0.03125 <=
    # 0.05 < 2 P(T+ <= 1) = 4/64, so [min, max] with achieved 1 - 2/64.
    assert interval_rank(6, 0.95) == (1, Fraction(62, 64))
    # n = 5 at 0.95: 2 P(T+ <= 0) = 2/32 > 0.05, no k >= 1: unbounded.
    assert interval_rank(5, 0.95)[0] == 0
    # n = 10 at 0.95: the tabled two-sided 0.05 critical value of T is 8,
    # P(T+ <= 8) = 25/1024 <= 0.025 < P(T+ <= 9) = 33/1024, so k = 9.
    assert interval_rank(10, 0.95) == (9, 1 - Fraction(50, 1024))
    signed_rank_interval("six", [0.3, -0.1, 0.7, 1.2, 0.45, 0.9], 0.95)
    signed_rank_interval("five", [0.3, -0.1, 0.7, 1.2, 0.45], 0.95)
    signed_rank_interval("ten", [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0], 0.95)
    corn = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75]
    signed_rank_interval("scipy docstring", corn, 0.95)
    signed_rank_interval("scipy docstring at 0.90", corn, 0.90)
    signed_rank_interval("scipy docstring at 0.99", corn, 0.99)
    signed_rank_interval("zeros and ties", [0, 0, 0.5, 0.5, -0.25, 1, 1.5, 0, 2, -0.5, 0.75, 1.25], 0.95)
    signed_rank_interval("all equal", [0.5] * 8, 0.95)
    signed_rank_interval("sixty", generated(60, 480), 0.95, literal=False)
    signed_rank_interval("two hundred", generated(200, 480), 0.95, literal=False)
    signed_rank_interval("two hundred at 0.99", generated(200, 480), 0.99, literal=False)
    signed_rank_interval("one thousand", generated(1000, 480), 0.95, literal=False)
    signed_rank_interval("one thousand and one", generated(1001, 480), 0.95, literal=False)

    print("// the Wilcoxon example")
    before = [0.91, 0.93, 0.92, 0.95, 0.90, 0.94, 0.89, 0.92]
    after = [0.93, 0.94, 0.95, 0.99, 0.895, 0.955, 0.915, 0.955]
    d = [a - b for a, b in zip(after, before)]
    wilcoxon("example", d)
    signed_rank_interval("example", d, 0.95)


main_wilcoxon()

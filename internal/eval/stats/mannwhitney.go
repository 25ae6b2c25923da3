package stats

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// MannWhitneyExactLimit is the largest sample size for which MannWhitneyU
// uses the exact distribution of U (the limit of go-moremath's
// MannWhitneyUTest, which benchmath uses).
const MannWhitneyExactLimit = 50

// MinSamplesEach is how many values each sample needs for MannWhitneyU to
// be able to reach p < 0.05: with n values in each sample the smallest
// two-sided p is 2/C(2n, n), 0.1 for 3 and 0.029 for 4 (benchstat's "need
// >= 4 samples to detect a difference at alpha level 0.05").
const MinSamplesEach = 4

// A MannWhitney is the result of a two-sided Mann-Whitney U test.
type MannWhitney struct {
	// U counts the pairs (x from a, y from b) with x > y, plus half the
	// pairs with x == y: U1 = R1 - N1(N1+1)/2 for R1 the sum of a's ranks
	// in the pooled sample (scipy.stats.mannwhitneyu's statistic). The U of
	// b is N1·N2 - U.
	U float64
	// P is the two-sided p-value of the null hypothesis that a and b come
	// from the same distribution; NaN when a sample is empty.
	P float64
	// N1 and N2 are the sizes of a and b (NaNs dropped).
	N1, N2 int
	// Method is "exact" or "asymptotic"; see MannWhitneyU.
	Method string
	// Warnings are caveats to show with the result.
	Warnings []error
}

// MannWhitneyU tests whether a and b come from the same distribution
// against the two-sided alternative that values of one tend to be larger,
// without assuming a distribution (Mann and Whitney 1947), as
// golang.org/x/perf/benchmath.AssumeNothing does for benchstat.
//
// Rule: when no value occurs twice in the pooled sample and neither sample
// has more than MannWhitneyExactLimit values, P comes from the exact
// distribution of U under the null hypothesis, with
//
//	P = min(1, 2·Pr(U' >= max(U, N1·N2 - U)))
//
// and Pr from the recursion f(m, n, u) = f(m-1, n, u-n) + f(m, n-1, u) over
// orderings (Mann and Whitney 1947), carried in probabilities. Otherwise it
// uses the normal approximation with tie and continuity corrections:
//
//	μ = N1·N2/2,  σ² = N1·N2/12 · ((N+1) - Σ(t³-t)/(N(N-1))),  N = N1+N2
//	z = (max(U, N1·N2-U) - μ - 1/2) / σ,  P = min(1, 2·(1 - Φ(z)))
//
// with t the sizes of the groups of tied values. This matches
// scipy.stats.mannwhitneyu(a, b, alternative="two-sided") with
// method="exact" and method="asymptotic" respectively. (scipy's default
// "auto" goes asymptotic sooner, once both samples exceed 8; go-moremath,
// under benchmath, also counts an exact distribution with ties for small
// samples, where we approximate.)
//
// NaN values are dropped, with a warning. An empty sample gives a NaN U and
// P, with a warning. When every value is equal P is 1, with a warning.
// Whenever either sample has fewer than MinSamplesEach values there is a
// warning: with fewer than 4 in both, P cannot fall below 0.05, and with
// one sample that small the other needs more values for it to (5 against 3,
// 8 against 2, 40 against 1).
func MannWhitneyU(a, b []float64) MannWhitney {
	m := MannWhitney{U: math.NaN(), P: math.NaN()}
	type labelled struct {
		value float64
		fromA bool
	}
	pooled := make([]labelled, 0, len(a)+len(b))
	for _, v := range a {
		if !math.IsNaN(v) {
			pooled = append(pooled, labelled{v, true})
		}
	}
	m.N1 = len(pooled)
	for _, v := range b {
		if !math.IsNaN(v) {
			pooled = append(pooled, labelled{v, false})
		}
	}
	m.N2 = len(pooled) - m.N1
	if nan := len(a) + len(b) - len(pooled); nan > 0 {
		m.Warnings = append(m.Warnings, fmt.Errorf("%w: %d of %d", ErrNaN, nan, len(a)+len(b)))
	}
	if m.N1 < MinSamplesEach || m.N2 < MinSamplesEach {
		m.Warnings = append(m.Warnings, fmt.Errorf("%w: %d and %d values; need >= %d in each to detect a difference at alpha level 0.05",
			ErrTooFew, m.N1, m.N2, MinSamplesEach))
	}
	if m.N1 == 0 || m.N2 == 0 {
		return m
	}

	// Rank the pooled sample, giving tied values their mean rank; sum a's
	// ranks and the tie term Σ(t³-t).
	slices.SortFunc(pooled, func(x, y labelled) int { return cmp.Compare(x.value, y.value) })
	var rankSumA, tieTerm float64
	groups := 0
	for i := 0; i < len(pooled); {
		j, inA := i, 0
		for ; j < len(pooled) && pooled[j].value == pooled[i].value; j++ {
			if pooled[j].fromA {
				inA++
			}
		}
		rank := float64(i+1+j) / 2 // mean of ranks i+1 … j
		rankSumA += rank * float64(inA)
		t := float64(j - i)
		tieTerm += t*t*t - t
		groups++
		i = j
	}
	n1, n2 := float64(m.N1), float64(m.N2)
	m.U = rankSumA - n1*(n1+1)/2
	larger := math.Max(m.U, n1*n2-m.U)

	if groups == 1 {
		m.Method, m.P = "asymptotic", 1
		m.Warnings = append(m.Warnings, fmt.Errorf("%w: %d values", ErrAllEqual, len(pooled)))
		return m
	}
	if tieTerm == 0 && m.N1 <= MannWhitneyExactLimit && m.N2 <= MannWhitneyExactLimit {
		m.Method = "exact"
		m.P = math.Min(1, 2*uUpperTail(m.N1, m.N2, int(larger)))
		return m
	}
	m.Method = "asymptotic"
	n := n1 + n2
	sigma := math.Sqrt(n1 * n2 / 12 * ((n + 1) - tieTerm/(n*(n-1))))
	z := (larger - n1*n2/2 - 0.5) / sigma
	m.P = math.Min(1, 2*distuv.UnitNormal.Survival(z))
	return m
}

// Significant reports whether P < alpha, rejecting the hypothesis that the
// samples come from the same distribution (benchstat uses alpha 0.05). A
// NaN P is not significant. It panics if alpha is not in (0, 1).
func (m MannWhitney) Significant(alpha float64) bool {
	if !(alpha > 0 && alpha < 1) {
		panic(fmt.Sprintf("stats: alpha %v outside (0, 1)", alpha))
	}
	return m.P < alpha
}

// uUpperTail returns Pr(U >= u) for U the Mann-Whitney statistic of samples
// of m and n distinct values under the null hypothesis, where every
// ordering of the pooled values is equally likely.
//
// The largest pooled value comes from the first sample with probability
// m/(m+n), and then exceeds all n values of the second, so
//
//	p(m, n, u) = m/(m+n)·p(m-1, n, u-n) + n/(m+n)·p(m, n-1, u)
//	p(0, n, 0) = p(m, 0, 0) = 1
//
// a sum of positive terms, accurate in the far tail. Time is O(m²n²), space
// O(m·n²); U's distribution is symmetric in m and n, so n is the smaller.
func uUpperTail(m, n, u int) float64 {
	if m < n {
		m, n = n, m
	}
	if u <= 0 {
		return 1
	}
	if u > m*n {
		return 0
	}
	// Level i holds p(i, j, ·) for j = 0…n in one slice: row j has i·j+1
	// entries and starts after rows 0…j-1.
	start := func(i, j int) int { return i*j*(j-1)/2 + j }
	size := start(m, n+1)
	prev, cur := make([]float64, size), make([]float64, size)
	for j := 0; j <= n; j++ {
		prev[start(0, j)] = 1
	}
	for i := 1; i <= m; i++ {
		cur[0] = 1
		for j := 1; j <= n; j++ {
			row := cur[start(i, j) : start(i, j)+i*j+1]
			fromA := prev[start(i-1, j) : start(i-1, j)+(i-1)*j+1]
			fromB := cur[start(i, j-1) : start(i, j-1)+i*(j-1)+1]
			wA := float64(i) / float64(i+j)
			wB := float64(j) / float64(i+j)
			clear(row)
			for k, p := range fromA {
				row[k+j] = wA * p
			}
			for k, p := range fromB {
				row[k] += wB * p
			}
		}
		prev, cur = cur, prev
	}
	pmf := prev[start(m, n) : start(m, n)+m*n+1]
	tail := 0.0
	for k := m * n; k >= u; k-- { // smallest terms first
		tail += pmf[k]
	}
	return tail
}

package stats

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// WilcoxonExactLimit is the largest number of non-zero differences for
// which WilcoxonSignedRank uses the exact distribution of the signed-rank
// statistic (scipy.stats.wilcoxon's limit under method="auto").
const WilcoxonExactLimit = 50

// MinPairs is how many non-zero differences WilcoxonSignedRank needs to be
// able to reach p < 0.05: the smallest two-sided exact p-value of n
// differences is 2/2ⁿ, 0.0625 for 5 and 0.03125 for 6.
const MinPairs = 6

// SignedRankIntervalExactLimit is the largest number of differences for
// which SignedRankInterval takes its rank from the exact distribution of
// the signed-rank statistic; above it the rank comes from the normal
// approximation.
const SignedRankIntervalExactLimit = 1000

// A Wilcoxon is the result of a two-sided Wilcoxon signed-rank test.
type Wilcoxon struct {
	// N is the number of non-zero differences ranked; Zeros and NaNs
	// count the zero and NaN differences dropped.
	N, Zeros, NaNs int
	// WPlus and WMinus are the sums of the ranks of |d| over the positive
	// and the negative differences, tied values given their mean rank:
	// WPlus + WMinus = N(N+1)/2. NaN when no differences are left.
	WPlus, WMinus float64
	// Statistic is min(WPlus, WMinus), the statistic scipy.stats.wilcoxon
	// reports for the two-sided test.
	Statistic float64
	// P is the two-sided p-value of the null hypothesis that the
	// differences are symmetric about 0; NaN when no differences are left.
	P float64
	// Method is "exact" or "normal approximation"; see WilcoxonSignedRank.
	Method string
	// Warnings are caveats to show with the result.
	Warnings []error
}

// WilcoxonSignedRank tests whether the paired differences d (x - y, one
// per pair) are symmetric about 0, against the two-sided alternative that
// one member of a pair tends to be larger (Wilcoxon 1945). Zero differences
// are dropped (scipy's zero_method="wilcox"); the N others are ranked by
// |d|, tied magnitudes given their mean rank, and
//
//	W+ = Σ_{d_i > 0} rank_i,  W- = Σ_{d_i < 0} rank_i,  T = min(W+, W-)
//
// Rule: when no difference is zero, no two magnitudes |d_i| are equal and
// N <= WilcoxonExactLimit, P comes from the exact distribution of W+ under
// the null hypothesis, where each of the 2ᴺ sign patterns of the ranks
// 1…N is equally likely:
//
//	P = min(1, 2·Pr(W+ <= T))
//
// (see signedRankPMF; scipy's 2·min(Pr(W+ <= w), Pr(W+ >= w)) at the
// observed w = W+, with P = 1 at the centre, is the same by the symmetry
// of W+ about N(N+1)/4). Otherwise it uses the normal approximation with
// the tie correction to the variance and no continuity correction:
//
//	μ = N(N+1)/4,  σ² = (N(N+1)(2N+1) - ½·Σ(t³-t)) / 24
//	z = (T - μ) / σ,  P = 2·(1 - Φ(|z|))
//
// with t the sizes of the groups of tied magnitudes. This matches
// scipy.stats.wilcoxon(d, zero_method="wilcox", correction=False,
// alternative="two-sided") of scipy 1.10.1 with method="exact" and
// method="approx" respectively. scipy's default method="auto" picks exact
// when len(d) <= 50 and no difference is zero (so N <= 50, as here), but
// it does not look for ties: with tied magnitudes it truncates a
// half-integer W+ and reads the exact distribution of untied ranks there
// (scipy issue 13689), a p-value for the wrong statistic. Here ties send
// the test to the normal approximation, as they do in R's wilcox.test.
//
// NaN differences are dropped (scipy's nan_policy="omit"; its default
// "propagate" answers NaN), counted in NaNs and with a warning. With no
// differences at all Statistic and P are NaN, with a warning. When every
// difference is zero (N = 0, Zeros > 0) P is 1 and the rank sums are 0,
// with warnings; scipy raises an error there ("zero_method 'wilcox' and
// 'pratt' do not work if x - y is zero for all elements"), but paired
// values that never differ are no evidence against the null hypothesis,
// which is what P = 1 says, and a gate should not fail on an error for
// them. Whenever N < MinPairs there is a warning: the exact test cannot
// reach P < 0.05 with so few, and the normal approximation is rough there.
//
// The inputs are not modified. Infinite differences are ranked like any
// other (+Inf and -Inf tie in magnitude).
func WilcoxonSignedRank(d []float64) Wilcoxon {
	w := Wilcoxon{WPlus: math.NaN(), WMinus: math.NaN(), Statistic: math.NaN(), P: math.NaN()}
	nonZero := make([]float64, 0, len(d))
	for _, v := range d {
		switch {
		case math.IsNaN(v):
			w.NaNs++
		case v == 0:
			w.Zeros++
		default:
			nonZero = append(nonZero, v)
		}
	}
	w.N = len(nonZero)
	if w.NaNs > 0 {
		w.Warnings = append(w.Warnings, fmt.Errorf("%w: %d of %d", ErrNaN, w.NaNs, len(d)))
	}
	if w.N < MinPairs {
		w.Warnings = append(w.Warnings, fmt.Errorf("%w: %d non-zero differences; need >= %d to detect a difference at alpha level 0.05",
			ErrTooFew, w.N, MinPairs))
	}
	if w.N == 0 {
		if w.Zeros > 0 {
			w.WPlus, w.WMinus, w.Statistic, w.P = 0, 0, 0, 1
			w.Method = "normal approximation" // where scipy's rule sends zeros
			w.Warnings = append(w.Warnings, fmt.Errorf("%w: all %d differences are zero", ErrAllEqual, w.Zeros))
		}
		return w
	}

	// Rank |d|, giving tied magnitudes their mean rank; sum the ranks of
	// each sign and the tie term Σ(t³-t).
	slices.SortFunc(nonZero, func(x, y float64) int { return cmp.Compare(math.Abs(x), math.Abs(y)) })
	var tieTerm float64
	w.WPlus, w.WMinus = 0, 0
	for i := 0; i < len(nonZero); {
		j, positive := i, 0
		for ; j < len(nonZero) && math.Abs(nonZero[j]) == math.Abs(nonZero[i]); j++ {
			if nonZero[j] > 0 {
				positive++
			}
		}
		rank := float64(i+1+j) / 2 // mean of ranks i+1 … j
		w.WPlus += rank * float64(positive)
		w.WMinus += rank * float64(j-i-positive)
		t := float64(j - i)
		tieTerm += t*t*t - t
		i = j
	}
	w.Statistic = math.Min(w.WPlus, w.WMinus)

	if w.Zeros == 0 && tieTerm == 0 && w.N <= WilcoxonExactLimit {
		w.Method = "exact"
		// Without ties the rank sums are integers, and Pr(W+ <= T) sums
		// the lower tail, smallest terms first.
		statistic := int(w.Statistic)
		tail := 0.0
		for _, p := range signedRankPMF(w.N, statistic) {
			tail += p
		}
		w.P = math.Min(1, 2*tail)
		return w
	}
	w.Method = "normal approximation"
	n := float64(w.N)
	sigma := math.Sqrt((n*(n+1)*(2*n+1) - tieTerm/2) / 24)
	z := (w.Statistic - n*(n+1)/4) / sigma
	// Φ(-|z|), not 1 - Φ(|z|): gonum's Normal.Survival computes 1 - erf,
	// which loses the far tail (relative error 2·10⁻⁶ at P = 1.6·10⁻¹¹),
	// while CDF goes through erfc.
	w.P = 2 * distuv.UnitNormal.CDF(-math.Abs(z))
	return w
}

// Significant reports whether P < alpha, rejecting the hypothesis that the
// differences are symmetric about 0. A NaN P is not significant. It panics
// if alpha is not in (0, 1).
func (w Wilcoxon) Significant(alpha float64) bool {
	if !(alpha > 0 && alpha < 1) {
		panic(fmt.Sprintf("stats: alpha %v outside (0, 1)", alpha))
	}
	return w.P < alpha
}

// SignedRankInterval returns the confidence interval [lo, hi] for the
// pseudo-median of the paired differences d (the median of the
// distribution of (X+X')/2, the centre of symmetry when the distribution
// is symmetric) that inverts the two-sided signed-rank test (Tukey 1949;
// Hollander and Wolfe, Nonparametric Statistical Methods, §3.3), as R's
// wilcox.test(d, conf.int = TRUE, conf.level = confidence) computes it in
// its exact case. With the n differences, the M = n(n+1)/2 Walsh averages
//
//	w_ij = (d_i + d_j)/2,  i <= j
//
// in increasing order w₍₁₎ <= … <= w₍M₎, and T+ the signed-rank statistic
// of n untied differences under the null hypothesis,
//
//	k = max{k : 2·Pr(T+ <= k-1) <= 1 - confidence}
//	lo = w₍k₎,  hi = w₍M+1-k₎,  achieved = 1 - 2·Pr(T+ <= k-1)
//
// Since W+ of d - θ counts the Walsh averages above θ and W- those below,
// a θ that is not itself a Walsh average lies inside (lo, hi) exactly when
// the exact test of d - θ gives P > 1 - confidence. achieved >= confidence
// is the interval's coverage when the distribution of the differences is
// continuous and symmetric. R takes k from qsignrank((1-confidence)/2, n),
// the least q with Pr(T+ <= q) >= (1-confidence)/2 - 10ε: the same k, but
// one less (a wider interval) when 2·Pr(T+ <= k-1) equals 1 - confidence
// exactly, which only a dyadic confidence such as 0.9375 can meet.
//
// For n <= SignedRankIntervalExactLimit, Pr(T+ <= t) is exact up to
// float64 rounding (see signedRankPMF: exact for n <= 53, within 10⁻¹⁰
// relatively up to the limit), so k is the rational rule's unless
// 2·Pr(T+ <= k-1) lies that close to 1 - confidence. For larger n, k comes from the normal approximation with
// continuity correction:
//
//	μ = n(n+1)/4,  σ² = n(n+1)(2n+1)/24,  z = Φ⁻¹((1+confidence)/2)
//	k = ⌊μ + ½ - z·σ⌋,  achieved = 1 - 2·Φ((k - ½ - μ)/σ)
//
// The exact distribution has lighter tails, so this k falls a little short
// of the exact one: at n = 1001 by 0, 3 and 12 of about 230000 at 0.9,
// 0.95 and 0.99, and achieved is within 2·10⁻⁵ of the exact rule's
// (scripts/reference/stats_reference.py and the tests). The order
// statistics are selected without materialising the Walsh averages, in
// O(n log n) time and O(n) space; the exact distribution costs O(n³) time
// and O(n²) space, about 0.1 s at n = 1000.
//
// All of d is used, zeros included, unlike the test: a zero is an observed
// difference like any other, and dropping zeros would move the estimate
// and the interval away from 0 (d = 0, 0, 0, 0, 0, 1 has Hodges–Lehmann
// estimate 0, not 1). R drops zeros, and with zeros or ties leaves its
// exact case for a normal approximation; here the exact-case rule applies
// to such data too, where its coverage is no longer exact.
//
// When no k >= 1 satisfies the rule, the data cannot bound the
// pseudo-median at the requested confidence (n <= 5 at 0.95, since
// 2·Pr(T+ = 0) = 2/2ⁿ; n = 0): lo and hi are -Inf and +Inf, and achieved
// is 1, the coverage of the whole line. (R there returns [w₍₁₎, w₍M₎] with
// a warning and confidence 1 - 2/2ⁿ; that interval is what a confidence of
// at most 1 - 2/2ⁿ gives here.)
//
// If d holds a NaN, or both +Inf and -Inf (whose average is undefined),
// lo, hi and achieved are NaN; drop NaN pairs before calling. Walsh
// averages are computed as d_i/2 + d_j/2, equal to (d_i+d_j)/2 but for
// subnormal values, so that they do not overflow. A zero bound is +0.
//
// SignedRankInterval panics if confidence is not in (0, 1).
func SignedRankInterval(d []float64, confidence float64) (lo, hi, achieved float64) {
	checkConfidence(confidence)
	sorted, ok := sortedDifferences(d)
	if !ok {
		return math.NaN(), math.NaN(), math.NaN()
	}
	n := len(sorted)
	k, achieved := signedRankIntervalRank(n, confidence)
	if k < 1 {
		return math.Inf(-1), math.Inf(1), 1
	}
	m := n * (n + 1) / 2
	return walshOrderStatistic(sorted, k), walshOrderStatistic(sorted, m+1-k), achieved
}

// HodgesLehmann returns the Hodges–Lehmann estimate of the pseudo-median of
// the paired differences d (Hodges and Lehmann 1963): the median of the
// M = n(n+1)/2 Walsh averages (d_i + d_j)/2, i <= j,
//
//	w₍(M+1)/2₎                  M odd
//	(w₍M/2₎ + w₍M/2+1₎) / 2      M even
//
// the estimate R's wilcox.test reports as the "(pseudo)median"; it lies in
// every finite SignedRankInterval of d. Zeros are included, as in
// SignedRankInterval. It is NaN for an empty d, or when d holds a NaN or
// both +Inf and -Inf. O(n log n) time, O(n) space.
func HodgesLehmann(d []float64) float64 {
	sorted, ok := sortedDifferences(d)
	if !ok || len(sorted) == 0 {
		return math.NaN()
	}
	n := len(sorted)
	m := n * (n + 1) / 2
	if m%2 == 1 {
		return walshOrderStatistic(sorted, (m+1)/2)
	}
	return walshOrderStatistic(sorted, m/2)/2 + walshOrderStatistic(sorted, m/2+1)/2
}

// sortedDifferences returns a sorted copy of d; ok is false if d holds a
// NaN, or both +Inf and -Inf.
func sortedDifferences(d []float64) (sorted []float64, ok bool) {
	if countNaN(d) > 0 {
		return nil, false
	}
	sorted = slices.Clone(d)
	slices.Sort(sorted)
	if n := len(sorted); n > 0 && math.IsInf(sorted[0], -1) && math.IsInf(sorted[n-1], 1) {
		return nil, false
	}
	return sorted, true
}

// signedRankIntervalRank returns SignedRankInterval's rank k and achieved
// confidence for n differences; k is 0 when no k >= 1 satisfies the rule.
func signedRankIntervalRank(n int, confidence float64) (k int, achieved float64) {
	alpha := 1 - confidence
	if n <= SignedRankIntervalExactLimit {
		// Pr(T+ <= n(n+1)/4) >= 1/2 > alpha/2 by symmetry, so the lower
		// half of the distribution holds k. Stopping short of its last
		// term keeps k <= n(n+1)/4, hence lo <= hi, whatever rounding does
		// when confidence is near 0.
		below := 0.0 // Pr(T+ <= k-1)
		pmf := signedRankPMF(n, n*(n+1)/4)
		for _, p := range pmf[:len(pmf)-1] {
			if 2*(below+p) > alpha {
				break
			}
			below += p
			k++
		}
		return k, 1 - 2*below
	}
	nf := float64(n)
	mu := nf * (nf + 1) / 4
	sigma := math.Sqrt(nf * (nf + 1) * (2*nf + 1) / 24)
	z := distuv.UnitNormal.Quantile(0.5 + confidence/2)
	k = int(math.Floor(mu + 0.5 - z*sigma))
	if k < 1 {
		return 0, 1
	}
	return k, 1 - 2*distuv.UnitNormal.CDF((float64(k)-0.5-mu)/sigma)
}

// signedRankPMF returns Pr(T+ = t) for t = 0…tmax, T+ the sum of the
// ranks given a + sign when each of the ranks 1…n independently takes
// either sign with probability ½ (the null distribution of W+ without
// ties or zeros). Adding rank j to the ranks 1…j-1,
//
//	p_j(t) = (p_{j-1}(t) + p_{j-1}(t-j)) / 2,  p_0(0) = 1
//
// (the recursion scipy's _get_wilcoxon_distr and R's csignrank count
// with). A term at t depends only on terms at t and below, so stopping at
// tmax changes none of them. Precision: every p_n(t) is c/2ⁿ with integer
// c < 2ⁿ, so for n <= 53 each term, and each partial sum of the lower
// tail, is exact in float64. Beyond, each term carries one rounding per
// step, a relative error below n·2⁻⁵³, and a tail sum of m positive terms
// adds below m·2⁻⁵³: under 10⁻¹⁰ for n <= 1000. For n > 1022 the first
// terms (2⁻ⁿ) underflow; SignedRankIntervalExactLimit keeps n below that.
// Time O(n·tmax), space O(tmax).
func signedRankPMF(n, tmax int) []float64 {
	tmax = min(tmax, n*(n+1)/2)
	pmf := make([]float64, tmax+1)
	pmf[0] = 1
	top := 0 // the largest t with p_j(t) > 0, at most tmax
	for j := 1; j <= n; j++ {
		top = min(top+j, tmax)
		for t := top; t >= j; t-- { // downwards: p_{j-1}(t-j) still unchanged
			pmf[t] = (pmf[t] + pmf[t-j]) / 2
		}
		for t := min(j-1, top); t >= 0; t-- {
			pmf[t] /= 2
		}
	}
	return pmf
}

// walshOrderStatistic returns the k-th smallest (1-based) Walsh average
// s_i/2 + s_j/2, i <= j, of the sorted values s, 1 <= k <= n(n+1)/2, without
// materialising them: it bisects on the float64 values between the least
// and the greatest Walsh average, s₀ and s_{n-1}, for the least x with at
// least k averages <= x, which is the k-th average itself. Each step counts
// in O(n) (walshAtMost), and there are at most 64 steps, as the bisection
// runs over the bit patterns of float64 in their numeric order.
func walshOrderStatistic(s []float64, k int) float64 {
	n := len(s)
	lo := orderedKey(s[0]/2 + s[0]/2)
	hi := orderedKey(s[n-1]/2 + s[n-1]/2)
	for lo < hi { // walshAtMost(s, fromOrderedKey(hi)) >= k
		mid := lo + (hi-lo)/2
		if walshAtMost(s, fromOrderedKey(mid)) >= k {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return fromOrderedKey(lo) + 0 // + 0 turns -0 into 0
}

// walshAtMost counts the Walsh averages s_i/2 + s_j/2, i <= j, of the
// sorted values s that are <= x. The averages grow with i and with j
// (float64 halving and addition are monotone), so the largest j with an
// average <= x falls as i grows: two pointers, O(n).
func walshAtMost(s []float64, x float64) int {
	count := 0
	j := len(s) - 1
	for i := range s {
		for j >= i && s[i]/2+s[j]/2 > x {
			j--
		}
		if j < i {
			break
		}
		count += j - i + 1
	}
	return count
}

// orderedKey maps a non-NaN float64 to a uint64 in the same order (-0
// before 0): the sign bit set for positives, every bit flipped for
// negatives.
func orderedKey(x float64) uint64 {
	b := math.Float64bits(x)
	if b>>63 == 1 {
		return ^b
	}
	return b | 1<<63
}

// fromOrderedKey inverts orderedKey.
func fromOrderedKey(k uint64) float64 {
	if k>>63 == 1 {
		return math.Float64frombits(k &^ (1 << 63))
	}
	return math.Float64frombits(^k)
}

package drift

import "math"

// KS returns the two-sample Kolmogorov–Smirnov statistic of a and b,
//
//	D = sup_x |F_a(x) − F_b(x)|,
//
// where F_a and F_b are the empirical distribution functions (the share of
// each sample ≤ x), and its asymptotic two-sided p-value
//
//	p = Q(√(n·m/(n+m)) · D),  Q(x) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²x²},
//
// with n and m the sample sizes and Q the survival function of Kolmogorov's
// limiting distribution (Smirnov 1939; scipy.stats.kstwobign.sf). Ties are
// handled as scipy.stats.ks_2samp does: both functions are evaluated at
// every value of either sample, after all values equal to it, so D is the
// same to the last bit.
//
// The p-value is the one scipy.stats.ks_2samp(a, b, method="asymp") gave
// up to SciPy 1.4. From SciPy 1.5 that method returns instead
// kstwo.sf(D, round(en)), en = n·m/(n+m): the exact one-sample distribution
// at that size, which converges to Q as en grows. Where Q is 0.05 SciPy
// 1.10 gives 0.0433 for n = m = 100, 0.0479 for 1,000 and 0.0498 for
// 100,000 (see the tests). Q suits monitoring windows of thousands of
// values; for a few dozen, use an exact test.
//
// a and b are not modified: KS sorts copies, by radix in O(n+m) time for
// samples of 4,096 values or more (see Reference.KS). It returns a *SampleError wrapping ErrEmpty or ErrNaN when either sample is
// empty or holds a NaN.
func KS(a, b []float64) (d, p float64, err error) {
	if err := check("a", a); err != nil {
		return 0, 0, err
	}
	if err := check("b", b); err != nil {
		return 0, 0, err
	}
	// One buffer: each sample's sorted copy, and scratch space for sorting.
	buf := make([]float64, len(a)+len(b)+max(len(a), len(b)))
	sortedA, sortedB, scratch := buf[:len(a)], buf[len(a):len(a)+len(b)], buf[len(a)+len(b):]
	copy(sortedA, a)
	copy(sortedB, b)
	sortFloats(sortedA, scratch)
	sortFloats(sortedB, scratch)
	d = statistic(sortedA, sortedB)
	return d, kolmogorovPValue(d, len(a), len(b)), nil
}

// KS returns the two-sample Kolmogorov–Smirnov statistic D of the window
// actual against the reference sample and its asymptotic two-sided p-value,
// as the function KS does.
//
// It returns NaN, NaN when actual is empty or holds a NaN. It sorts a copy
// of actual by radix, in a buffer of 2m values that is its only allocation,
// and merges it with the sorted reference: O(m + n) for a window of m
// values and a reference of n (O(m log m + n) below 4,096 values).
func (r *Reference) KS(actual []float64) (d, p float64) {
	if len(actual) == 0 {
		return math.NaN(), math.NaN()
	}
	buf := make([]float64, 2*len(actual))
	sorted, scratch := buf[:len(actual)], buf[len(actual):]
	for i, v := range actual {
		if v != v {
			return math.NaN(), math.NaN()
		}
		sorted[i] = v
	}
	sortFloats(sorted, scratch)
	d = statistic(r.sorted, sorted)
	return d, kolmogorovPValue(d, len(r.sorted), len(actual))
}

// statistic returns D for two sorted, non-empty samples by merging them.
// At each distinct value v both samples are advanced past every value equal
// to v, and the difference i/n − j/m is computed as numpy does for
// ks_2samp, so ties and rounding match scipy. Once one sample is used up the
// difference can only shrink, so the walk stops there.
func statistic(a, b []float64) float64 {
	n, m := float64(len(a)), float64(len(b))
	i, j := 0, 0
	d := 0.0
	for i < len(a) && j < len(b) {
		v := min(a[i], b[j])
		for i < len(a) && a[i] <= v {
			i++
		}
		for j < len(b) && b[j] <= v {
			j++
		}
		d = max(d, math.Abs(float64(i)/n-float64(j)/m))
	}
	return d
}

// kolmogorovPValue returns Q(√en · d) for samples of n and m values, with
// en = n·m/(n+m) computed as scipy does (larger size first).
func kolmogorovPValue(d float64, n, m int) float64 {
	large, small := float64(max(n, m)), float64(min(n, m))
	en := large * small / (large + small)
	return kolmogorovSF(math.Sqrt(en) * d)
}

// kolmogorovSF returns Q(x) = P(K > x) for Kolmogorov's distribution K,
// from whichever of its two series converges fast at x (the split SciPy's
// cephes kolmogorov uses):
//
//	Q(x) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²x²}                  for x > 0.82,
//	Q(x) = 1 − (√(2π)/x) Σ_{k≥1} e^{−(2k−1)²π²/(8x²)}       otherwise.
//
// Four terms reach double precision on either side of 0.82 (Marsaglia,
// Tsang & Wang 2003, "Evaluating Kolmogorov's distribution").
func kolmogorovSF(x float64) float64 {
	switch {
	case x != x:
		return math.NaN()
	case x <= 0:
		return 1
	case x <= 0.82:
		// With u = e^{−π²/(8x²)}, the sum is u(1 + u⁸ + u²⁴ + u⁴⁸ + …),
		// the exponents (2k−1)² − 1.
		u := math.Exp(-math.Pi * math.Pi / (8 * x * x))
		if u == 0 {
			return 1
		}
		u8 := math.Pow(u, 8)
		sum := 1 + u8*(1+u8*u8*(1+u8*u8*u8))
		return 1 - math.Sqrt(2*math.Pi)/x*u*sum
	default:
		t := math.Exp(-2 * x * x)
		// 2(t − t⁴ + t⁹ − t¹⁶ + t²⁵), summed from the smallest term.
		t2 := t * t
		t4 := t2 * t2
		t9 := t4 * t4 * t
		t16 := t9 * t4 * t2 * t
		t25 := t16 * t9
		return min(1, 2*((((t25-t16)+t9)-t4)+t))
	}
}

// Package stats holds the statistics behind `harness check`, which gates CI
// on success targets measured over several seeds.
//
// The model: each seed of an experiment yields one value of a metric (a
// detection rate, a false positive rate, an AUC). Summarize reduces the
// values to their mean and a two-sided Student's t confidence interval of
// the mean; Judge compares that interval, not the mean, with a target such
// as ">= 0.9", and answers Pass, Fail or Inconclusive; SeedsNeeded says how
// many seeds an inconclusive target would need if the mean and standard
// deviation held. For a rate over counts pooled across seeds, Wilson gives
// the score interval of the proportion and JudgeInterval judges it.
// MannWhitneyU compares two sets of values without distributional
// assumptions, as golang.org/x/perf/benchmath.AssumeNothing does for
// benchstat.
//
// Errors come in two kinds, as in benchmath and gonum: caller misuse (a
// confidence outside (0, 1), an unknown comparison) panics with a message
// starting "stats: "; statistical caveats (dropped NaNs, too few values for
// an interval or a test) are Warnings on the result, wrapping the sentinel
// errors below for errors.Is, to be shown next to the numbers.
//
// The functions are pure: no state, no randomness, inputs are not modified.
package stats

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Sentinels wrapped by the Warnings of Summary and MannWhitney.
var (
	// ErrNaN: NaN values were dropped before computing.
	ErrNaN = errors.New("stats: NaN values dropped")
	// ErrInfinite: an infinite value leaves the interval undefined.
	ErrInfinite = errors.New("stats: infinite values")
	// ErrTooFew: too few values for an interval, or for a test to reach
	// significance.
	ErrTooFew = errors.New("stats: too few values")
	// ErrAllEqual: every value of both samples is the same, so the rank
	// test has nothing to compare.
	ErrAllEqual = errors.New("stats: all values equal")
)

// A Summary describes the values of one metric over seeds.
type Summary struct {
	// N is the number of values used (NaNs dropped).
	N int
	// Mean and SD are the sample mean and the sample standard deviation
	// (divisor N-1); SD is NaN when N < 2.
	Mean, SD float64
	// Min and Max are the extreme values.
	Min, Max float64
	// Lo and Hi bound the two-sided confidence interval of the mean; both
	// are NaN when the interval is undefined (N < 2, infinite values).
	Lo, Hi float64
	// Method names how Lo and Hi were computed: "t" for Student's t,
	// "t, within [0, 1]" for one intersected with a metric's range
	// (Within).
	Method string
	// Warnings are caveats to show with the summary.
	Warnings []error
}

// Summarize returns the mean, sample standard deviation, extremes and the
// two-sided t confidence interval of the mean of values at the given
// confidence level (0.95 for 95%):
//
//	Mean ± t_{N-1, (1+confidence)/2} · SD / √N
//
// where t_{ν,p} is the p quantile of Student's t distribution with ν degrees
// of freedom. The interval assumes the seed-to-seed variation of the mean is
// roughly normal; it is not clipped to a metric's range, so for a rate near
// 1 Hi may exceed 1.
//
// NaN values are dropped, with a warning giving their count. With one value
// the interval is undefined: Lo, Hi and SD are NaN, with a warning (Judge
// then answers Inconclusive). With no values every statistic is NaN. When
// all values are equal (a detection rate of 1.0 in every seed), SD is 0 and
// the interval is [v, v], zero width at the value: the t interval has no
// spread to work with, which is the right answer for a metric that did not
// vary. An infinite value leaves SD and the interval NaN, with a warning.
//
// Summarize panics if confidence is not in (0, 1).
func Summarize(values []float64, confidence float64) Summary {
	checkConfidence(confidence)
	s := Summary{Method: "t"}
	finite := values
	if nan := countNaN(values); nan > 0 {
		finite = make([]float64, 0, len(values)-nan)
		for _, v := range values {
			if !math.IsNaN(v) {
				finite = append(finite, v)
			}
		}
		s.Warnings = append(s.Warnings, fmt.Errorf("%w: %d of %d", ErrNaN, nan, len(values)))
	}
	s.N = len(finite)
	if s.N == 0 {
		s.Mean, s.SD, s.Min, s.Max, s.Lo, s.Hi = math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()
		s.Warnings = append(s.Warnings, fmt.Errorf("%w: no values", ErrTooFew))
		return s
	}
	s.Min, s.Max = finite[0], finite[0]
	infinite := 0
	for _, v := range finite {
		s.Min = math.Min(s.Min, v)
		s.Max = math.Max(s.Max, v)
		if math.IsInf(v, 0) {
			infinite++
		}
	}
	switch {
	case s.N == 1:
		s.Mean, s.SD, s.Lo, s.Hi = finite[0], math.NaN(), math.NaN(), math.NaN()
		s.Warnings = append(s.Warnings, fmt.Errorf("%w: 1 value; a confidence interval needs >= 2", ErrTooFew))
		return s
	case infinite > 0:
		s.Mean, s.SD, s.Lo, s.Hi = stat.Mean(finite, nil), math.NaN(), math.NaN(), math.NaN()
		s.Warnings = append(s.Warnings, fmt.Errorf("%w: %d of %d; the interval is undefined", ErrInfinite, infinite, s.N))
		return s
	case s.Min == s.Max:
		// Exactly, not through a sum that could round 1.0 to 0.9999….
		s.Mean, s.SD, s.Lo, s.Hi = s.Min, 0, s.Min, s.Min
		return s
	}
	s.Mean, s.SD = stat.MeanStdDev(finite, nil)
	half := tQuantile(s.N-1, confidence) * s.SD / math.Sqrt(float64(s.N))
	s.Lo, s.Hi = s.Mean-half, s.Mean+half
	return s
}

// Within returns s with its interval intersected with [lo, hi], the range
// of the metric's values (a rate's [0, 1]), and Method "t" marked so
// ("t, within [0, 1]"). The mean of values in the range is in it, and so
// is the quantity the interval estimates, so the intersection drops only
// values the metric cannot take: it covers that quantity exactly as often
// as the t interval does (TestWithinCoverage measures both, beside a t
// interval on the logit scale, which covers less). An undefined (NaN)
// interval stays undefined.
//
// Within panics if lo > hi.
func (s Summary) Within(lo, hi float64) Summary {
	if lo > hi {
		panic(fmt.Sprintf("stats: range [%v, %v] reversed", lo, hi))
	}
	if math.IsNaN(s.Lo) || math.IsNaN(s.Hi) {
		return s
	}
	s.Lo = math.Min(math.Max(s.Lo, lo), hi)
	s.Hi = math.Max(math.Min(s.Hi, hi), lo)
	s.Method = fmt.Sprintf("%s, within [%s, %s]", s.Method, strconv.FormatFloat(lo, 'g', -1, 64), strconv.FormatFloat(hi, 'g', -1, 64))
	s.Warnings = slices.Clone(s.Warnings)
	return s
}

// Wilson returns the Wilson score interval of a proportion observed as
// successes out of trials (counts pooled over seeds), two-sided at the given
// confidence level:
//
//	p̂ = successes / trials,  z = Φ⁻¹((1+confidence)/2),  n = trials
//	centre = (p̂ + z²/2n) / (1 + z²/n)
//	half   = z / (1 + z²/n) · √(p̂(1-p̂)/n + z²/4n²)
//	[lo, hi] = [centre - half, centre + half]
//
// (Wilson 1927; as scipy.stats.binomtest(k, n).proportion_ci(method="wilson")).
// Unlike the normal (Wald) interval it stays inside [0, 1] and is not
// degenerate at 0 or n successes: lo is exactly 0 when successes is 0 and hi
// exactly 1 when successes equals trials. With no trials both bounds are NaN.
//
// Wilson panics if successes is negative or exceeds trials, or if
// confidence is not in (0, 1).
func Wilson(successes, trials int, confidence float64) (lo, hi float64) {
	checkConfidence(confidence)
	if successes < 0 || successes > trials {
		panic(fmt.Sprintf("stats: %d successes out of %d trials", successes, trials))
	}
	if trials == 0 {
		return math.NaN(), math.NaN()
	}
	z := distuv.UnitNormal.Quantile(0.5 + confidence/2)
	n := float64(trials)
	p := float64(successes) / n
	denom := 1 + z*z/n
	centre := (p + z*z/(2*n)) / denom
	half := z / denom * math.Sqrt(p*(1-p)/n+z*z/(4*n*n))
	lo, hi = math.Max(0, centre-half), math.Min(1, centre+half)
	if successes == 0 {
		lo = 0
	}
	if successes == trials {
		hi = 1
	}
	return lo, hi
}

// tQuantile is the (1+confidence)/2 quantile of Student's t with df degrees
// of freedom, the multiplier of a two-sided interval.
func tQuantile(df int, confidence float64) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(0.5 + confidence/2)
}

func checkConfidence(confidence float64) {
	if !(confidence > 0 && confidence < 1) {
		panic(fmt.Sprintf("stats: confidence %v outside (0, 1)", confidence))
	}
}

func countNaN(values []float64) int {
	n := 0
	for _, v := range values {
		if math.IsNaN(v) {
			n++
		}
	}
	return n
}

package stats

import (
	"fmt"
	"math"
	"strconv"
)

// A Comparison is a success target: the metric should be Op Value, with Op
// one of ">=", ">", "<=", "<" (detection rate ">= 0.9", false positive rate
// "<= 0.02").
type Comparison struct {
	Op    string
	Value float64
}

// String returns the target as written, e.g. ">= 0.9".
func (c Comparison) String() string {
	return c.Op + " " + strconv.FormatFloat(c.Value, 'g', -1, 64)
}

// holds reports whether x satisfies the comparison.
func (c Comparison) holds(x float64) bool {
	switch c.Op {
	case ">=":
		return x >= c.Value
	case ">":
		return x > c.Value
	case "<=":
		return x <= c.Value
	default: // "<", checked by check
		return x < c.Value
	}
}

// above reports whether the comparison asks for large values.
func (c Comparison) above() bool { return c.Op == ">=" || c.Op == ">" }

func (c Comparison) check() {
	switch c.Op {
	case ">=", ">", "<=", "<":
	default:
		panic(fmt.Sprintf("stats: unknown comparison %q (want >=, >, <= or <)", c.Op))
	}
	if math.IsNaN(c.Value) {
		panic("stats: comparison with NaN")
	}
}

// A Verdict is the outcome of judging an interval against a Comparison.
// The zero Verdict is invalid, so a verdict never set cannot pass.
type Verdict int

// Verdicts.
const (
	Pass         Verdict = iota + 1 // the whole interval satisfies the target
	Fail                            // the whole interval violates it
	Inconclusive                    // the interval straddles it, or is undefined
)

// String returns "pass", "fail" or "inconclusive".
func (v Verdict) String() string {
	switch v {
	case Pass:
		return "pass"
	case Fail:
		return "fail"
	case Inconclusive:
		return "inconclusive"
	}
	return "Verdict(" + strconv.Itoa(int(v)) + ")"
}

// Judge judges the confidence interval of s against c; it is
// JudgeInterval(s.Lo, s.Hi, c). With fewer than two values the interval is
// NaN and the verdict Inconclusive: a single seed is not judged on its
// value, since nothing says how far another seed would land from it; the
// Summary's warning says so.
func Judge(s Summary, c Comparison) Verdict {
	return JudgeInterval(s.Lo, s.Hi, c)
}

// JudgeInterval judges the closed interval [lo, hi] (a t interval from
// Summarize, a Wilson interval) against c: Pass when every point of the
// interval satisfies c, Fail when every point violates it, Inconclusive
// otherwise or when a bound is NaN. The interval is closed, so a bound
// equal to c.Value counts as inside it. At the boundary, for Value v:
//
//	interval   >= v  > v   <= v  < v
//	[v, hi]    pass  inc.  inc.  fail
//	[lo, v]    inc.  fail  pass  inc.
//	[v, v]     pass  fail  pass  fail
//
// (lo < v < hi; "inc." is Inconclusive). A degenerate interval at v (every
// seed measured exactly v) thus passes the inclusive targets and fails the
// strict ones, as the value itself would.
//
// JudgeInterval panics if lo > hi, c.Op is not one of ">=", ">", "<=", "<",
// or c.Value is NaN.
func JudgeInterval(lo, hi float64, c Comparison) Verdict {
	c.check()
	if math.IsNaN(lo) || math.IsNaN(hi) {
		return Inconclusive
	}
	if lo > hi {
		panic(fmt.Sprintf("stats: interval [%v, %v] reversed", lo, hi))
	}
	// The comparisons are monotone in x, so the interval's ends decide.
	loHolds, hiHolds := c.holds(lo), c.holds(hi)
	switch {
	case loHolds && hiHolds:
		return Pass
	case !loHolds && !hiHolds:
		return Fail
	}
	return Inconclusive
}

// MaxSeeds caps the answer of SeedsNeeded.
const MaxSeeds = 10000

// SeedsNeeded estimates how many seeds would make the interval of s clear
// c.Value on the side c asks for, if further seeds kept the observed mean
// and standard deviation: the smallest n >= 2 with
//
//	t_{n-1, (1+confidence)/2} · SD / √n < |Mean - Value|
//
// found by bisection, since the left side falls as n grows. The inequality
// is strict so that the interval then passes strict targets too. The answer
// is a planning estimate, not a promise: the mean and SD of new seeds will
// differ. It may be <= s.N when s already passes (or when confidence differs
// from the one s was judged at).
//
// ok is false, with n 0, when more seeds cannot bring a pass: the mean is on
// the failing side of Value or equal to it, or s has no SD (N < 2, infinite
// values). ok is false with n MaxSeeds when even MaxSeeds seeds would not
// do. An SD of 0 with the mean on the passing side needs 2 seeds.
//
// SeedsNeeded panics if confidence is not in (0, 1) or c is invalid (see
// JudgeInterval).
func SeedsNeeded(s Summary, c Comparison, confidence float64) (n int, ok bool) {
	checkConfidence(confidence)
	c.check()
	margin := s.Mean - c.Value
	if !c.above() {
		margin = -margin
	}
	if s.N < 2 || math.IsNaN(s.SD) || math.IsInf(s.SD, 0) || !(margin > 0) {
		return 0, false
	}
	clears := func(n int) bool {
		return tQuantile(n-1, confidence)*s.SD/math.Sqrt(float64(n)) < margin
	}
	if !clears(MaxSeeds) {
		return MaxSeeds, false
	}
	lo, hi := 2, MaxSeeds // clears(hi); find the least such n in [lo, hi]
	for lo < hi {
		mid := lo + (hi-lo)/2
		if clears(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo, true
}

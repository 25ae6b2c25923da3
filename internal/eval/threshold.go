package eval

import (
	"fmt"
	"math"
)

// ThresholdForFPR chooses an operating point on validation scores: the
// lowest threshold t, among the distinct values of scores, such that
// flagging every score >= t gives
//
//	FPR(t) = FP(t) / N <= budget,
//
// with FP(t) the normal flows scoring >= t and N all normal flows. Ties
// are whole: a normal flow tied with an anomaly at t is flagged with it,
// so a budget of 0 stops above the highest-scoring normal flow. FPR(t)
// is computed as Binary.FalsePositiveRate computes it, so
// AtThreshold(scores, actual, t).FalsePositiveRate() <= budget.
//
// When even the highest score exceeds the budget it returns +Inf, which
// flags nothing (except scores of +Inf themselves). It returns
// ErrNoNegative when actual holds no normal flow (anomalies are not
// needed). It panics if the lengths differ, a score is NaN, or budget is
// outside [0, 1].
func ThresholdForFPR(scores []float64, actual []bool, budget float64) (threshold float64, err error) {
	if !(budget >= 0 && budget <= 1) {
		panic(fmt.Sprintf("eval: false-positive budget %v outside [0, 1]", budget))
	}
	s := descend(scores, actual)
	negatives := s.negatives()
	if negatives == 0 {
		return math.NaN(), ErrNoNegative
	}
	threshold = math.Inf(1)
	// FP(t) grows as t falls: take thresholds from the top until the
	// budget breaks.
	for k, fp := range s.fps {
		if ratio(fp, negatives) > budget {
			break
		}
		threshold = s.thresholds[k]
	}
	return threshold, nil
}

// AtThreshold counts the decisions of flagging every score >= t against
// actual. It panics if the lengths differ or a score or t is NaN.
func AtThreshold(scores []float64, actual []bool, t float64) Binary {
	if len(scores) != len(actual) {
		panic(fmt.Sprintf("eval: %d scores, %d labels", len(scores), len(actual)))
	}
	if math.IsNaN(t) {
		panic("eval: threshold is NaN")
	}
	var c Binary
	for i, v := range scores {
		if math.IsNaN(v) {
			panic(fmt.Sprintf("eval: score %d is NaN", i))
		}
		switch flagged := v >= t; {
		case actual[i] && flagged:
			c.TP++
		case actual[i]:
			c.FN++
		case flagged:
			c.FP++
		default:
			c.TN++
		}
	}
	return c
}

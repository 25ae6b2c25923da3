// Package eval measures models: confusion counts, the rates derived from
// them, and the ROC curve and its area with scikit-learn's semantics
// (sklearn/metrics/_ranking.py: roc_curve with drop_intermediate, auc by
// trapezoids); the multi-class confusion matrix and classification report
// (sklearn/metrics/_classification.py, zero_division 0); the
// precision-recall curve and average precision of scikit-learn 1.2.1;
// detection rates per anomaly type; and operating points chosen for a
// false-positive budget.
package eval

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Binary counts a detector's decisions against the truth; the positive
// class is the anomaly.
type Binary struct {
	TP, FP, TN, FN int
}

// Confusion counts predicted against actual. It panics if their lengths
// differ.
func Confusion(actual, predicted []bool) Binary {
	if len(actual) != len(predicted) {
		panic(fmt.Sprintf("eval: %d labels, %d predictions", len(actual), len(predicted)))
	}
	var c Binary
	for i, a := range actual {
		switch p := predicted[i]; {
		case a && p:
			c.TP++
		case a:
			c.FN++
		case p:
			c.FP++
		default:
			c.TN++
		}
	}
	return c
}

// DetectionRate is TP / (TP + FN), the recall of anomalies; NaN without any.
func (c Binary) DetectionRate() float64 { return ratio(c.TP, c.TP+c.FN) }

// FalsePositiveRate is FP / (FP + TN); NaN without normal flows.
func (c Binary) FalsePositiveRate() float64 { return ratio(c.FP, c.FP+c.TN) }

// Precision is TP / (TP + FP); NaN when nothing was flagged.
func (c Binary) Precision() float64 { return ratio(c.TP, c.TP+c.FP) }

// Accuracy is (TP + TN) / all; NaN when empty.
func (c Binary) Accuracy() float64 { return ratio(c.TP+c.TN, c.TP+c.FP+c.TN+c.FN) }

// F1 is the harmonic mean of precision and detection rate, 2TP / (2TP + FP + FN);
// NaN when there is no positive at all.
func (c Binary) F1() float64 { return ratio(2*c.TP, 2*c.TP+c.FP+c.FN) }

func ratio(num, den int) float64 {
	if den == 0 {
		return math.NaN()
	}
	return float64(num) / float64(den)
}

// Accuracy is the fraction of predicted equal to actual (multi-class). It
// panics if their lengths differ and is NaN when they are empty.
func Accuracy(actual, predicted []int) float64 {
	if len(actual) != len(predicted) {
		panic(fmt.Sprintf("eval: %d labels, %d predictions", len(actual), len(predicted)))
	}
	right := 0
	for i, a := range actual {
		if predicted[i] == a {
			right++
		}
	}
	return ratio(right, len(actual))
}

// Curve is an ROC curve: points (FPR[i], TPR[i]) reached by flagging every
// score >= Thresholds[i]. The first point is (0, 0) with threshold +Inf.
type Curve struct {
	FPR, TPR, Thresholds []float64
}

// ErrOneClass is returned when the truth holds only one class, so that the
// ROC curve is undefined (scikit-learn raises a ValueError).
var ErrOneClass = errors.New("eval: ROC needs both classes in the truth")

// ROC computes the ROC curve of scores (higher means more anomalous)
// against actual, as scikit-learn's roc_curve(drop_intermediate=True):
// scores sorted in descending order and grouped by distinct value, points
// on a straight line between their neighbours dropped, (0, 0) prepended.
// (gonum's stat.ROC keeps intermediate points and wants sorted input.) It
// panics if the lengths differ or a score is NaN.
func ROC(scores []float64, actual []bool) (Curve, error) {
	if len(scores) != len(actual) {
		panic(fmt.Sprintf("eval: %d scores, %d labels", len(scores), len(actual)))
	}
	type point struct {
		score   float64
		anomaly bool
	}
	points := make([]point, len(scores))
	for i, v := range scores {
		if math.IsNaN(v) {
			panic(fmt.Sprintf("eval: score %d is NaN", i))
		}
		points[i] = point{v, actual[i]}
	}
	// Descending by score. The order among equal scores does not matter:
	// the curve only takes the counts at the end of each group of equal
	// scores.
	slices.SortFunc(points, func(a, b point) int { return cmp.Compare(b.score, a.score) })
	var tps, fps, thr []float64
	var tp, fp float64
	for k, p := range points {
		if p.anomaly {
			tp++
		} else {
			fp++
		}
		if k+1 == len(points) || points[k+1].score != p.score {
			tps, fps, thr = append(tps, tp), append(fps, fp), append(thr, p.score)
		}
	}
	if tp == 0 || fp == 0 {
		return Curve{}, ErrOneClass
	}
	// drop_intermediate: keep the ends and every point where the second
	// difference of either coordinate is non-zero.
	keep := []int{}
	for i := range tps {
		if i == 0 || i == len(tps)-1 ||
			fps[i-1]-2*fps[i]+fps[i+1] != 0 || tps[i-1]-2*tps[i]+tps[i+1] != 0 {
			keep = append(keep, i)
		}
	}
	c := Curve{FPR: []float64{0}, TPR: []float64{0}, Thresholds: []float64{math.Inf(1)}}
	for _, i := range keep {
		c.FPR = append(c.FPR, fps[i]/fp)
		c.TPR = append(c.TPR, tps[i]/tp)
		c.Thresholds = append(c.Thresholds, thr[i])
	}
	return c, nil
}

// AUC is the area under the curve by the trapezoidal rule.
func (c Curve) AUC() float64 {
	area := 0.0
	for i := 1; i < len(c.FPR); i++ {
		area += (c.FPR[i] - c.FPR[i-1]) * (c.TPR[i] + c.TPR[i-1]) / 2
	}
	return area
}

// ROCAUC is the area under the ROC curve of scores against actual, or an
// error when actual holds one class only.
func ROCAUC(scores []float64, actual []bool) (float64, error) {
	c, err := ROC(scores, actual)
	if err != nil {
		return math.NaN(), err
	}
	return c.AUC(), nil
}

// TopK returns the indices of the k largest values, largest first; equal
// values keep index order.
func TopK(values []float64, k int) []int {
	idx := make([]int, len(values))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case values[a] > values[b]:
			return -1
		case values[a] < values[b]:
			return 1
		}
		return 0
	})
	return idx[:min(k, len(idx))]
}

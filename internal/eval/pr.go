package eval

import (
	"fmt"
	"math"
	"slices"
)

// missingClassError reports a truth without the class a measure needs. It
// matches ErrOneClass under errors.Is, so that callers handling the ROC's
// one-class case handle these too.
type missingClassError string

func (e missingClassError) Error() string { return string(e) }

func (e missingClassError) Is(target error) bool { return target == ErrOneClass }

var (
	// ErrNoPositive is returned by PR and AveragePrecision when the truth
	// holds no anomaly, so that recall is undefined. scikit-learn warns,
	// sets every recall to 1 and returns an average precision that means
	// nothing (-0.0); we refuse. errors.Is(ErrNoPositive, ErrOneClass).
	ErrNoPositive error = missingClassError("eval: precision-recall needs an anomaly in the truth")
	// ErrNoNegative is returned by ThresholdForFPR when the truth holds no
	// normal flow, so that the false-positive rate is undefined.
	// errors.Is(ErrNoNegative, ErrOneClass).
	ErrNoNegative error = missingClassError("eval: a false-positive rate needs a normal flow in the truth")
)

// PRCurve is a precision-recall curve in scikit-learn's order: by
// increasing threshold, so decreasing recall. Precision[i] and Recall[i]
// are reached by flagging every score >= Thresholds[i]; the last point,
// (Precision 1, Recall 0), has no threshold, so Precision and Recall are
// one longer than Thresholds.
type PRCurve struct {
	Precision, Recall, Thresholds []float64
}

// PR computes the precision-recall curve of scores (higher means more
// anomalous) against actual, as scikit-learn 1.2.1's
// precision_recall_curve: scores sorted in descending order and grouped by
// distinct value; at each distinct value t,
//
//	Precision = TP(t) / (TP(t) + FP(t)),  Recall = TP(t) / P,
//
// with TP(t), FP(t) the anomalies and normal flows scoring >= t and P all
// anomalies; the points reversed and (1, 0) appended. Every distinct score
// is a threshold: scikit-learn 1.2 no longer stops at the first threshold
// reaching full recall (versions before 1.1 did), so the low thresholds
// repeat Recall 1 with falling precision.
//
// It returns ErrNoPositive when actual holds no anomaly; a truth of
// anomalies only is fine (Precision 1 throughout). It panics if the
// lengths differ or a score is NaN.
func PR(scores []float64, actual []bool) (PRCurve, error) {
	s := descend(scores, actual)
	if s.positives() == 0 {
		return PRCurve{}, ErrNoPositive
	}
	n := len(s.thresholds)
	c := PRCurve{
		Precision:  make([]float64, n+1),
		Recall:     make([]float64, n+1),
		Thresholds: make([]float64, n),
	}
	positives := float64(s.positives())
	for k := range n {
		i := n - 1 - k
		tp := float64(s.tps[k])
		c.Precision[i] = tp / (tp + float64(s.fps[k]))
		c.Recall[i] = tp / positives
		c.Thresholds[i] = s.thresholds[k]
	}
	c.Precision[n], c.Recall[n] = 1, 0
	return c, nil
}

// AveragePrecision is scikit-learn's average_precision_score: the step
// sum over the PR curve's thresholds, highest first,
//
//	AP = Σ_n (R_n − R_{n−1}) · P_n,  R_{−1} = 0,
//
// without interpolation (scikit-learn writes it -Σ diff(recall) ·
// precision[:-1] over the reversed curve). Thresholds past full recall add
// nothing. It returns ErrNoPositive when actual holds no anomaly and
// panics like PR.
func AveragePrecision(scores []float64, actual []bool) (float64, error) {
	s := descend(scores, actual)
	if s.positives() == 0 {
		return math.NaN(), ErrNoPositive
	}
	positives := float64(s.positives())
	ap, previous := 0.0, 0.0
	for k, t := range s.tps {
		tp := float64(t)
		// Recall as a ratio, then differenced, as scikit-learn does.
		recall := tp / positives
		ap += (recall - previous) * (tp / (tp + float64(s.fps[k])))
		previous = recall
	}
	return ap, nil
}

// steps holds the counts behind the ranking curves: for each distinct
// score, highest first, thresholds[k] is the score and tps[k], fps[k] the
// anomalies and normal flows scoring >= it (scikit-learn's
// _binary_clf_curve).
type steps struct {
	thresholds []float64
	tps, fps   []int
}

// positives is the number of anomalies, 0 when there are no scores.
func (s steps) positives() int {
	if len(s.tps) == 0 {
		return 0
	}
	return s.tps[len(s.tps)-1]
}

// negatives is the number of normal flows, 0 when there are no scores.
func (s steps) negatives() int {
	if len(s.fps) == 0 {
		return 0
	}
	return s.fps[len(s.fps)-1]
}

// descend ranks scores against actual. It sorts the anomalies' and the
// normal flows' scores apart (plain float sorts, no comparator) and merges
// them from the top. It panics if the lengths differ or a score is NaN.
func descend(scores []float64, actual []bool) steps {
	if len(scores) != len(actual) {
		panic(fmt.Sprintf("eval: %d scores, %d labels", len(scores), len(actual)))
	}
	positives := 0
	for i, v := range scores {
		if math.IsNaN(v) {
			panic(fmt.Sprintf("eval: score %d is NaN", i))
		}
		if actual[i] {
			positives++
		}
	}
	// One buffer: the anomalies' scores first, the normal flows' after.
	buf := make([]float64, len(scores))
	anomalies, normals := buf[:0:positives], buf[positives:positives]
	for i, v := range scores {
		if actual[i] {
			anomalies = append(anomalies, v)
		} else {
			normals = append(normals, v)
		}
	}
	slices.Sort(anomalies)
	slices.Sort(normals)
	// At most one step per score.
	s := steps{
		thresholds: make([]float64, 0, len(scores)),
		tps:        make([]int, 0, len(scores)),
		fps:        make([]int, 0, len(scores)),
	}
	a, b := len(anomalies)-1, len(normals)-1
	tp, fp := 0, 0
	for a >= 0 || b >= 0 {
		var t float64
		switch {
		case a < 0:
			t = normals[b]
		case b < 0:
			t = anomalies[a]
		default:
			t = max(anomalies[a], normals[b])
		}
		for a >= 0 && anomalies[a] == t {
			tp, a = tp+1, a-1
		}
		for b >= 0 && normals[b] == t {
			fp, b = fp+1, b-1
		}
		s.thresholds = append(s.thresholds, t)
		s.tps = append(s.tps, tp)
		s.fps = append(s.fps, fp)
	}
	return s
}

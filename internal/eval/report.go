package eval

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Matrix is a multi-class confusion matrix: Counts[i][j] flows of actual
// class i were predicted as class j. Classes names the classes in label
// order (label i is Classes[i]).
type Matrix struct {
	Classes []string
	Counts  [][]int
}

// ConfusionMatrix counts predicted against actual labels, which index
// classes: rows are actual, columns predicted, as scikit-learn's
// confusion_matrix(actual, predicted, labels=range(len(classes))). It
// panics if the lengths differ or a label is outside [0, len(classes));
// scikit-learn would silently drop such a flow.
func ConfusionMatrix(actual, predicted []int, classes []string) Matrix {
	if len(actual) != len(predicted) {
		panic(fmt.Sprintf("eval: %d labels, %d predictions", len(actual), len(predicted)))
	}
	k := len(classes)
	m := Matrix{Classes: classes, Counts: make([][]int, k)}
	cells := make([]int, k*k)
	for i := range m.Counts {
		m.Counts[i] = cells[i*k : (i+1)*k : (i+1)*k]
	}
	for i, a := range actual {
		p := predicted[i]
		if a < 0 || a >= k || p < 0 || p >= k {
			panic(fmt.Sprintf("eval: flow %d has label %d, prediction %d, outside the %d classes", i, a, p, k))
		}
		m.Counts[a][p]++
	}
	return m
}

// ClassReport is one line of a classification report. For a class c,
//
//	Precision = TP_c / predicted_c,  Recall = TP_c / Support,
//	F1 = 2 · Precision · Recall / (Precision + Recall),
//
// where Support is the number of flows whose actual class is c. A ratio
// whose denominator is zero is 0 (see Report).
type ClassReport struct {
	Class                 string
	Precision, Recall, F1 float64
	Support               int
}

// Report is scikit-learn's classification_report(output_dict=True): one
// line per class, the accuracy, and the macro and weighted averages.
//
// Zero division follows scikit-learn's default zero_division="warn",
// which sets the ill-defined value to 0.0 and warns: a class never
// predicted has Precision 0, a class without support has Recall 0, and
// either has F1 0. We record the 0 and do not warn; a class without
// support or predictions is visible in the matrix.
type Report struct {
	Classes []ClassReport
	// Accuracy is trace / total, 0 for an empty matrix. scikit-learn
	// prints it as "accuracy", or as "micro avg" (precision, recall and F1
	// all equal to it) when some class is neither actual nor predicted.
	Accuracy float64
	// Macro is the unweighted mean of the per-class lines (F1 is the mean
	// of the F1s, not the F1 of the means); Weighted weighs each class by
	// its Support, and is all 0 when no class has support. Both have the
	// total as Support.
	Macro, Weighted ClassReport
}

// Report computes the classification report of m. It panics if Counts is
// not a square matrix of len(Classes) rows or holds a negative count.
func (m Matrix) Report() Report {
	k := len(m.Classes)
	if len(m.Counts) != k {
		panic(fmt.Sprintf("eval: %d classes, %d rows of counts", k, len(m.Counts)))
	}
	predicted := make([]int, k)
	r := Report{Classes: make([]ClassReport, k)}
	total, trace := 0, 0
	for i, row := range m.Counts {
		if len(row) != k {
			panic(fmt.Sprintf("eval: row %d has %d counts, want %d", i, len(row), k))
		}
		for j, n := range row {
			if n < 0 {
				panic(fmt.Sprintf("eval: negative count %d at (%d, %d)", n, i, j))
			}
			predicted[j] += n
			r.Classes[i].Support += n
		}
		total += r.Classes[i].Support
		trace += row[i]
	}
	var weight float64
	for i := range r.Classes {
		c := &r.Classes[i]
		tp := m.Counts[i][i]
		c.Class = m.Classes[i]
		c.Precision = ratioOrZero(tp, predicted[i])
		c.Recall = ratioOrZero(tp, c.Support)
		c.F1 = harmonic(c.Precision, c.Recall)

		r.Macro.Precision += c.Precision
		r.Macro.Recall += c.Recall
		r.Macro.F1 += c.F1
		w := float64(c.Support)
		r.Weighted.Precision += c.Precision * w
		r.Weighted.Recall += c.Recall * w
		r.Weighted.F1 += c.F1 * w
		weight += w
	}
	if k > 0 {
		r.Macro.Precision /= float64(k)
		r.Macro.Recall /= float64(k)
		r.Macro.F1 /= float64(k)
	}
	if weight > 0 {
		r.Weighted.Precision /= weight
		r.Weighted.Recall /= weight
		r.Weighted.F1 /= weight
	}
	r.Macro.Class, r.Macro.Support = "macro avg", total
	r.Weighted.Class, r.Weighted.Support = "weighted avg", total
	r.Accuracy = ratioOrZero(trace, total)
	return r
}

// MacroF1 is the unweighted mean of the per-class F1 scores,
// f1_score(average="macro").
func (m Matrix) MacroF1() float64 { return m.Report().Macro.F1 }

// WeightedF1 is the support-weighted mean of the per-class F1 scores,
// f1_score(average="weighted").
func (m Matrix) WeightedF1() float64 { return m.Report().Weighted.F1 }

// ratioOrZero is num / den, or 0 when den is 0 (zero_division="warn").
func ratioOrZero(num, den int) float64 {
	if den == 0 {
		return 0
	}
	return float64(num) / float64(den)
}

// harmonic is 2pr / (p + r) as scikit-learn computes it (a zero
// denominator counts as 1, giving 0).
func harmonic(p, r float64) float64 {
	den := p + r
	if den == 0 {
		den = 1
	}
	return 2 * p * r / den
}

// ClassificationReport formats m's Report as scikit-learn's
// classification_report(actual, predicted, labels=range(len(Classes)),
// target_names=Classes, digits=2) text. When some class is neither actual
// nor predicted, scikit-learn heads the accuracy line "micro avg" and
// prints precision, recall and F1, all equal to the accuracy.
func (m Matrix) ClassificationReport() string {
	r := m.Report()
	width := len("weighted avg")
	for _, c := range r.Classes {
		width = max(width, utf8.RuneCountInString(c.Class))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%*s  %9s %9s %9s %9s\n\n", width, "", "precision", "recall", "f1-score", "support")
	line := func(c ClassReport) {
		fmt.Fprintf(&b, "%*s  %9.2f %9.2f %9.2f %9d\n", width, c.Class, c.Precision, c.Recall, c.F1, c.Support)
	}
	absent := false
	for i, c := range r.Classes {
		line(c)
		if c.Support == 0 && m.predictedCount(i) == 0 {
			absent = true
		}
	}
	b.WriteString("\n")
	if absent {
		line(ClassReport{Class: "micro avg", Precision: r.Accuracy, Recall: r.Accuracy, F1: r.Accuracy, Support: r.Macro.Support})
	} else {
		fmt.Fprintf(&b, "%*s  %9s %9s %9.2f %9d\n", width, "accuracy", "", "", r.Accuracy, r.Macro.Support)
	}
	line(r.Macro)
	line(r.Weighted)
	return b.String()
}

// predictedCount is the number of flows predicted as class j.
func (m Matrix) predictedCount(j int) int {
	n := 0
	for _, row := range m.Counts {
		n += row[j]
	}
	return n
}

package eval

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// Expected matrices and reports computed by scikit-learn 1.2.1
// (confusion_matrix and classification_report(output_dict=True) with
// labels=range(k)), scripts/reference/eval_reference.py.
var reportCases = []struct {
	name              string
	classes           []string
	actual, predicted []int
	matrix            [][]int
	report            Report
	text              string
}{
	{
		name:      "three classes, one never predicted",
		classes:   []string{"normal", "crypto_mining", "lateral_movement"},
		actual:    []int{0, 0, 0, 0, 0, 1, 1, 1, 2, 2},
		predicted: []int{0, 0, 0, 1, 0, 1, 1, 0, 0, 1},
		matrix:    [][]int{{4, 1, 0}, {1, 2, 0}, {1, 1, 0}},
		report: Report{
			Classes: []ClassReport{
				{"normal", 0.6666666666666666, 0.8, 0.7272727272727272, 5},
				{"crypto_mining", 0.5, 0.6666666666666666, 0.5714285714285715, 3},
				// Never predicted: zero_division="warn" gives 0.
				{"lateral_movement", 0, 0, 0, 2},
			},
			Accuracy: 0.6,
			Macro:    ClassReport{"macro avg", 0.38888888888888884, 0.48888888888888893, 0.4329004329004329, 10},
			Weighted: ClassReport{"weighted avg", 0.4833333333333333, 0.6, 0.535064935064935, 10},
		},
		text: `                  precision    recall  f1-score   support

          normal       0.67      0.80      0.73         5
   crypto_mining       0.50      0.67      0.57         3
lateral_movement       0.00      0.00      0.00         2

        accuracy                           0.60        10
       macro avg       0.39      0.49      0.43        10
    weighted avg       0.48      0.60      0.54        10
`,
	},
	{
		name:      "four classes, one absent",
		classes:   []string{"a", "b", "c", "d"},
		actual:    []int{0, 1, 2, 0, 1, 2, 0, 0, 2, 1, 1},
		predicted: []int{0, 1, 1, 0, 2, 2, 1, 0, 2, 1, 0},
		matrix:    [][]int{{3, 1, 0, 0}, {1, 2, 1, 0}, {0, 1, 2, 0}, {0, 0, 0, 0}},
		report: Report{
			Classes: []ClassReport{
				{"a", 0.75, 0.75, 0.75, 4},
				{"b", 0.5, 0.5, 0.5, 4},
				{"c", 0.6666666666666666, 0.6666666666666666, 0.6666666666666666, 3},
				// Neither actual nor predicted: precision and recall 0.
				{"d", 0, 0, 0, 0},
			},
			// scikit-learn's "micro avg" (the labels given differ from
			// those present), equal to the accuracy.
			Accuracy: 0.6363636363636364,
			Macro:    ClassReport{"macro avg", 0.47916666666666663, 0.47916666666666663, 0.47916666666666663, 11},
			Weighted: ClassReport{"weighted avg", 0.6363636363636364, 0.6363636363636364, 0.6363636363636364, 11},
		},
		text: `              precision    recall  f1-score   support

           a       0.75      0.75      0.75         4
           b       0.50      0.50      0.50         4
           c       0.67      0.67      0.67         3
           d       0.00      0.00      0.00         0

   micro avg       0.64      0.64      0.64        11
   macro avg       0.48      0.48      0.48        11
weighted avg       0.64      0.64      0.64        11
`,
	},
	{
		name:      "binary perfect",
		classes:   []string{"normal", "anomaly"},
		actual:    []int{0, 1, 1, 0},
		predicted: []int{0, 1, 1, 0},
		matrix:    [][]int{{2, 0}, {0, 2}},
		report: Report{
			Classes:  []ClassReport{{"normal", 1, 1, 1, 2}, {"anomaly", 1, 1, 1, 2}},
			Accuracy: 1,
			Macro:    ClassReport{"macro avg", 1, 1, 1, 4},
			Weighted: ClassReport{"weighted avg", 1, 1, 1, 4},
		},
		text: `              precision    recall  f1-score   support

      normal       1.00      1.00      1.00         2
     anomaly       1.00      1.00      1.00         2

    accuracy                           1.00         4
   macro avg       1.00      1.00      1.00         4
weighted avg       1.00      1.00      1.00         4
`,
	},
}

func TestConfusionMatrix(t *testing.T) {
	for _, tc := range reportCases {
		t.Run(tc.name, func(t *testing.T) {
			m := ConfusionMatrix(tc.actual, tc.predicted, tc.classes)
			want := Matrix{Classes: tc.classes, Counts: tc.matrix}
			if diff := cmp.Diff(want, m); diff != "" {
				t.Errorf("ConfusionMatrix() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReport(t *testing.T) {
	for _, tc := range reportCases {
		t.Run(tc.name, func(t *testing.T) {
			m := ConfusionMatrix(tc.actual, tc.predicted, tc.classes)
			got := m.Report()
			if diff := cmp.Diff(tc.report, got, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
				t.Errorf("Report() mismatch (-want +got):\n%s", diff)
			}
			if f1 := m.MacroF1(); math.Abs(f1-tc.report.Macro.F1) > 1e-12 {
				t.Errorf("MacroF1() = %v, want %v", f1, tc.report.Macro.F1)
			}
			if f1 := m.WeightedF1(); math.Abs(f1-tc.report.Weighted.F1) > 1e-12 {
				t.Errorf("WeightedF1() = %v, want %v", f1, tc.report.Weighted.F1)
			}
			// The accuracy agrees with the multi-class Accuracy.
			if acc := Accuracy(tc.actual, tc.predicted); math.Abs(acc-got.Accuracy) > 1e-12 {
				t.Errorf("Report().Accuracy = %v, Accuracy() = %v", got.Accuracy, acc)
			}
		})
	}
}

func TestClassificationReport(t *testing.T) {
	for _, tc := range reportCases {
		t.Run(tc.name, func(t *testing.T) {
			got := ConfusionMatrix(tc.actual, tc.predicted, tc.classes).ClassificationReport()
			if diff := cmp.Diff(tc.text, got); diff != "" {
				t.Errorf("ClassificationReport() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// By hand: with no flow at all every ratio is 0 (zero_division), as is
// the accuracy; the weighted average has no weight and is 0 too.
func TestReportEmpty(t *testing.T) {
	got := ConfusionMatrix(nil, nil, []string{"normal", "anomaly"}).Report()
	want := Report{
		Classes:  []ClassReport{{Class: "normal"}, {Class: "anomaly"}},
		Macro:    ClassReport{Class: "macro avg"},
		Weighted: ClassReport{Class: "weighted avg"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Report() mismatch (-want +got):\n%s", diff)
	}
}

func TestReportPanics(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"lengths differ", func() { ConfusionMatrix([]int{0, 1}, []int{0}, []string{"a", "b"}) }},
		{"label out of range", func() { ConfusionMatrix([]int{0, 2}, []int{0, 1}, []string{"a", "b"}) }},
		{"negative prediction", func() { ConfusionMatrix([]int{0, 1}, []int{0, -1}, []string{"a", "b"}) }},
		{"rows and classes differ", func() { Matrix{Classes: []string{"a"}, Counts: [][]int{{1}, {2}}}.Report() }},
		{"ragged counts", func() { Matrix{Classes: []string{"a", "b"}, Counts: [][]int{{1, 0}, {2}}}.Report() }},
		{"negative count", func() { Matrix{Classes: []string{"a"}, Counts: [][]int{{-1}}}.Report() }},
	} {
		t.Run(tc.name, func(t *testing.T) { wantPanic(t, tc.f) })
	}
}

// wantPanic fails t unless f panics with a message starting "eval: ".
func wantPanic(t *testing.T, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		switch r := recover().(type) {
		case nil:
			t.Error("no panic")
		case string:
			if !strings.HasPrefix(r, "eval: ") {
				t.Errorf("panic %q, want an \"eval: \" message", r)
			}
		default:
			t.Errorf("panic %v (%T), want an \"eval: \" message", r, r)
		}
	}()
	f()
}

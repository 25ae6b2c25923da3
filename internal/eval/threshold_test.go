package eval

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestThresholdForFPR(t *testing.T) {
	// Normal flows score 0.8 (tied with an anomaly), 0.6, 0.5 and 0.3, so
	// by hand FPR(t) is 0 for t = 0.9, 1/4 for 0.8 and 0.7, 2/4 for 0.6,
	// 3/4 for 0.5 and 0.4, and 1 for 0.3.
	scores := []float64{0.9, 0.8, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3}
	actual := bools(1, 1, 0, 1, 0, 0, 1, 0)
	ten := []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9.5}
	for _, tc := range []struct {
		name   string
		scores []float64
		actual []bool
		budget float64
		want   float64
	}{
		{"budget 0 stops above a tie with a normal flow", scores, actual, 0, 0.9},
		{"budget reached exactly", scores, actual, 0.25, 0.7},
		{"budget between steps", scores, actual, 0.3, 0.7},
		{"half", scores, actual, 0.5, 0.6},
		{"three quarters takes the lowest of equal rates", scores, actual, 0.75, 0.4},
		{"budget 1 flags everything", scores, actual, 1, 0.3},
		{"top score normal, budget 0", []float64{0.9, 0.5}, bools(0, 1), 0, math.Inf(1)},
		{"top score normal, budget below it", []float64{0.9, 0.5}, bools(0, 1), 0.5, math.Inf(1)},
		{"top score normal, budget 1", []float64{0.9, 0.5}, bools(0, 1), 1, 0.5},
		{"all tied, budget below 1", []float64{0.5, 0.5, 0.5}, bools(1, 0, 1), 0.99, math.Inf(1)},
		{"all tied, budget 1", []float64{0.5, 0.5, 0.5}, bools(1, 0, 1), 1, 0.5},
		{"no anomaly needed", []float64{0.1, 0.2, 0.3, 0.4}, bools(0, 0, 0, 0), 0.5, 0.3},
		// 1/10 and 3/10 divide to exactly the float64 budgets 0.1, 0.3.
		{"one in ten", ten, bools(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), 0.1, 9},
		{"three in ten", ten, bools(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), 0.3, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ThresholdForFPR(tc.scores, tc.actual, tc.budget)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want && math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("ThresholdForFPR(budget %v) = %v, want %v", tc.budget, got, tc.want)
			}
			if fpr := AtThreshold(tc.scores, tc.actual, got).FalsePositiveRate(); fpr > tc.budget {
				t.Errorf("FPR at %v = %v, over the budget %v", got, fpr, tc.budget)
			}
		})
	}
}

// The threshold is the lowest distinct score within the budget: the next
// lower distinct score breaks it.
func TestThresholdForFPRIsLowest(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for trial := range 200 {
		n := 1 + r.IntN(60)
		scores := make([]float64, n)
		actual := make([]bool, n)
		for i := range scores {
			actual[i] = r.IntN(3) == 0
			scores[i] = float64(r.IntN(12))
		}
		actual[0] = false // at least one normal flow
		budget := r.Float64()
		if trial%10 == 0 {
			budget = 0
		}
		got, err := ThresholdForFPR(scores, actual, budget)
		if err != nil {
			t.Fatal(err)
		}
		if fpr := AtThreshold(scores, actual, got).FalsePositiveRate(); fpr > budget {
			t.Fatalf("trial %d: FPR at %v = %v, over the budget %v", trial, got, fpr, budget)
		}
		lower := math.Inf(-1)
		for _, s := range scores {
			if s < got {
				lower = max(lower, s)
			}
		}
		if math.IsInf(lower, -1) {
			continue // got is the lowest score
		}
		if fpr := AtThreshold(scores, actual, lower).FalsePositiveRate(); fpr <= budget {
			t.Fatalf("trial %d: lower score %v has FPR %v within the budget %v, chose %v", trial, lower, fpr, budget, got)
		}
		if got != math.Inf(1) && !slices.Contains(scores, got) {
			t.Fatalf("trial %d: threshold %v is not a score", trial, got)
		}
	}
}

func TestThresholdForFPRNoNegative(t *testing.T) {
	got, err := ThresholdForFPR([]float64{0.1, 0.2}, bools(1, 1), 0.1)
	if !errors.Is(err, ErrNoNegative) || !errors.Is(err, ErrOneClass) || !math.IsNaN(got) {
		t.Errorf("ThresholdForFPR() = %v, %v, want NaN, ErrNoNegative", got, err)
	}
}

func TestAtThreshold(t *testing.T) {
	scores := []float64{0.9, 0.8, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3}
	actual := bools(1, 1, 0, 1, 0, 0, 1, 0)
	for _, tc := range []struct {
		name      string
		threshold float64
		want      Binary
	}{
		// By hand: flagged are the scores >= t, ties included.
		{"tie flagged whole", 0.8, Binary{TP: 2, FP: 1, FN: 2, TN: 3}},
		{"between scores", 0.65, Binary{TP: 3, FP: 1, FN: 1, TN: 3}},
		{"lowest flags all", 0.3, Binary{TP: 4, FP: 4}},
		{"+Inf flags nothing", math.Inf(1), Binary{FN: 4, TN: 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := AtThreshold(scores, actual, tc.threshold); got != tc.want {
				t.Errorf("AtThreshold(%v) = %+v, want %+v", tc.threshold, got, tc.want)
			}
		})
	}
}

func TestThresholdPanics(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"negative budget", func() { _, _ = ThresholdForFPR([]float64{1}, bools(0), -0.1) }},
		{"budget over 1", func() { _, _ = ThresholdForFPR([]float64{1}, bools(0), 1.1) }},
		{"NaN budget", func() { _, _ = ThresholdForFPR([]float64{1}, bools(0), math.NaN()) }},
		{"NaN score", func() { _, _ = ThresholdForFPR([]float64{math.NaN()}, bools(0), 0.1) }},
		{"lengths differ", func() { AtThreshold([]float64{1, 2}, bools(0), 0.5) }},
		{"NaN threshold", func() { AtThreshold([]float64{1}, bools(0), math.NaN()) }},
		{"NaN score at threshold", func() { AtThreshold([]float64{math.NaN()}, bools(0), 0.5) }},
	} {
		t.Run(tc.name, func(t *testing.T) { wantPanic(t, tc.f) })
	}
}

func BenchmarkThresholdForFPR300k(b *testing.B) {
	scores, actual := benchScores()
	for b.Loop() {
		if _, err := ThresholdForFPR(scores, actual, 0.01); err != nil {
			b.Fatal(err)
		}
	}
}

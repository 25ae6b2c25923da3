package eval

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// generated rebuilds the generated case of
// scripts/reference/eval_reference.py: scores[i] = ((i·37) mod 11) / 10,
// actual[i] = (i·7) mod 3 == 0, i = 0..59.
func generated() ([]float64, []bool) {
	scores := make([]float64, 60)
	actual := make([]bool, 60)
	for i := range scores {
		scores[i] = float64((i*37)%11) / 10
		actual[i] = (i*7)%3 == 0
	}
	return scores, actual
}

// Expected curves and average precisions computed by scikit-learn 1.2.1
// (precision_recall_curve, average_precision_score),
// scripts/reference/eval_reference.py.
func TestPR(t *testing.T) {
	genScores, genActual := generated()
	for _, tc := range []struct {
		name   string
		actual []bool
		scores []float64
		want   PRCurve
		ap     float64
	}{
		{
			name:   "sklearn docstring",
			actual: bools(0, 0, 1, 1),
			scores: []float64{0.1, 0.4, 0.35, 0.8},
			want: PRCurve{
				Precision:  []float64{0.5, 0.6666666666666666, 0.5, 1, 1},
				Recall:     []float64{1, 1, 0.5, 0.5, 0},
				Thresholds: []float64{0.1, 0.35, 0.4, 0.8},
			},
			ap: 0.8333333333333333,
		},
		{
			// scikit-learn 1.2 keeps the thresholds past full recall
			// (0.05, 0.1, 0.2); it no longer truncates the curve there.
			name:   "ties and points past full recall",
			actual: bools(0, 0, 1, 1, 0, 1, 0, 1, 1, 0),
			scores: []float64{0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.2, 0.35, 0.6, 0.05},
			want: PRCurve{
				Precision:  []float64{0.5, 0.5555555555555556, 0.625, 0.7142857142857143, 0.6, 1, 1, 1, 1},
				Recall:     []float64{1, 1, 1, 1, 0.6, 0.6, 0.4, 0.2, 0},
				Thresholds: []float64{0.05, 0.1, 0.2, 0.35, 0.4, 0.6, 0.8, 0.9},
			},
			ap: 0.8857142857142857,
		},
		{
			name:   "all tied",
			actual: bools(1, 0, 1, 0, 0),
			scores: []float64{0.5, 0.5, 0.5, 0.5, 0.5},
			want: PRCurve{
				Precision:  []float64{0.4, 1},
				Recall:     []float64{1, 0},
				Thresholds: []float64{0.5},
			},
			ap: 0.4,
		},
		{
			name:   "all positive",
			actual: bools(1, 1, 1),
			scores: []float64{0.3, 0.1, 0.3},
			want: PRCurve{
				Precision:  []float64{1, 1, 1},
				Recall:     []float64{1, 0.6666666666666666, 0},
				Thresholds: []float64{0.1, 0.3},
			},
			ap: 1,
		},
		{
			name:   "worst ranking",
			actual: bools(1, 1, 0, 0, 0),
			scores: []float64{0.1, 0.2, 0.3, 0.4, 0.5},
			want: PRCurve{
				Precision:  []float64{0.4, 0.25, 0, 0, 0, 1},
				Recall:     []float64{1, 0.5, 0, 0, 0, 0},
				Thresholds: []float64{0.1, 0.2, 0.3, 0.4, 0.5},
			},
			ap: 0.325,
		},
		{
			name:   "generated",
			actual: genActual,
			scores: genScores,
			want: PRCurve{
				Precision: []float64{0.3333333333333333, 0.3333333333333333, 0.3333333333333333,
					0.32558139534883723, 0.3157894736842105, 0.3125, 0.3076923076923077,
					0.2857142857142857, 0.25, 0.2, 0.2, 1},
				Recall:     []float64{1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05, 0},
				Thresholds: []float64{0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1},
			},
			ap: 0.29972774624396414,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := PR(tc.scores, tc.actual)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
				t.Errorf("PR() mismatch (-want +got):\n%s", diff)
			}
			ap, err := AveragePrecision(tc.scores, tc.actual)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(ap-tc.ap) > 1e-12 {
				t.Errorf("AveragePrecision() = %v, want %v", ap, tc.ap)
			}
		})
	}
}

// AveragePrecision is the step sum over PR's own curve, -Σ diff(recall) ·
// precision[:-1], on random scores with many ties.
func TestAveragePrecisionIsStepSum(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	scores := make([]float64, 2000)
	actual := make([]bool, len(scores))
	for i := range scores {
		actual[i] = r.Float64() < 0.1
		scores[i] = float64(r.IntN(50))
		if actual[i] {
			scores[i] += 10
		}
	}
	c, err := PR(scores, actual)
	if err != nil {
		t.Fatal(err)
	}
	want := 0.0
	for i := range len(c.Recall) - 1 {
		want -= (c.Recall[i+1] - c.Recall[i]) * c.Precision[i]
	}
	got, err := AveragePrecision(scores, actual)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("AveragePrecision() = %v, step sum of PR() = %v", got, want)
	}
}

func TestPRNoPositive(t *testing.T) {
	for _, tc := range []struct {
		name   string
		scores []float64
		actual []bool
	}{
		{"normal flows only", []float64{0.1, 0.2, 0.3}, bools(0, 0, 0)},
		{"empty", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := PR(tc.scores, tc.actual); !errors.Is(err, ErrNoPositive) || !errors.Is(err, ErrOneClass) {
				t.Errorf("PR() error = %v, want ErrNoPositive and ErrOneClass", err)
			}
			ap, err := AveragePrecision(tc.scores, tc.actual)
			if !errors.Is(err, ErrNoPositive) || !math.IsNaN(ap) {
				t.Errorf("AveragePrecision() = %v, %v, want NaN, ErrNoPositive", ap, err)
			}
		})
	}
}

func TestPRPanics(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"lengths differ", func() { _, _ = PR([]float64{1, 2}, bools(1)) }},
		{"NaN score", func() { _, _ = AveragePrecision([]float64{1, math.NaN()}, bools(1, 0)) }},
	} {
		t.Run(tc.name, func(t *testing.T) { wantPanic(t, tc.f) })
	}
}

// benchScores are the scores of a 1,000,000-flow trial's test split: 5%
// anomalies scoring half a unit higher.
func benchScores() ([]float64, []bool) {
	r := rand.New(rand.NewPCG(1, 2))
	scores := make([]float64, 300_000)
	actual := make([]bool, len(scores))
	for i := range scores {
		actual[i] = r.Float64() < 0.05
		scores[i] = r.Float64()
		if actual[i] {
			scores[i] += 0.5
		}
	}
	return scores, actual
}

func BenchmarkPR300k(b *testing.B) {
	scores, actual := benchScores()
	for b.Loop() {
		if _, err := PR(scores, actual); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAveragePrecision300k(b *testing.B) {
	scores, actual := benchScores()
	for b.Loop() {
		if _, err := AveragePrecision(scores, actual); err != nil {
			b.Fatal(err)
		}
	}
}

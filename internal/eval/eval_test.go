package eval

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func bools(v ...int) []bool {
	out := make([]bool, len(v))
	for i, x := range v {
		out[i] = x == 1
	}
	return out
}

func TestConfusionRates(t *testing.T) {
	c := Confusion(bools(1, 1, 1, 0, 0, 0, 0, 1), bools(1, 1, 0, 0, 0, 1, 0, 1))
	if want := (Binary{TP: 3, FN: 1, FP: 1, TN: 3}); c != want {
		t.Fatalf("Confusion = %+v, want %+v", c, want)
	}
	// By hand: DR 3/4, FPR 1/4, precision 3/4, accuracy 6/8, F1 6/8.
	for _, tc := range []struct {
		name      string
		got, want float64
	}{
		{"detection rate", c.DetectionRate(), 0.75},
		{"false positive rate", c.FalsePositiveRate(), 0.25},
		{"precision", c.Precision(), 0.75},
		{"accuracy", c.Accuracy(), 0.75},
		{"f1", c.F1(), 0.75},
	} {
		if math.Abs(tc.got-tc.want) > 1e-12 {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	if dr := (Binary{TN: 3}).DetectionRate(); !math.IsNaN(dr) {
		t.Errorf("detection rate without anomalies = %v, want NaN", dr)
	}
}

func TestAccuracy(t *testing.T) {
	if got := Accuracy([]int{0, 1, 2, 2}, []int{0, 2, 2, 2}); got != 0.75 {
		t.Errorf("Accuracy = %v, want 0.75", got)
	}
}

// Expected curves computed by scikit-learn 1.2.1 (roc_curve,
// roc_auc_score); scikit-learn 1.2 puts max+1 as the first threshold where
// we (and scikit-learn >= 1.3) put +Inf.
func TestROC(t *testing.T) {
	for _, tc := range []struct {
		name   string
		actual []bool
		scores []float64
		want   Curve
		auc    float64
	}{
		{
			name:   "ties and intermediate points",
			actual: bools(0, 0, 1, 1, 0, 1, 0, 1, 1, 0),
			scores: []float64{0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.2, 0.35, 0.6, 0.05},
			want: Curve{
				FPR:        []float64{0, 0, 0, 0.4, 0.4, 1},
				TPR:        []float64{0, 0.2, 0.6, 0.6, 1, 1},
				Thresholds: []float64{math.Inf(1), 0.9, 0.6, 0.4, 0.35, 0.05},
			},
			auc: 0.84,
		},
		{
			name:   "perfect separation",
			actual: bools(0, 0, 0, 1, 1, 1),
			scores: []float64{1, 2, 3, 4, 5, 6},
			want: Curve{
				FPR:        []float64{0, 0, 0, 1},
				TPR:        []float64{0, 1.0 / 3, 1, 1},
				Thresholds: []float64{math.Inf(1), 6, 4, 1},
			},
			auc: 1,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ROC(tc.scores, tc.actual)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
				t.Errorf("ROC mismatch (-want +got):\n%s", diff)
			}
			if auc := got.AUC(); math.Abs(auc-tc.auc) > 1e-12 {
				t.Errorf("AUC = %v, want %v", auc, tc.auc)
			}
		})
	}
}

func TestROCOneClass(t *testing.T) {
	if _, err := ROCAUC([]float64{0.1, 0.2}, bools(1, 1)); !errors.Is(err, ErrOneClass) {
		t.Errorf("ROCAUC with one class: %v, want ErrOneClass", err)
	}
}

func TestTopK(t *testing.T) {
	got := TopK([]float64{0.1, 0.5, 0.2, 0.5, 0.0}, 3)
	if diff := cmp.Diff([]int{1, 3, 2}, got); diff != "" {
		t.Errorf("TopK mismatch (-want +got):\n%s", diff)
	}
}

// BenchmarkROCAUC300k is the AUC of a 1,000,000-flow trial's test split.
func BenchmarkROCAUC300k(b *testing.B) {
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
	for b.Loop() {
		if _, err := ROCAUC(scores, actual); err != nil {
			b.Fatal(err)
		}
	}
}

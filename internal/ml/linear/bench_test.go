package linear

import (
	"testing"

	"github.com/segharness/harness/internal/ml/mltest"
)

// Benchmarks on the notebook's 20 scaled features: the 70% training rows of
// n flows (seed 42), label is_anomaly, default settings (C 1, max_iter 100,
// tol 1e-4), the matrix TestParity gives scikit-learn.
// On this machine (2 cores, busy) Fit took 29 ms at 10,000 flows (7,000
// rows) and 0.48 s at 100,000 (70,000 rows; 0.44 s with two workers);
// scikit-learn 1.2.1's LogisticRegression().fit on the same matrices
// (linear_reference.py --parity --repeat 3) took 10 ms and 0.32 s.
func benchFit(b *testing.B, n, workers int) {
	data := mltest.Notebook(b, n, 42)
	x, y := data.Rows(data.Train, data.IsAnomaly)
	cfg := DefaultConfig()
	cfg.Workers = workers
	b.ResetTimer()
	for b.Loop() {
		if _, err := FitLogistic(x, len(y), data.D, y, cfg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFit10k(b *testing.B)          { benchFit(b, 10000, 1) }
func BenchmarkFit100k(b *testing.B)         { benchFit(b, 100000, 1) }
func BenchmarkFit100kWorkers2(b *testing.B) { benchFit(b, 100000, 2) }

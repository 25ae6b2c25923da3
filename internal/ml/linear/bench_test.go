package linear

import (
	"testing"

	"github.com/segharness/harness/internal/ml/mltest"
)

// Benchmarks on the notebook's 20 scaled features: the 70% training rows of
// n flows (seed 42), label is_anomaly, default settings (C 1, max_iter 100,
// tol 1e-4), the matrix TestParity gives scikit-learn.
// scikit-learn 1.2.1's LogisticRegression().fit on the same matrices on this
// machine: see BenchmarkFit's figures in the commit that added them.
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

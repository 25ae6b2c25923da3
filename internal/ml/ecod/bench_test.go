package ecod

import (
	"testing"

	"github.com/segharness/harness/internal/ml/mltest"
)

// Benchmarks on the notebook's 20 scaled features: Fit on every row of n
// notebook flows (10,000 and 100,000 rows × 20 columns), and ScoreSamples
// of those n rows as new rows.
//
// Measured on this machine's 2 cores while a CI job held them (load
// average 7, so upper bounds): Fit 10k 21 ms, Fit 100k 280-300 ms (the
// training rows' scores are most of it), Score 10k 9.5 ms, Score 100k
// 175-190 ms on one goroutine (about 1.8 µs a row: 20 binary searches).

// notebookRows returns n notebook flows' scaled features (mltest's
// cached benchmark data).
func notebookRows(b *testing.B, n int) []float64 {
	data := mltest.NotebookCached(b, n)
	if data.D != benchD {
		b.Fatalf("notebook data has %d columns, want %d", data.D, benchD)
	}
	return data.X
}

const benchD = 20

func benchFit(b *testing.B, n int) {
	x := notebookRows(b, n)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Fit(x, n, benchD); err != nil {
			b.Fatal(err)
		}
	}
}

func benchScore(b *testing.B, n, workers int) {
	x := notebookRows(b, n)
	m, err := Fit(x, n, benchD)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		m.ScoreSamples(x, workers)
	}
}

// BenchmarkFit10k and BenchmarkFit100k fit 10,000 and 100,000 rows × 20
// columns (the training rows' scores included).
func BenchmarkFit10k(b *testing.B)  { benchFit(b, 10000) }
func BenchmarkFit100k(b *testing.B) { benchFit(b, 100000) }

// BenchmarkScore10k and BenchmarkScore100k score 10,000 and 100,000 new
// rows × 20 columns on one goroutine; BenchmarkScore100kWorkers2 on two.
func BenchmarkScore10k(b *testing.B)          { benchScore(b, 10000, 1) }
func BenchmarkScore100k(b *testing.B)         { benchScore(b, 100000, 1) }
func BenchmarkScore100kWorkers2(b *testing.B) { benchScore(b, 100000, 2) }

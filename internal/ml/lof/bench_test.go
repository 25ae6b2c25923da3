package lof

import (
	"flag"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/segharness/harness/internal/ml/mltest"
)

// Benchmarks on the notebook's 20 scaled features: Fit (20 neighbours,
// two workers) on every row of n notebook flows (10,000 and 100,000 rows ×
// 20 columns), and ScoreSamples of those n rows as new rows.
//
// Measured on this machine's 2 cores (AMD EPYC) on 6 December 2026, with
// other jobs running (load average 7 to 14 on 2 cores: every figure is
// several times its idle value), Go's two workers and scikit-learn 1.2.1's
// LocalOutlierFactor(novelty=True) with two OpenMP/BLAS threads on the
// same rows, the runs alternating; each cell lists the runs in order:
//
//	rows     Go Fit            sklearn fit (auto = brute)   Go ScoreSamples    sklearn score_samples
//	10,000   2.42 s            1.19, 1.30 s                 2.58 s             1.29, 1.16 s
//	100,000  67, 58, 90 s      65, 77 s                     65, 60, 82 s       64, 106 s
//
//	scikit-learn's trees:    kd_tree fit, score_samples    ball_tree fit, score_samples
//	10,000                   7.15, 5.65 s                  4.75, 5.37 s
//	100,000                  531, 422 s                    (fit not done after 19 min)
//
// (Load 14 for the 10,000-row runs, in the order sklearn auto, kd_tree,
// ball_tree, Go, auto; 7 to 14 for the 100,000-row runs, in the order Go,
// auto, Go, auto, Go, kd_tree, ball_tree.) At a load of 7, Go's 10,000-row Fit and
// ScoreSamples took 2.45 and 2.48 s, then 2.25 and 2.09 s. Each 10,000-row
// figure is the best of 3 runs; each 100,000-row figure one run. An earlier
// idle measurement of the brute-force Go code this kd-tree replaces gave
// 53 s and 55 s at 100,000 rows against scikit-learn's 17 s and 16 s.
//
// So at 100,000 rows the kd-tree is about as fast as scikit-learn's brute
// force (best runs 58 s and 60 s against 65 s and 64 s), not the 3x
// faster the issue asks for, and at 10,000 rows it is about 2x slower. It is
// faster than scikit-learn's own trees, which are 4 to 6 times slower than
// its brute force on these rows (at 10,000; kd_tree 8x at 100,000). Where the time goes (valgrind
// --tool=cachegrind on 2,000 training rows' searches at 100,000 rows): about
// 2.2 million instructions a query, roughly 45% box distances (some 600
// instructions each in Go's scalar code), 40% row distances (5,600 rows,
// 5.6% of the training rows, some 200 instructions each) and the rest the
// traversal. The pruning itself is what these rows allow: the label-encoded
// categorical columns (6 levels 0.59 apart) and the binary ones make the
// rows within a k-distance (about 1.1) span many cells.
//
// Memory: Fit allocates 474 bytes a training row (47.4 MB at 100,000: the
// rows in tree order 160, the neighbour distances and indices 240, the
// float32 node boxes 40, densities and scores 24, indices and nodes 8),
// of which 232 stay in the model; the caller's rows come on top.
//
// The commands:
//
//	go test ./internal/ml/lof -run '^$' -bench '^Benchmark(Fit|Score)10k$' -benchtime 3x -benchmem
//	go test ./internal/ml/lof -run '^$' -bench '^Benchmark(Fit|Score)100k$' -benchtime 1x -benchmem
//	go test ./internal/ml/lof -run TestDumpNotebook -lof.dump=/tmp/lof-bench
//	OMP_NUM_THREADS=2 /usr/bin/python3 scripts/reference/lof_reference.py --time 10000 --csv /tmp/lof-bench/notebook-10000.csv
//	OMP_NUM_THREADS=2 /usr/bin/python3 scripts/reference/lof_reference.py --time 100000 --csv /tmp/lof-bench/notebook-100000.csv --algorithm kd_tree
//
// (--algorithm auto, kd_tree or ball_tree; notebook-N.csv holds the rows
// of the Go benchmarks of N.)

const benchD = 20

// notebookRows returns n notebook flows' scaled features (mltest's
// cached benchmark data).
func notebookRows(b *testing.B, n int) []float64 {
	data := mltest.NotebookCached(b, n)
	if data.D != benchD {
		b.Fatalf("notebook data has %d columns, want %d", data.D, benchD)
	}
	return data.X
}

func benchFit(b *testing.B, n int) {
	x := notebookRows(b, n)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Fit(x, n, benchD, DefaultNeighbors, 2); err != nil {
			b.Fatal(err)
		}
	}
}

func benchScore(b *testing.B, n int) {
	x := notebookRows(b, n)
	m, err := Fit(x, n, benchD, DefaultNeighbors, 2)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		m.ScoreSamples(x, 2)
	}
}

// BenchmarkFit10k and BenchmarkFit100k fit 10,000 and 100,000 rows × 20
// columns (the training rows' neighbours, densities and scores).
func BenchmarkFit10k(b *testing.B)  { benchFit(b, 10000) }
func BenchmarkFit100k(b *testing.B) { benchFit(b, 100000) }

// BenchmarkScore10k and BenchmarkScore100k score 10,000 and 100,000 new
// rows × 20 columns on two workers.
func BenchmarkScore10k(b *testing.B)  { benchScore(b, 10000) }
func BenchmarkScore100k(b *testing.B) { benchScore(b, 100000) }

var dumpDir = flag.String("lof.dump", "", "write the benchmarks' notebook rows (10k and 100k) as CSV files to this directory")

// TestDumpNotebook writes the benchmarks' rows as DIR/notebook-N.csv for
// lof_reference.py --time N --csv, when -lof.dump=DIR is given.
func TestDumpNotebook(t *testing.T) {
	if *dumpDir == "" {
		t.Skip("no -lof.dump")
	}
	for _, n := range []int{10000, 100000} {
		data := mltest.Notebook(t, n, 42)
		mltest.WriteCSV(t, filepath.Join(*dumpDir, "notebook-"+strconv.Itoa(n)+".csv"), data.X, data.D)
	}
}

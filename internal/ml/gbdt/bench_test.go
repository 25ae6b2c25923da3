package gbdt

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segharness/harness/internal/ml/mltest"
)

// Commands (from the repository root):
//
//	go test ./internal/ml/gbdt -run XXX -bench 'FitPredict|PredictProbaOne' -benchtime 2x
//	go test ./internal/ml/gbdt -run TestBenchDump -gbdt.dump=/tmp/gbd   # the notebook matrices
//	go test ./internal/ml/gbdt -run TestParityNSLKDD -gbdt.kdd -gbdt.dump=/tmp/gbd   # kdd-binary
//	/usr/bin/python3 scripts/reference/gbdt_reference.py --timing /tmp/gbd/notebook-10k --repeat 1
//	(likewise notebook-100k and kdd-binary), alternated with the benchmarks.
//
// Measured on 2026-12-06 on the 2-CPU AMD EPYC VM (Zen 4), which other
// sessions shared: the rounds below ran only when the 1-minute load was
// under 1 (1.0-1.4 while they ran; at loads of 3-5 every figure, XGBoost's
// most, moved by 2x-20x). Each round alternated this package's benchmarks
// (-benchtime 3x: the mean of three fits, 2 workers), the same benchmarks
// built from 98e49f5 (before issue 19), and XGBoost and scikit-learn in
// one python process on the same matrices (go test ./internal/ml/mlbench
// -run Dump; best of 3 and 2 fits, 2 threads); ranges over 5 rounds, fit +
// predict_proba on the test rows:
//
//	benchmark         ours           98e49f5        sklearn HGB 1.2.1   XGBoost 1.7.4 hist (100 rounds)
//	FitPredict10k     0.016-0.024 s  0.037-0.057 s  0.055-0.073 s       0.022-0.031 s
//	FitPredict100k    0.123-0.173 s  0.279-0.419 s  0.41-0.52 s         0.161-0.202 s
//	FitPredictKDD     0.62-0.78 s    1.32-2.11 s    2.20-2.49 s         0.70-0.76 s
//	FitPredictKDD100  0.68-0.90 s    1.36-1.73 s    (as above)          (as above)
//	PredictProbaOne   1.5-1.6 µs/row, 0 allocations (KDD model, 100 trees; unchanged)
//
// (sklearn HGB under threadpool_limits(2); its KDD fits at the defaults
// keep all 100 iterations, as ours do.) KDDTrain+ -> KDDTest+, the issue's
// goal: median 0.67 s against XGBoost's 0.72 s, ours the faster in 4 of the
// 5 rounds (in the fifth 0.78 s against 0.71 s); ours vary more from fit
// to fit (0.70-0.88 s over 15 fits at load 1.4, CPU time varying alike).
//
// Where the time goes: one worker, fit + predict on KDD costs 1.3 s of CPU
// (2.5 s at 98e49f5). 842 million histogram-bin updates (453 million the
// roots', 113k training rows x 40 varying features x 100 trees; the rest
// the smaller children's) take 0.6-0.8 s of it, at 0.6 ns each in the
// AVX kernel (1.3-1.7 ns before) and up to 0.95 ns in the fit's colder
// caches; then the partitions (55 million rows, 0.07 s), the binning (0.12
// s: a strided read of the input per feature for the thresholds and the
// search of each value's bin), the gradients (0.05 s), the split scans
// (0.04 s), the validation scores and the prediction (0.03 s each). With 2
// workers the fit runs about 5,000 parallel sections, each a few
// microseconds of overhead with the team (team.go); CPU time over wall
// time is about 1.85. XGBoost does less work: depth-wise trees of depth 6
// stop at min_child_weight 1 once KDD's hessians shrink, while
// scikit-learn's algorithm grows 31 leaves every iteration (min hessian
// 1e-3). The histograms keep scikit-learn's summation order (exact parity);
// skipping each feature's most frequent bin (LightGBM) would halve the
// root's updates at the price of last-bit differences, and is not done.
//
// Peak heap above the input matrix, per training row (peak-heap-B/row):
// 240 at 10k flows (20 features), 183 at 100k, 243 on KDDTrain+ (41
// features) without early stopping and 283 with it (the validation rows'
// bins and raw predictions, and their losses).

var benchData struct {
	sync.Mutex
	bySize map[int]*mltest.Data
}

func notebook(b *testing.B, n int) *mltest.Data {
	b.Helper()
	benchData.Lock()
	defer benchData.Unlock()
	if benchData.bySize == nil {
		benchData.bySize = map[int]*mltest.Data{}
	}
	if d, ok := benchData.bySize[n]; ok {
		return d
	}
	d := mltest.Notebook(b, n, 42)
	benchData.bySize[n] = d
	return d
}

// peakHeap samples the heap while fn runs and returns its peak above the
// heap in use before.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var s runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
			runtime.ReadMemStats(&s)
			if s.HeapAlloc > peak.Load() {
				peak.Store(s.HeapAlloc)
			}
		}
	}()
	fn()
	close(done)
	wg.Wait()
	runtime.ReadMemStats(&ms)
	p := max(peak.Load(), ms.HeapAlloc)
	if p < base {
		return 0
	}
	return p - base
}

// benchFitPredict fits on xTrain and scores xTest, 2 workers, reporting
// the iterations kept and the peak heap per training row (sampled on the
// first run).
func benchFitPredict(b *testing.B, xTrain []float64, d int, y []int, classes int, xTest []float64, early string) {
	cfg := DefaultConfig()
	cfg.Workers = 2
	cfg.EarlyStopping = early
	rows := len(y)
	var m *Model
	peak := peakHeap(func() {
		var err error
		m, err = Fit(xTrain, d, y, classes, cfg, rand.New(rand.NewPCG(0, 0)))
		if err != nil {
			b.Fatal(err)
		}
	})
	b.ReportAllocs()
	b.ResetTimer()
	seed := uint64(0)
	for b.Loop() {
		seed++
		m, _ = Fit(xTrain, d, y, classes, cfg, rand.New(rand.NewPCG(seed, 0)))
		m.PredictProbaAll(xTest, 2)
	}
	b.ReportMetric(float64(m.Iterations()), "iterations")
	b.ReportMetric(float64(peak)/float64(rows), "peak-heap-B/row")
}

func benchNotebook(b *testing.B, flows int) {
	data := notebook(b, flows)
	x, y := data.Rows(data.Train, data.IsAnomaly)
	xt, _ := data.Rows(data.Test, nil)
	benchFitPredict(b, x, data.D, y, 2, xt, "auto")
}

// BenchmarkFitPredict10k: 7,000 training rows of 20 features (early
// stopping auto: off), 3,000 rows scored.
func BenchmarkFitPredict10k(b *testing.B) { benchNotebook(b, 10_000) }

// BenchmarkFitPredict100k: 70,000 training rows (early stopping auto: on).
func BenchmarkFitPredict100k(b *testing.B) { benchNotebook(b, 100_000) }

// BenchmarkFitPredictKDD: KDDTrain+ (125,973 rows, 41 features) to fit at
// the defaults (early stopping on), KDDTest+ (22,544 rows) scored.
func BenchmarkFitPredictKDD(b *testing.B) {
	k := mltest.NSLKDD(b)
	benchFitPredict(b, k.TrainX, k.D, k.TrainY, 2, k.TestX, "auto")
}

// BenchmarkFitPredictKDD100 is BenchmarkFitPredictKDD without early
// stopping: 100 iterations, as XGBoost's 100 rounds.
func BenchmarkFitPredictKDD100(b *testing.B) {
	k := mltest.NSLKDD(b)
	benchFitPredict(b, k.TrainX, k.D, k.TrainY, 2, k.TestX, "false")
}

// BenchmarkPredictProbaOne scores one KDDTest+ row at a time with the
// default model of KDDTrain+.
func BenchmarkPredictProbaOne(b *testing.B) {
	k := mltest.NSLKDD(b)
	cfg := DefaultConfig()
	cfg.Workers = 2
	m, err := Fit(k.TrainX, k.D, k.TrainY, 2, cfg, rand.New(rand.NewPCG(0, 0)))
	if err != nil {
		b.Fatal(err)
	}
	out := make([]float64, 2)
	n := len(k.TestY)
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		m.PredictProba(k.TestX[i*k.D:(i+1)*k.D], out)
		if i++; i == n {
			i = 0
		}
	}
	b.ReportMetric(float64(m.Iterations()), "iterations")
}

// TestBenchDump writes the benchmarks' notebook matrices (10,000 and
// 100,000 flows, seed 42) under -gbdt.dump, for
// scripts/reference/gbdt_reference.py --timing.
func TestBenchDump(t *testing.T) {
	if *parityDir == "" {
		t.Skip("run with -gbdt.dump")
	}
	for _, n := range []int{10_000, 100_000} {
		data := mltest.Notebook(t, n, 42)
		x, y := data.Rows(data.Train, data.IsAnomaly)
		xt, yt := data.Rows(data.Test, data.IsAnomaly)
		dir := dumpDir(t, fmt.Sprintf("notebook-%dk", n/1000))
		mltest.WriteCSV(t, filepath.Join(dir, "x_train.csv"), x, data.D)
		writeLabels(t, filepath.Join(dir, "y_train.csv"), y)
		mltest.WriteCSV(t, filepath.Join(dir, "x_test.csv"), xt, data.D)
		writeLabels(t, filepath.Join(dir, "y_test.csv"), yt)
	}
}

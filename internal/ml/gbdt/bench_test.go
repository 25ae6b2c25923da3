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

// Figures: see the package's benchmark record below (filled from runs).

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

package mlbench

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/segharness/harness/internal/ml/ecod"
	"github.com/segharness/harness/internal/ml/forest"
	"github.com/segharness/harness/internal/ml/gbdt"
	"github.com/segharness/harness/internal/ml/iforest"
	"github.com/segharness/harness/internal/ml/linear"
	"github.com/segharness/harness/internal/ml/lof"
	"github.com/segharness/harness/internal/ml/mltest"
)

// Each benchmark fits one kind on a data set's training rows and scores
// its test rows (the work a trial does with a model), with two workers
// where the kind takes them, and reports the peak heap the fit and the
// scoring need beyond their inputs, per training row (peak-heap-B/row,
// mltest.PeakHeap, measured on one run before the timed ones). The data
// sets:
//
//	notebook-10k   10,000 notebook flows (seed 42), 20 scaled features,
//	               the stratified 70/30 split: 7,000 rows to fit, 3,000 to score
//	notebook-100k  the same at 100,000 flows: 70,000 and 30,000 rows
//	nsl-kdd        KDDTrain+ (125,973 rows) to fit, KDDTest+ (22,544) to
//	               score, 41 features; unscaled for the trees and ECOD,
//	               standardised on KDDTrain+ for the logistic regression
//
// scikit-learn's and XGBoost's times on the same matrices:
//
//	go test ./internal/ml/mlbench -run Dump -mlbench.dump=/tmp/kinds
//	/usr/bin/python3 scripts/reference/kinds_bench.py /tmp/kinds
//
// Measured on this machine's 2 cores, otherwise idle (load below 1.5),
// 2026-12-06: one Go pass (go test -c, then -test.bench Kinds
// -test.benchtime 1x) and one scikit-learn pass (--repeat 1), then two
// more alternating passes of the forests and boosters. Seconds for fit and
// score; where three passes ran, their range. Peak heap per training row
// from the Go pass.
//
//	kind (scikit-learn's counterpart)       notebook-10k     notebook-100k        nsl-kdd              peak B/row (10k, 100k, kdd)
//	random_forest (RandomForest, n_jobs 2)  0.014 / 0.25     0.15-0.20 / 1.2-1.7  3.2-4.1 / 4.3-5.4     334, 326, 772
//	random_forest splitter hist             0.008            0.08-0.09            0.57-0.63             113, 103, 319
//	isolation_forest (IsolationForest)      0.009 / 0.38     0.078 / 1.9          0.12 / 2.4            229, 41, 30
//	ecod (numpy ECOD, PyOD's algorithm)     0.015 / 0.047    0.20 / 0.71          0.23 / 1.4            413, 485, 40
//	logistic_regression (LogisticRegression) 0.018 / 0.015   0.21 / 0.30          1.09 / 0.92           3, 9, 19
//	gradient_boosting (HistGradientBoosting) 0.016-0.027 / 0.055-0.073 0.12-0.17 / 0.41-0.52 0.62-0.78 / 2.20-2.49 223, 185, 282
//	  XGBoost hist, 100 rounds, 2 threads   0.022-0.031      0.16-0.20            0.70-0.76
//	lof (LocalOutlierFactor, brute force)   0.069-0.23 / 0.155-1.09  1.57-5.9 / 12.5-31.6  24-33 / 46-58  718, 606, 775
//
// The gradient_boosting and XGBoost lines were measured again on
// 2026-12-06 for issue 19, in 5 rounds run at load below 1 (1.0-1.4 while
// they ran), each alternating go test -bench FitPredict in internal/ml/gbdt
// (the same fits on the same matrices, the mean of 3) with XGBoost's and
// scikit-learn's fits in one python process (best of 3 and 2): ranges over
// the rounds, widened by three Kinds passes (-benchtime 1x) run right
// after (0.025-0.027, 0.127-0.142, 0.666-0.708 s).
//
// The histogram forest is 5.0-6.4x the exact one on NSL-KDD; gradient
// boosting is 3.2-3.6x faster than scikit-learn's and about XGBoost's speed
// there (median 0.67 s against 0.72 s; 0.9-1.1x its time round by round),
// faster than XGBoost on the notebook sets.
//
// LOF (issue 19: at least 3x scikit-learn at 100k) was
// measured apart, 2026-12-06, with another job on the machine (load 2.9 to
// 5.0): five alternating passes (go test -c, -test.bench Kinds/lof/notebook
// -test.benchtime 1x; kinds_bench.py --kinds lof --repeat 1), at 100k Go
// 5.91, 1.99, 1.66, 1.71, 1.57 s and scikit-learn 31.6, 20.4, 13.4, 15.7,
// 12.5 s: 5.3x (the most loaded pass) to 10.3x, 8.0x best against best;
// at 10k Go 0.227, 0.139, 0.108, 0.069, 0.085 s and scikit-learn 1.09,
// 0.240, 0.155, 0.157, 0.166 s (1.4x to 4.8x); on NSL-KDD (41 columns,
// where the boxes prune less), two passes, Go 32.7, 24.4 s and
// scikit-learn 58.3, 46.1 s (1.8x, 1.9x). Before the kernels and
// group searches (commit 59cd67a) Go took 23.1 and 11.4 s at 100k in the
// same session (0.77 s at 10k). Its peak heap per row is higher at 10k
// than before (578) by its two workers' group buffers, some 300 KB each.

var dumpDir = flag.String("mlbench.dump", "", "write every data set's matrices as CSV into this directory, for scripts/reference/kinds_bench.py")

// set is a data set: rows to fit and to score, their labels, and the
// scaled rows for the kinds that need them.
type set struct {
	name          string
	d             int
	train, test   []float64
	trainS, testS []float64 // standardised (the notebook's are already)
	trainY, testY []int
}

var (
	setsOnce sync.Once
	sets     []*set
)

func loadSets(tb testing.TB) []*set {
	setsOnce.Do(func() {
		for _, n := range []int{10000, 100000} {
			data := mltest.Notebook(tb, n, 42)
			train, trainY := data.Rows(data.Train, data.IsAnomaly)
			test, testY := data.Rows(data.Test, data.IsAnomaly)
			sets = append(sets, &set{name: fmt.Sprintf("notebook-%dk", n/1000), d: data.D,
				train: train, test: test, trainS: train, testS: test, trainY: trainY, testY: testY})
		}
		k := mltest.NSLKDD(tb)
		trainS, testS := k.Scaled()
		sets = append(sets, &set{name: "nsl-kdd", d: k.D, train: k.TrainX, test: k.TestX,
			trainS: trainS, testS: testS, trainY: k.TrainY, testY: k.TestY})
	})
	return sets
}

// kind is one model kind's fit and score on a set.
type kind struct {
	name string
	run  func(b *testing.B, s *set, seed uint64)
}

var kinds = []kind{
	{"random_forest", func(b *testing.B, s *set, seed uint64) {
		cfg := forest.DefaultConfig(s.d)
		cfg.Workers = 2
		f := forest.Fit(s.train, s.d, s.trainY, 2, cfg, rand.New(rand.NewPCG(seed, 0)))
		f.PredictProbaAll(s.test, 2)
	}},
	{"random_forest_hist", func(b *testing.B, s *set, seed uint64) {
		cfg := forest.DefaultConfig(s.d)
		cfg.Workers, cfg.Splitter = 2, "hist"
		f, err := forest.FitChecked(s.train, s.d, s.trainY, 2, cfg, rand.New(rand.NewPCG(seed, 0)))
		if err != nil {
			b.Fatal(err)
		}
		f.PredictProbaAll(s.test, 2)
	}},
	{"isolation_forest", func(b *testing.B, s *set, seed uint64) {
		f := iforest.Fit(s.train, s.d, iforest.Config{Trees: 100, Contamination: 0.05, Workers: 2}, rand.New(rand.NewPCG(seed, 0)))
		f.ScoreSamples(s.test, 2)
	}},
	{"ecod", func(b *testing.B, s *set, _ uint64) {
		m, err := ecod.Fit(s.train, len(s.trainY), s.d)
		if err != nil {
			b.Fatal(err)
		}
		m.ScoreSamples(s.test, 2)
	}},
	{"logistic_regression", func(b *testing.B, s *set, _ uint64) {
		cfg := linear.DefaultConfig()
		cfg.Workers = 2
		m, err := linear.FitLogistic(s.trainS, len(s.trainY), s.d, s.trainY, cfg)
		if err != nil {
			b.Fatal(err)
		}
		m.PredictProba(s.testS)
	}},
	{"gradient_boosting", func(b *testing.B, s *set, seed uint64) {
		cfg := gbdt.DefaultConfig()
		cfg.Workers = 2
		m, err := gbdt.Fit(s.train, s.d, s.trainY, 2, cfg, rand.New(rand.NewPCG(seed, 0)))
		if err != nil {
			b.Fatal(err)
		}
		m.PredictProbaAll(s.test, 2)
	}},
	{"lof", func(b *testing.B, s *set, _ uint64) {
		m, err := lof.Fit(s.trainS, len(s.trainY), s.d, 20, 2)
		if err != nil {
			b.Fatal(err)
		}
		m.ScoreSamples(s.testS, 2)
	}},
}

func BenchmarkKinds(b *testing.B) {
	for _, s := range loadSets(b) {
		for _, k := range kinds {
			b.Run(k.name+"/"+s.name, func(b *testing.B) {
				peak := mltest.PeakHeap(func() { k.run(b, s, 0) })
				seed := uint64(0)
				for b.Loop() {
					seed++
					k.run(b, s, seed)
				}
				b.ReportMetric(float64(peak)/float64(len(s.trainY)), mltest.PeakPerRowMetric)
			})
		}
	}
}

// TestDump writes the data sets for scripts/reference/kinds_bench.py
// (-mlbench.dump=DIR); without the flag it does nothing.
func TestDump(t *testing.T) {
	if *dumpDir == "" {
		t.Skip("no -mlbench.dump directory")
	}
	if err := os.MkdirAll(*dumpDir, 0o755); err != nil {
		t.Fatal(err)
	}
	col := func(y []int) []float64 {
		out := make([]float64, len(y))
		for i, v := range y {
			out[i] = float64(v)
		}
		return out
	}
	for _, s := range loadSets(t) {
		for suffix, m := range map[string]struct {
			x []float64
			d int
		}{
			"train-x": {s.train, s.d}, "test-x": {s.test, s.d},
			"train-xs": {s.trainS, s.d}, "test-xs": {s.testS, s.d},
			"train-y": {col(s.trainY), 1}, "test-y": {col(s.testY), 1},
		} {
			mltest.WriteCSV(t, filepath.Join(*dumpDir, s.name+"-"+suffix+".csv"), m.x, m.d)
		}
	}
}

package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/segharness/harness/experiments"
)

// benchExperiment is one trial of n generated flows, the notebook's recipe.
func benchExperiment(b *testing.B, n int) *experiments.Experiment {
	b.Helper()
	src := fmt.Sprintf(`name: bench
seeds: [42]
data: {flows: %d, anomaly_rate: 0.05}
split: {test_fraction: 0.3, stratify: is_anomaly}
models: [{name: rf, kind: random_forest}]
`, n)
	exp, err := experiments.Parse([]byte(src), "bench.yaml")
	if err != nil {
		b.Fatal(err)
	}
	return exp
}

// BenchmarkTrial1M is the benchmark: generate, engineer, split and
// write (atomically, with its digest) 1,000,000 flows as one trial does,
// on one core. The notebook's Python needs about 1 s per 10,000 flows,
// so 100 s for a million.
func BenchmarkTrial1M(b *testing.B) {
	exp := benchExperiment(b, 1_000_000)
	dir := b.TempDir()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var rec TrialRecord
	for b.Loop() {
		var err error
		if rec, err = runTrial(exp, &exp.Trials[0], dir, 1); err != nil {
			b.Fatal(err)
		}
	}
	st, err := os.Stat(filepath.Join(TrialDir(dir, exp.Trials[0].ID), "dataset.parquet"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(st.Size())/float64(rec.Data.Flows), "file-bytes/flow")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rec.Data.Flows), "ns/flow")
}

package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/features"
	"github.com/segharness/harness/internal/models"
	"github.com/segharness/harness/internal/rundir"
	"github.com/segharness/harness/internal/seed"
)

// notebookModels is the notebook's model list with its settings.
const notebookModels = `models:
  - {name: random_forest, kind: random_forest, trees: 100}
  - {name: isolation_forest, kind: isolation_forest, contamination: 0.05}
  - {name: attack_type, kind: random_forest, target: anomaly_type, trees: 150, class_weight: balanced}
  - {name: kmeans, kind: kmeans, k: 6, n_init: 10}
  - {name: dbscan, kind: dbscan, eps: 0.5, min_samples: 5}
`

// benchExperiment is one trial of n generated flows, the notebook's recipe,
// with the given models: block.
func benchExperiment(b *testing.B, n int, models string) *experiments.Experiment {
	b.Helper()
	src := fmt.Sprintf(`name: bench
seeds: [42]
data: {flows: %d, anomaly_rate: 0.05}
split: {test_fraction: 0.3, stratify: is_anomaly, scale_on: all}
`, n) + models
	exp, err := experiments.Parse([]byte(src), "bench.yaml")
	if err != nil {
		b.Fatal(err)
	}
	return exp
}

// BenchmarkTrialData1M: generate, engineer, split and write (atomically,
// with its digest) 1,000,000 flows as one trial does, on one core, with a
// single cheap model. The notebook's Python needs about 1 s per 10,000
// flows, so 100 s for a million.
func BenchmarkTrialData1M(b *testing.B) {
	exp := benchExperiment(b, 1_000_000, "models: [{name: km, kind: kmeans, k: 2, n_init: 1, max_iter: 1, silhouette_sample: 2}]\n")
	dir := b.TempDir()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var rec trialRun
	for b.Loop() {
		var err error
		if rec, err = runTrial(context.Background(), exp, &exp.Trials[0], dir, 1, nil, func(string, ...any) {}); err != nil {
			b.Fatal(err)
		}
	}
	st, err := os.Stat(filepath.Join(rundir.TrialDir(dir, exp.Trials[0].ID), "dataset.parquet"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(st.Size())/float64(rec.Data.Flows), "file-bytes/flow")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rec.Data.Flows), "ns/flow")
}

// benchModelStage times the model stage alone (the notebook's five models,
// scoring and metrics) on a prepared trial of n flows, with 2 workers.
func benchModelStage(b *testing.B, n int) {
	exp := benchExperiment(b, n, notebookModels)
	t := &exp.Trials[0]
	flows, _, err := loadFlows(exp, t, 2)
	if err != nil {
		b.Fatal(err)
	}
	split, err := features.TrainTestSplit(n, stratifyLabels(flows, t.Spec.Split.Stratify), 0.3, seed.New(1))
	if err != nil {
		b.Fatal(err)
	}
	td, err := prepare(t, &datasets.Dataset{Flows: flows, Engineered: features.Engineer(flows), Split: split})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := runModels(t, td, modelEnv{workers: 2}); err != nil {
			b.Fatal(err)
		}
	}
}

// scikit-learn 1.2.1 on this machine class needs about 2.7 s for the model
// stage at 10,000 flows (silhouette 1.3 s) and 13.5 s at 100,000 (DBSCAN
// 7.5 s): the figures, summed.
func BenchmarkModelStage10k(b *testing.B)  { benchModelStage(b, 10_000) }
func BenchmarkModelStage100k(b *testing.B) { benchModelStage(b, 100_000) }

// TestCheckResult: a kind that answers the wrong number of values for its
// role is an error naming the kind, never a panic or a figure.
func TestCheckResult(t *testing.T) {
	kind := &models.Kind{Name: "broken"}
	task := &models.Task{Kind: kind, Role: models.Detector, Data: &models.Data{Columns: []string{"a", "b"}, IsAnomaly: make([]bool, 5)},
		Test: &models.Rows{Index: []int{0, 1, 2}}, Validation: &models.Rows{Index: []int{3}}}
	for _, tc := range []struct {
		name string
		res  *models.Result
		want string
	}{
		{"nothing", nil, "kind broken answered nothing"},
		{"short scores", &models.Result{Scores: make([]float64, 2), Decision: make([]bool, 3)}, "answered 2 scores for 3 rows"},
		{"no decisions", &models.Result{Scores: make([]float64, 3)}, "answered 0 decisions for 3 rows"},
		{"no validation scores", &models.Result{Scores: make([]float64, 3), Decision: make([]bool, 3)}, "answered 0 validation scores for 1 rows"},
		{"importances", &models.Result{Scores: make([]float64, 3), Decision: make([]bool, 3), ValidationScores: []float64{0}, Importances: []float64{1}},
			"answered 1 importances for 2 features"},
	} {
		if err := checkResult(task, tc.res); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
	if err := checkResult(task, &models.Result{Scores: make([]float64, 3), Decision: make([]bool, 3), ValidationScores: []float64{0}}); err != nil {
		t.Errorf("a complete answer: %v", err)
	}
}

// trialMetrics reads the metrics.parquet of trial rec of the run in dir.
func trialMetrics(t testing.TB, dir string, rec rundir.TrialRecord) []rundir.Metric {
	t.Helper()
	rows, err := rundir.ReadMetricsFile(filepath.Join(rundir.TrialDir(dir, rec.ID), rundir.MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

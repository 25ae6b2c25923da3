package runner

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/rundir"
)

// TestParity runs experiments/parity.yaml (the notebook's own 10,000 flows,
// its five models, twenty seeds) and checks that the harness lands where
// scikit-learn 1.2.1 lands on the same rows (../shared/parity/README.md).
// The seeds move the split as well as the models' randomness, where the
// reference spread is over model seeds on one split; the bands allow for
// that and are stated with each check.
func TestParity(t *testing.T) {
	if testing.Short() {
		t.Skip("twenty trials of the five models; run without -short")
	}
	exp, err := experiments.ParseFile("../../experiments/parity.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(t.Context(), exp, Options{Out: t.TempDir(), Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	rows := readRunMetrics(t, res.Dir)
	values := map[string][]float64{}
	for _, r := range rows {
		values[r.Model+"/"+r.Metric] = append(values[r.Model+"/"+r.Metric], r.Value)
	}
	for _, tc := range []struct {
		figure string
		stat   string // mean, median, min or max over the seeds
		want   float64
		tol    float64
		source string
	}{
		// scikit-learn, 20 IsolationForest random states on one split:
		// detection 0.923 (sd 0.025), FPR 0.0062 (sd 0.0015), AUC 0.9969
		// (sd 0.0006). Our mean over 20 seeds must sit within two of
		// scikit-learn's standard deviations of its mean.
		{"isolation_forest/detection_rate", "mean", 0.923, 2 * 0.025, "sklearn mean ± 2 sd"},
		{"isolation_forest/false_positive_rate", "mean", 0.0062, 2 * 0.0015, "sklearn mean ± 2 sd"},
		{"isolation_forest/roc_auc", "mean", 0.9969, 2 * 0.0006, "sklearn mean ± 2 sd"},
		// The supervised forests are perfect in scikit-learn on this data.
		{"random_forest/detection_rate", "min", 1, 0, "sklearn 1.000"},
		{"random_forest/false_positive_rate", "max", 0, 0, "sklearn 0.000"},
		{"random_forest/roc_auc", "min", 1, 0, "sklearn 1.000"},
		{"attack_type/accuracy", "min", 1, 0, "sklearn 1.000"},
		// K-means: 0.1828 for four random states of five, 0.1273 once.
		{"kmeans/silhouette", "median", 0.1828, 0.02, "sklearn 0.1828, median over seeds"},
		// DBSCAN: no cluster, every point noise.
		{"dbscan/n_clusters", "max", 0, 0, "sklearn 0 clusters"},
		{"dbscan/noise_fraction", "min", 1, 0, "sklearn 10,000 noise points of 10,000"},
	} {
		v := values[tc.figure]
		if len(v) != len(exp.Trials) {
			t.Errorf("%s measured in %d of %d trials", tc.figure, len(v), len(exp.Trials))
			continue
		}
		got := summary(v, tc.stat)
		t.Logf("%-38s %s %.4f (sd %.4f, min %.4f, max %.4f); want %.4f ± %.4f (%s)",
			tc.figure, tc.stat, got, sd(v), slices.Min(v), slices.Max(v), tc.want, tc.tol, tc.source)
		if math.Abs(got-tc.want) > tc.tol+1e-12 {
			t.Errorf("%s: %s over %d seeds %.4f, want %.4f ± %.4f (%s)", tc.figure, tc.stat, len(v), got, tc.want, tc.tol, tc.source)
		}
	}

	// Top five features of the random-forest detector by Gini importance.
	// scikit-learn's on the notebook's split are many_ports,
	// ports_contacted, risk_score, high_cpu, cpu_usage; over 20 of its
	// random states the first three never change and ranks 4 and 5 rotate
	// among cpu_usage, duration, high_cpu, log_duration and long_duration
	// (internal/ml/forest's TestParity, scripts/reference/forest_reference.py).
	// So: the same top three in every trial, ranks 4-5 from that set, and
	// scikit-learn's exact top five in at least one trial.
	top3 := []string{"many_ports", "ports_contacted", "risk_score"}
	rotating := []string{"cpu_usage", "duration", "high_cpu", "log_duration", "long_duration"}
	sklearnTop5 := []string{"cpu_usage", "high_cpu", "many_ports", "ports_contacted", "risk_score"}
	exact := 0
	for _, tr := range res.Manifest.Trials {
		imps, err := parquet.ReadFile[rundir.Importance](filepath.Join(rundir.TrialDir(res.Dir, tr.ID), "importances.parquet"))
		if err != nil {
			t.Fatal(err)
		}
		var first, next []string
		for _, imp := range imps {
			switch {
			case imp.Model != "random_forest":
			case imp.Rank <= 3:
				first = append(first, imp.Feature)
			case imp.Rank <= 5:
				next = append(next, imp.Feature)
			}
		}
		sort.Strings(first)
		if !slices.Equal(first, top3) {
			t.Errorf("trial %s: top-3 random_forest features %v, scikit-learn's %v", tr.ID, first, top3)
		}
		for _, f := range next {
			if !slices.Contains(rotating, f) {
				t.Errorf("trial %s: %s ranks 4th or 5th; scikit-learn's ranks 4-5 are among %v", tr.ID, f, rotating)
			}
		}
		if slices.Equal(slices.Sorted(slices.Values(append(first, next...))), sklearnTop5) {
			exact++
		}
	}
	t.Logf("scikit-learn's exact top five in %d of %d trials", exact, len(res.Manifest.Trials))
	if exact == 0 {
		t.Errorf("scikit-learn's top five %v in no trial", sklearnTop5)
	}
}

// readRunMetrics reads a run's metrics.parquet.
func readRunMetrics(t *testing.T, dir string) []rundir.Metric {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "metrics.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	_, rows, err := rundir.ReadMetrics(f, st.Size(), "metrics.parquet")
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func summary(v []float64, stat string) float64 {
	switch stat {
	case "mean":
		s := 0.0
		for _, x := range v {
			s += x
		}
		return s / float64(len(v))
	case "median":
		s := slices.Sorted(slices.Values(v))
		if len(s)%2 == 1 {
			return s[len(s)/2]
		}
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	case "min":
		return slices.Min(v)
	case "max":
		return slices.Max(v)
	}
	panic("unknown statistic " + stat)
}

func sd(v []float64) float64 {
	m := summary(v, "mean")
	s := 0.0
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return math.Sqrt(s / float64(len(v)-1))
}

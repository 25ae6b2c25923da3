package runner

import (
	"context"
	"maps"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segharness/harness/datasets"
	"github.com/segharness/harness/experiments"
	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/rundir"
)

// TestTestByType: trial.json's test_by_type counts the test split's
// anomalies of each type for a generated source (TestTableSource checks a
// table's), the denominators of the detectors' detection_rate_<type>.
func TestTestByType(t *testing.T) {
	// difficulty 0.6 draws anomalies near normal traffic, so that the
	// isolation forest misses some and the rates are not all 1.
	exp, err := experiments.Parse([]byte(`name: bytype
seeds: [1, 2]
data: {flows: 1500, anomaly_rate: 0.1, difficulty: 0.6}
models:
  - {name: iso, kind: isolation_forest, trees: 20, contamination: 0.05}
  - {name: lr, kind: logistic_regression}
  - {name: types, kind: random_forest, target: anomaly_type, trees: 5}
`), "bytype.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), exp, Options{Out: t.TempDir(), Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range res.Manifest.Trials {
		if len(rec.Data.TestByType) != 2 {
			t.Errorf("trial %s: test_by_type %v, want both anomaly types", rec.ID, rec.Data.TestByType)
		}
		checkTestByType(t, res.Dir, rec, "iso", "lr")
	}
}

// checkTestByType checks trial rec's test_by_type against what its files
// say, for each detector: the test rows of predictions.parquet hold as
// many anomalies of each type, and detection_rate_<type> is the share of
// them the detector flagged, so that rate × total is that count.
func checkTestByType(t *testing.T, dir string, rec rundir.TrialRecord, detectors ...string) {
	t.Helper()
	preds, err := rundir.ReadTableFile(filepath.Join(rundir.TrialDir(dir, rec.ID), rundir.PredictionsFile), rundir.ReadPredictions)
	if err != nil {
		t.Fatal(err)
	}
	rates := map[[2]string]float64{}
	for _, m := range trialMetrics(t, dir, rec) {
		if typ, ok := strings.CutPrefix(m.Metric, "detection_rate_"); ok && !strings.HasSuffix(typ, "_attacks") {
			rates[[2]string{m.Model, typ}] = m.Value
		}
	}
	for _, model := range detectors {
		total, flagged := map[string]int{}, map[string]int{}
		for _, p := range preds {
			if p.Model != model || p.Split != datasets.Test.String() || p.Actual == nil || *p.Actual != flow.LabelAnomaly {
				continue
			}
			total[p.AnomalyType]++
			if p.Predicted == flow.LabelAnomaly {
				flagged[p.AnomalyType]++
			}
		}
		if !maps.Equal(total, rec.Data.TestByType) {
			t.Errorf("trial %s: test_by_type %v, but %s's test predictions hold %v anomalies by type", rec.ID, rec.Data.TestByType, model, total)
		}
		for typ, n := range total {
			rate, ok := rates[[2]string{model, typ}]
			if !ok {
				t.Errorf("trial %s: %s has no detection_rate_%s", rec.ID, model, typ)
				continue
			}
			if want := float64(flagged[typ]) / float64(n); math.Abs(rate-want) > 1e-12 {
				t.Errorf("trial %s: %s detection_rate_%s = %v, want %d/%d", rec.ID, model, typ, rate, flagged[typ], n)
			}
			if got := int(math.Round(rate * float64(rec.Data.TestByType[typ]))); got != flagged[typ] {
				t.Errorf("trial %s: %s: round(detection_rate_%s × test_by_type) = %d, want %d flagged", rec.ID, model, typ, got, flagged[typ])
			}
		}
	}
}
